import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { qs, type CashSession, type XReport, type ZReport } from './admin-api';
import {
  ErrorBox,
  Loading,
  Money,
  RegisterSelect,
  go,
  useEnumLabel,
  useFormatDate,
  useLoad,
  useNames,
  ListTable,
} from './ui';

export function CashSessions({ sessionId }: { sessionId: string | undefined }) {
  return sessionId ? <SessionReport key={sessionId} sessionId={sessionId} /> : <SessionList />;
}

function SessionList() {
  const { t } = useTranslation();
  const names = useNames();
  const fmt = useFormatDate();
  const [registerId, setRegisterId] = useState('');
  const [status, setStatus] = useState('');
  const [limit, setLimit] = useState(50);
  const list = useLoad(
    () => api<{ items: CashSession[] }>('GET', `/cash-sessions${qs({ registerId, status, limit })}`),
    [registerId, status, limit],
  );

  return (
    <section data-testid="admin-cash">
      <h2>{t('admin.cash.title')}</h2>
      <div className="admin-toolbar">
        <RegisterSelect value={registerId} onChange={setRegisterId} testId="admin-cash-register" />
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="admin-cash-status">
          <option value="">{t('admin.common.allStatuses')}</option>
          <option value="open">{t('admin.cash.status.open')}</option>
          <option value="closed">{t('admin.cash.status.closed')}</option>
        </select>
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.common.register')}</th>
            <th>{t('admin.common.status')}</th>
            <th>{t('admin.cash.openedAt')}</th>
            <th>{t('admin.cash.openedBy')}</th>
            <th>{t('admin.cash.closedAt')}</th>
            <th>{t('admin.cash.float')}</th>
            <th>{t('admin.cash.overShort')}</th>
            <th />
          </>
        }
        columns={8}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((s) => {
          const currency = names.currency(s.storeId);
          return (
            <tr key={s.id} data-testid="admin-cash-row">
              <td>
                {names.register(s.registerId)}
                <div className="admin-muted">{names.store(s.storeId)}</div>
              </td>
              <td>
                <span className={`admin-badge admin-status-${s.status}`}>
                  {t(`admin.cash.status.${s.status}`)}
                </span>
              </td>
              <td>{fmt(s.openedAt)}</td>
              <td>{names.staff(s.openedBy)}</td>
              <td>{fmt(s.closedAt)}</td>
              <td>
                <Money minor={s.openingFloat} currency={currency} />
              </td>
              <td>{s.zReport ? <Money minor={s.zReport.overShortTotal} currency={currency} /> : '—'}</td>
              <td>
                <button
                  type="button"
                  onClick={() => go(`cash/${s.id}`)}
                  data-testid={s.status === 'open' ? 'admin-cash-x' : 'admin-cash-z'}
                >
                  {s.status === 'open' ? t('admin.cash.xReport') : t('admin.cash.zReport')}
                </button>
              </td>
            </tr>
          );
        })}
      </ListTable>
      {(list.data?.items.length ?? 0) >= limit && limit < 500 ? (
        <button
          type="button"
          onClick={() => setLimit(Math.min(500, limit + 50))}
          data-testid="admin-cash-more"
        >
          {t('admin.common.more')}
        </button>
      ) : null}
    </section>
  );
}

function SessionReport({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation();
  const session = useLoad(
    () => api<CashSession>('GET', `/cash-sessions/${encodeURIComponent(sessionId)}`),
    [sessionId],
  );
  const open = session.data?.status === 'open';
  const x = useLoad(
    () =>
      open
        ? api<XReport>('GET', `/cash-sessions/${encodeURIComponent(sessionId)}/x-report`)
        : Promise.resolve({ ok: true as const, value: null }),
    [sessionId, open],
  );
  const report: XReport | ZReport | null | undefined = open ? x.data : session.data?.zReport;

  return (
    <section data-testid="admin-report">
      <div className="admin-head">
        <h2>{open ? t('admin.cash.xReport') : t('admin.cash.zReport')}</h2>
        <div className="admin-actions">
          {open ? (
            <button type="button" onClick={x.reload}>
              {t('admin.common.refresh')}
            </button>
          ) : null}
          <button type="button" onClick={() => window.print()}>
            {t('admin.common.print')}
          </button>
          <a href="#/cash">{t('admin.common.back')}</a>
        </div>
      </div>
      <ErrorBox message={session.error?.message ?? x.error?.message} />
      <Loading show={session.loading || x.loading} />
      {session.data && report ? <Report session={session.data} report={report} /> : null}
    </section>
  );
}

function Report({ session, report }: { session: CashSession; report: XReport | ZReport }) {
  const { t } = useTranslation();
  const label = useEnumLabel();
  const names = useNames();
  const fmt = useFormatDate();
  const c = report.currency;
  const m = (minor: number) => <Money minor={minor} currency={c} />;
  const z = 'reconciliation' in report ? report : null;
  return (
    <div className="admin-report">
      <dl className="admin-dl admin-dl-wide">
        <dt>{t('admin.common.store')}</dt>
        <dd>{names.store(session.storeId)}</dd>
        <dt>{t('admin.common.register')}</dt>
        <dd>{names.register(session.registerId)}</dd>
        <dt>{t('admin.cash.openedAt')}</dt>
        <dd>
          {fmt(session.openedAt)} · {names.staff(session.openedBy)}
        </dd>
        {z ? (
          <>
            <dt>{t('admin.cash.closedAt')}</dt>
            <dd>
              {fmt(z.closedAt)} · {names.staff(session.closedBy)}
            </dd>
          </>
        ) : (
          <>
            <dt>{t('admin.cash.generatedAt')}</dt>
            <dd>{fmt(report.generatedAt)}</dd>
          </>
        )}
      </dl>
      <div className="admin-cards">
        <div className="admin-card">
          <div className="admin-card-title">{t('admin.cash.sales')}</div>
          <div className="admin-card-big">{m(report.totals.sales)}</div>
          <div className="admin-muted">
            {t('admin.cash.orderCount', { n: report.orders.count, voided: report.orders.voided })}
          </div>
        </div>
        <div className="admin-card">
          <div className="admin-card-title">{t('admin.cash.refunds')}</div>
          <div className="admin-card-big">{m(report.totals.refunds)}</div>
          <div className="admin-muted">{t('admin.cash.refundCount', { n: report.refunds.count })}</div>
        </div>
        <div className="admin-card">
          <div className="admin-card-title">{t('admin.cash.net')}</div>
          <div className="admin-card-big">{m(report.totals.net)}</div>
        </div>
      </div>
      <h3>{t('admin.cash.tenders')}</h3>
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t('admin.cash.tender')}</th>
            <th>{t('admin.cash.sales')}</th>
            <th>{t('admin.cash.refunds')}</th>
            <th>{t('admin.cash.net')}</th>
          </tr>
        </thead>
        <tbody>
          {report.tenders.map((tn) => (
            <tr key={tn.kind}>
              <td>{label('tenders', tn.kind)}</td>
              <td>{m(tn.sales)}</td>
              <td>{m(tn.refunds)}</td>
              <td>{m(tn.net)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('admin.cash.drawer')}</h3>
      <dl className="admin-dl admin-dl-wide">
        <dt>{t('admin.cash.float')}</dt>
        <dd>{m(report.cash.openingFloat)}</dd>
        <dt>{t('admin.cash.cashSales')}</dt>
        <dd>{m(report.cash.sales)}</dd>
        <dt>{t('admin.cash.cashRefunds')}</dt>
        <dd>{m(report.cash.refunds)}</dd>
        <dt>{t('admin.cash.paidIn')}</dt>
        <dd>{m(report.cash.paidIn)}</dd>
        <dt>{t('admin.cash.paidOut')}</dt>
        <dd>{m(report.cash.paidOut)}</dd>
        <dt>{t('admin.cash.cashRounding')}</dt>
        <dd>{m(report.cashRounding)}</dd>
        <dt>{t('admin.cash.expected')}</dt>
        <dd>
          <strong>{m(report.cash.expected)}</strong>
        </dd>
      </dl>
      {z ? (
        <>
          <h3>{t('admin.cash.reconciliation')}</h3>
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.cash.tender')}</th>
                <th>{t('admin.cash.expected')}</th>
                <th>{t('admin.cash.counted')}</th>
                <th>{t('admin.cash.overShort')}</th>
              </tr>
            </thead>
            <tbody>
              {z.reconciliation.map((r) => (
                <tr key={r.kind} className={r.overShort ? 'admin-negative' : ''}>
                  <td>{label('tenders', r.kind)}</td>
                  <td>{m(r.expected)}</td>
                  <td>{r.counted === null ? '—' : m(r.counted)}</td>
                  <td>{r.overShort === null ? '—' : m(r.overShort)}</td>
                </tr>
              ))}
              <tr>
                <th colSpan={3}>{t('admin.cash.overShortTotal')}</th>
                <th>{m(z.overShortTotal)}</th>
              </tr>
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
