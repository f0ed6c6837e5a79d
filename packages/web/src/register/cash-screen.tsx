import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { parseAmount } from './money';
import { useRegister, useSyncState } from './register-context';
import { ErrorText, Kbd, Keypad } from './widgets';
import { ApprovalPrompt, type ApprovalAction } from './approval-prompt';

interface CashSession {
  id: string;
  status: 'open' | 'closed';
  openingFloat: number;
  openedAt: string;
  openedBy: string;
}
interface XReport {
  sessionId: string;
  status: string;
  openedAt: string;
  generatedAt: string;
  orders: { count: number; voided: number; total: number; changeGiven: number };
  refunds: { count: number; total: number };
  tenders: { kind: string; sales: number; refunds: number; net: number }[];
  cash: {
    openingFloat: number;
    sales: number;
    refunds: number;
    paidIn: number;
    paidOut: number;
    expected: number;
  };
  totals: { sales: number; refunds: number; net: number };
  cashRounding: number;
}
interface ZReport extends XReport {
  closedAt: string;
  reconciliation: { kind: string; expected: number; counted: number | null; overShort: number | null }[];
  overShortTotal: number;
}

const COUNTED_KINDS = ['cash', 'card', 'wallet', 'gift_card', 'other'] as const;

function Report({ report }: { report: XReport | ZReport }) {
  const { t, i18n } = useTranslation();
  const { money } = useRegister();
  const z = 'reconciliation' in report ? report : null;
  return (
    <section className="reg-card reg-report" data-testid={z ? 'z-report' : 'x-report'}>
      <h2>{z ? t('register.cash.zReport') : t('register.cash.xReport')}</h2>
      <p className="reg-muted">
        {t('register.cash.period', {
          from: new Date(report.openedAt).toLocaleString(i18n.language),
          to: new Date(z ? z.closedAt : report.generatedAt).toLocaleString(i18n.language),
        })}
      </p>
      <dl className="reg-totals">
        <dt>{t('register.cash.orders', { count: report.orders.count })}</dt>
        <dd>{money(report.orders.total)}</dd>
        <dt>{t('register.cash.refunds', { count: report.refunds.count })}</dt>
        <dd>−{money(report.refunds.total)}</dd>
        <dt className="reg-grand">{t('register.cash.net')}</dt>
        <dd className="reg-grand" data-testid="report-net">
          {money(report.totals.net)}
        </dd>
      </dl>
      <h3>{t('register.cash.byTender')}</h3>
      <table className="reg-table">
        <thead>
          <tr>
            <th />
            <th>{t('register.cash.sales')}</th>
            <th>{t('register.cash.refundsCol')}</th>
            <th>{t('register.cash.net')}</th>
          </tr>
        </thead>
        <tbody>
          {report.tenders.map((x) => (
            <tr key={x.kind}>
              <td>{t(`register.tenders.${x.kind}`, { defaultValue: x.kind })}</td>
              <td className="reg-num">{money(x.sales)}</td>
              <td className="reg-num">{money(x.refunds)}</td>
              <td className="reg-num">{money(x.net)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('register.cash.drawer')}</h3>
      <dl className="reg-totals">
        <dt>{t('register.cash.float')}</dt>
        <dd>{money(report.cash.openingFloat)}</dd>
        <dt>{t('register.cash.cashSales')}</dt>
        <dd>{money(report.cash.sales)}</dd>
        <dt>{t('register.cash.cashRefunds')}</dt>
        <dd>−{money(report.cash.refunds)}</dd>
        <dt>{t('register.cash.paidInOut')}</dt>
        <dd>
          {money(report.cash.paidIn)} / −{money(report.cash.paidOut)}
        </dd>
        <dt className="reg-grand">{t('register.cash.expected')}</dt>
        <dd className="reg-grand" data-testid="report-expected">
          {money(report.cash.expected)}
        </dd>
      </dl>
      {z ? (
        <>
          <h3>{t('register.cash.reconciliation')}</h3>
          <table className="reg-table">
            <thead>
              <tr>
                <th />
                <th>{t('register.cash.expected')}</th>
                <th>{t('register.cash.counted')}</th>
                <th>{t('register.cash.overShort')}</th>
              </tr>
            </thead>
            <tbody>
              {z.reconciliation.map((r) => (
                <tr key={r.kind}>
                  <td>{t(`register.tenders.${r.kind}`, { defaultValue: r.kind })}</td>
                  <td className="reg-num">{money(r.expected)}</td>
                  <td className="reg-num">{r.counted === null ? '—' : money(r.counted)}</td>
                  <td className={r.overShort && r.overShort < 0 ? 'reg-num reg-error' : 'reg-num'}>
                    {r.overShort === null ? '—' : money(r.overShort)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="reg-grand" data-testid="z-over-short">
            {t('register.cash.overShortTotal', { amount: money(z.overShortTotal) })}
          </p>
        </>
      ) : null}
    </section>
  );
}

/** Open the drawer with a float, print an X report, close with counted amounts into a Z report. */
export function CashScreen({ onBack }: { onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const { till, session, money } = useRegister();
  const sync = useSyncState(till);
  const currency = session.store.currency;
  const [cashSession, setCashSession] = useState<CashSession | null | undefined>(undefined);
  const [floatText, setFloatText] = useState('');
  const [report, setReport] = useState<XReport | ZReport | null>(null);
  const [closing, setClosing] = useState(false);
  const [counted, setCounted] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // "no sale": opening the drawer may need a manager (approval prompt, then retry with the approval)
  const [drawerApproval, setDrawerApproval] = useState<ApprovalAction | null>(null);
  const [drawerOpened, setDrawerOpened] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await api<CashSession>(
      'GET',
      `/registers/${encodeURIComponent(session.register.id)}/cash-session`,
    );
    if (r.ok) setCashSession(r.value);
    else if (r.error.code === 'no_open_session' || r.error.status === 404) setCashSession(null);
    else setError(r.error.message);
  }, [session.register.id]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onBack();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onBack]);

  const openSession = async () => {
    const amount = floatText ? parseAmount(floatText, currency) : 0;
    if (amount === undefined) return setError(t('register.pay.badAmount'));
    setBusy(true);
    setError(null);
    const r = await api<CashSession>('POST', '/cash-sessions', {
      registerId: session.register.id,
      openingFloat: amount,
    });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    setCashSession(r.value);
    setReport(null);
    setFloatText('');
  };

  const openDrawer = async (approvalId?: string) => {
    if (!cashSession) return;
    setError(null);
    setDrawerApproval(null);
    setDrawerOpened(null);
    const r = await api<{ openedAt: string }>(
      'POST',
      `/cash-sessions/${encodeURIComponent(cashSession.id)}/drawer-open`,
      { reason: t('register.cash.noSaleReason') },
      approvalId ? { 'x-approval-id': approvalId } : {},
    );
    if (!r.ok && r.error.code === 'approval_required') {
      const action = (r.error.details as { action?: ApprovalAction } | undefined)?.action;
      if (action) return setDrawerApproval(action);
    }
    if (!r.ok) return setError(r.error.message);
    setDrawerOpened(t('register.cash.drawerOpened'));
  };

  const xReport = async () => {
    if (!cashSession) return;
    setError(null);
    const r = await api<XReport>('GET', `/cash-sessions/${encodeURIComponent(cashSession.id)}/x-report`);
    if (!r.ok) return setError(r.error.message);
    setReport(r.value);
  };

  const close = async () => {
    if (!cashSession) return;
    if (sync.unsynced > 0) return setError(t('register.cash.unsyncedBlock', { count: sync.unsynced }));
    const list: { kind: string; amount: number }[] = [];
    for (const kind of COUNTED_KINDS) {
      const text = counted[kind];
      if (!text) continue;
      const amount = parseAmount(text, currency);
      if (amount === undefined)
        return setError(t('register.cash.badCount', { kind: t(`register.tenders.${kind}`) }));
      list.push({ kind, amount });
    }
    setBusy(true);
    setError(null);
    const r = await api<ZReport>('POST', `/cash-sessions/${encodeURIComponent(cashSession.id)}/close`, {
      counted: list,
    });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    setReport(r.value);
    setClosing(false);
    setCounted({});
    setCashSession(null);
  };

  return (
    <div className="reg-page" data-testid="cash-screen">
      <header className="reg-page-head">
        <button type="button" className="reg-ghost" data-testid="cash-back" onClick={onBack}>
          ← {t('register.common.back')} <Kbd k="Esc" />
        </button>
        <h1>{t('register.cash.title')}</h1>
      </header>
      <ErrorText message={error} />
      {cashSession === undefined ? <p className="reg-muted">{t('app.loading')}</p> : null}
      {cashSession === null ? (
        <section className="reg-card reg-narrow" data-testid="cash-open-form">
          <h2>{t('register.cash.noSession')}</h2>
          <label>
            {t('register.cash.floatLabel', { currency })}
            <input
              data-testid="cash-float"
              inputMode="decimal"
              value={floatText}
              onChange={(e) => setFloatText(e.target.value)}
            />
          </label>
          <Keypad value={floatText} onChange={setFloatText} testId="float-pad" />
          <button
            type="button"
            className="reg-primary"
            data-testid="cash-open"
            disabled={busy}
            onClick={() => void openSession()}
          >
            {t('register.cash.open')}
          </button>
        </section>
      ) : null}
      {cashSession ? (
        <section className="reg-card" data-testid="cash-session" data-session-id={cashSession.id}>
          <h2>
            {t('register.cash.openSince', {
              time: new Date(cashSession.openedAt).toLocaleString(i18n.language),
            })}
          </h2>
          <p>{t('register.cash.floatWas', { amount: money(cashSession.openingFloat) })}</p>
          {drawerOpened ? (
            <p className="reg-muted" data-testid="cash-drawer-opened">
              {drawerOpened}
            </p>
          ) : null}
          {drawerApproval ? (
            <ApprovalPrompt
              action={drawerApproval}
              onApproved={(id) => void openDrawer(id)}
              onClose={() => setDrawerApproval(null)}
            />
          ) : null}
          {sync.unsynced > 0 ? (
            <p className="reg-warning" data-testid="cash-unsynced">
              {t('register.cash.unsyncedBlock', { count: sync.unsynced })}
            </p>
          ) : null}
          <div className="reg-row">
            <button type="button" data-testid="cash-x-report" onClick={() => void xReport()}>
              {t('register.cash.xReport')}
            </button>
            <button type="button" data-testid="cash-no-sale" onClick={() => void openDrawer()}>
              {t('register.cash.noSale')}
            </button>
            <button
              type="button"
              className="reg-danger"
              data-testid="cash-close-start"
              disabled={sync.unsynced > 0}
              onClick={() => setClosing(true)}
            >
              {t('register.cash.close')}
            </button>
          </div>
          {closing ? (
            <form
              className="reg-form"
              data-testid="cash-close-form"
              onSubmit={(e) => {
                e.preventDefault();
                void close();
              }}
            >
              <p>{t('register.cash.countHint')}</p>
              {COUNTED_KINDS.map((kind) => (
                <label key={kind}>
                  {t(`register.tenders.${kind}`)}
                  <input
                    data-testid={`cash-count-${kind}`}
                    inputMode="decimal"
                    value={counted[kind] ?? ''}
                    onChange={(e) => setCounted((m) => ({ ...m, [kind]: e.target.value }))}
                  />
                </label>
              ))}
              <button
                type="submit"
                className="reg-danger"
                data-testid="cash-close"
                disabled={busy || sync.unsynced > 0}
              >
                {t('register.cash.closeConfirm')}
              </button>
            </form>
          ) : null}
        </section>
      ) : null}
      {report ? <Report report={report} /> : null}
    </div>
  );
}
