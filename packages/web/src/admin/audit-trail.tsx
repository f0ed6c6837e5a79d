import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken } from '../api/client';
import { qs } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, ListTable, Loading, Pager, useFormatDate, useLoad } from './ui';

/**
 * The audit trail: every privileged action, newest first, with its place in the tenant's hash
 * chain. Filters by action family, staff member and date; exports what the filters select as
 * CSV or JSON (the export is itself recorded); checks the chain on demand.
 *
 * data-testids: admin-audit, admin-audit-action, admin-audit-staff, admin-audit-from,
 * admin-audit-to, admin-audit-row, admin-audit-verify, admin-audit-verify-result,
 * admin-audit-export-csv, admin-audit-export-json
 */
export interface AuditEntry {
  id: string;
  seq: number | null;
  createdAt: string;
  staffId: string | null;
  username: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  data: unknown;
  prevHash: string | null;
  hash: string | null;
}

interface VerifyResult {
  ok: boolean;
  entries: number;
  unsealed: number;
  head: { seq: number; hash: string } | null;
  firstBroken: { seq: number; id: string | null; reason: string } | null;
}

const PAGE = 50;
const families = [
  'auth',
  'approval',
  'order',
  'cash_session',
  'stock',
  'product',
  'category',
  'tax_class',
  'store',
  'register',
  'staff',
  'audit',
] as const;

/** A local calendar day as an instant: the start of that day in the browser's time zone. */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

function summary(data: unknown): string {
  if (data === null || data === undefined) return '';
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

export function AuditTrail() {
  const { t } = useTranslation();
  const { staff } = useAdmin();
  const fmt = useFormatDate();
  const [action, setAction] = useState('');
  const [staffId, setStaffId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // cursors of the pages seen so far: page n starts before cursors[n]
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const filter = {
    action: action || undefined,
    staffId: staffId || undefined,
    from: dayStart(from),
    to: dayStart(to, 1),
  };
  const list = useLoad(
    () =>
      api<{ items: AuditEntry[]; nextBefore: string | null }>(
        'GET',
        `/audit${qs({ ...filter, before: cursors[page], limit: PAGE })}`,
      ),
    [action, staffId, from, to, page, cursors[page]],
  );

  function refilter(fn: () => void) {
    fn();
    setCursors([undefined]);
    setPage(0);
  }

  function onPage(next: number) {
    if (next > page && list.data?.nextBefore) {
      const known = cursors.slice(0, page + 1);
      known[next] = list.data.nextBefore;
      setCursors(known);
    }
    setPage(next);
  }

  async function runVerify() {
    setBusy(true);
    setError(null);
    const r = await api<VerifyResult>('GET', '/audit/verify');
    setBusy(false);
    if (r.ok) setVerify(r.value);
    else setError(r.error.message);
  }

  async function exportAs(format: 'csv' | 'json') {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/v1/audit/export${qs({ ...filter, format })}`, {
        headers: { authorization: `Bearer ${getToken() ?? ''}` },
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(body?.error?.message ?? res.statusText);
        return;
      }
      const name =
        /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `audit.${format}`;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      list.reload();
    } catch {
      setError(t('admin.audit.exportFailed'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section data-testid="admin-audit">
      <div className="admin-head">
        <h2>{t('admin.audit.title')}</h2>
        <div className="admin-actions">
          <button
            type="button"
            disabled={busy}
            onClick={() => void runVerify()}
            data-testid="admin-audit-verify"
          >
            {t('admin.audit.verify')}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void exportAs('csv')}
            data-testid="admin-audit-export-csv"
          >
            {t('admin.audit.exportCsv')}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void exportAs('json')}
            data-testid="admin-audit-export-json"
          >
            {t('admin.audit.exportJson')}
          </button>
        </div>
      </div>
      <p className="admin-muted">{t('admin.audit.intro')}</p>
      {verify ? (
        <div
          className={verify.ok ? 'admin-notice' : 'admin-error'}
          role="status"
          data-testid="admin-audit-verify-result"
        >
          {verify.ok
            ? t('admin.audit.verifiedOk', { n: verify.entries, hash: verify.head?.hash.slice(0, 16) ?? '—' })
            : t('admin.audit.verifiedBroken', {
                seq: verify.firstBroken?.seq ?? 0,
                reason: verify.firstBroken?.reason ?? '',
              })}
        </div>
      ) : null}
      <div className="admin-toolbar">
        <Field label={t('admin.audit.action')}>
          <select
            value={action}
            onChange={(e) => refilter(() => setAction(e.target.value))}
            data-testid="admin-audit-action"
          >
            <option value="">{t('admin.audit.allActions')}</option>
            {families.map((f) => (
              <option key={f} value={f}>
                {t(`admin.audit.families.${f}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.audit.staff')}>
          {staff.length > 0 ? (
            <select
              value={staffId}
              onChange={(e) => refilter(() => setStaffId(e.target.value))}
              data-testid="admin-audit-staff"
            >
              <option value="">{t('admin.audit.allStaff')}</option>
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.displayName} ({s.username})
                </option>
              ))}
            </select>
          ) : (
            <input
              value={staffId}
              placeholder="stf_…"
              onChange={(e) => refilter(() => setStaffId(e.target.value.trim()))}
              data-testid="admin-audit-staff"
            />
          )}
        </Field>
        <Field label={t('admin.audit.from')}>
          <input
            type="date"
            value={from}
            onChange={(e) => refilter(() => setFrom(e.target.value))}
            data-testid="admin-audit-from"
          />
        </Field>
        <Field label={t('admin.audit.to')}>
          <input
            type="date"
            value={to}
            onChange={(e) => refilter(() => setTo(e.target.value))}
            data-testid="admin-audit-to"
          />
        </Field>
      </div>
      <ErrorBox message={error ?? list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.common.time')}</th>
            <th>#</th>
            <th>{t('admin.audit.action')}</th>
            <th>{t('admin.audit.staff')}</th>
            <th>{t('admin.audit.entity')}</th>
            <th>{t('admin.audit.details')}</th>
            <th>{t('admin.audit.hash')}</th>
          </>
        }
        columns={7}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((e) => (
          <tr key={e.id} data-testid="admin-audit-row">
            <td>{fmt(e.createdAt)}</td>
            <td className="admin-num">{e.seq ?? t('admin.audit.pending')}</td>
            <td className="admin-mono">{e.action}</td>
            <td>{e.username ?? (e.staffId ? e.staffId.slice(-6) : t('admin.audit.system'))}</td>
            <td className="admin-mono">
              {e.entity}
              {e.entityId ? ` ${e.entityId.slice(-8)}` : ''}
            </td>
            <td className="admin-mono" style={{ wordBreak: 'break-all' }}>
              {summary(e.data)}
            </td>
            <td className="admin-mono" title={e.hash ?? ''}>
              {e.hash ? e.hash.slice(0, 10) : '—'}
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager page={page} hasMore={Boolean(list.data?.nextBefore)} onPage={onPage} />
    </section>
  );
}
