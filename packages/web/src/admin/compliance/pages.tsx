/**
 * Back-office compliance pages: AML cases (list, detail, transitions, notes, reports), AML rule
 * sets, sanctions screenings and list versions, the PCI DSS self-check with history, privacy
 * requests and retention. Owners act; auditors read (the API refuses managers and cashiers).
 *
 * data-testids: admin-compliance-cases, admin-case-row, admin-case, admin-case-move-to,
 *   admin-case-reason, admin-case-move, admin-case-note, admin-case-note-add, admin-rules,
 *   admin-rules-<jurisdiction>, admin-rules-save-<jurisdiction>, admin-sanctions,
 *   admin-screening-row, admin-screening-reason, admin-screening-confirm, admin-screening-clear,
 *   admin-screen-name, admin-screen-submit, admin-pci, admin-pci-run, admin-pci-item,
 *   admin-pci-history, admin-privacy, admin-privacy-row, admin-privacy-kind,
 *   admin-privacy-subject, admin-privacy-create, admin-retention-row
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken } from '../../api/client';
import { useAdmin } from '../admin-context';
import { ErrorBox, ListTable, Loading, Money, go, useFormatDate, useLoad, useNames, useSubmit } from '../ui';
import './compliance.css';

type Severity = 'low' | 'medium' | 'high';
type CaseState = 'open' | 'investigating' | 'escalated' | 'reported' | 'dismissed';

interface CaseView {
  id: string;
  subject: string;
  title: string;
  severity: Severity;
  state: CaseState;
  stateReason: string | null;
  assigneeId: string | null;
  currency: string | null;
  alertCount: number;
  updatedAt: string;
}
interface CaseDetail extends CaseView {
  alerts: {
    id: string;
    ruleId: string;
    severity: Severity;
    amount: number;
    currency: string;
    summary: string;
    occurredAt: string;
  }[];
  notes: { id: string; staffId: string | null; body: string; createdAt: string }[];
  evidence: { kind: string; refId: string; note: string | null; createdAt: string }[];
  history: { action: string; staffId: string | null; data: unknown; at: string }[];
  allowed: CaseState[];
}

const caseStates: CaseState[] = ['open', 'investigating', 'escalated', 'reported', 'dismissed'];

/** Compliance actions are the owner's; an auditor reads. */
function useCanAct(): boolean {
  return useAdmin().me.role === 'owner';
}

export function ComplianceCases({ caseId }: { caseId: string | undefined }) {
  return caseId ? <CaseDetailView key={caseId} caseId={caseId} /> : <CaseList />;
}

function CaseList() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [state, setState] = useState('');
  const list = useLoad(
    () => api<{ items: CaseView[] }>('GET', `/compliance/cases${state ? `?state=${state}` : ''}`),
    [state],
  );
  return (
    <section data-testid="admin-compliance-cases">
      <h2>{t('admin.compliance.cases.title')}</h2>
      <div className="admin-toolbar">
        <select value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">{t('admin.common.allStatuses')}</option>
          {caseStates.map((s) => (
            <option key={s} value={s}>
              {t(`admin.compliance.state.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.compliance.cases.subject')}</th>
            <th>{t('admin.compliance.cases.severity')}</th>
            <th>{t('admin.common.status')}</th>
            <th>{t('admin.compliance.cases.alerts')}</th>
            <th>{t('admin.compliance.cases.updated')}</th>
          </>
        }
        columns={5}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((c) => (
          <tr
            key={c.id}
            data-testid="admin-case-row"
            className="admin-clickable"
            onClick={() => go(`/compliance/${c.id}`)}
          >
            <td>
              <a href={`#/compliance/${c.id}`}>{c.subject}</a>
              <div className="admin-muted">{c.title}</div>
            </td>
            <td>
              <span className={`admin-badge admin-severity-${c.severity}`}>
                {t(`admin.compliance.severity.${c.severity}`)}
              </span>
            </td>
            <td>{t(`admin.compliance.state.${c.state}`)}</td>
            <td className="admin-num">{c.alertCount}</td>
            <td>{fmt(c.updatedAt)}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

function CaseDetailView({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const names = useNames();
  const canAct = useCanAct();
  const detail = useLoad(() => api<CaseDetail>('GET', `/compliance/cases/${caseId}`), [caseId]);
  const submit = useSubmit();
  const [to, setTo] = useState<CaseState | ''>('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const c = detail.data;

  async function move() {
    if (!to) return;
    const done = await submit.run(() =>
      api<CaseDetail>('POST', `/compliance/cases/${caseId}/transition`, {
        to,
        reason: reason.trim() || null,
      }),
    );
    if (done) {
      setTo('');
      setReason('');
      detail.reload();
    }
  }
  async function addNote() {
    if (!note.trim()) return;
    const done = await submit.run(() =>
      api<CaseDetail>('POST', `/compliance/cases/${caseId}/notes`, { body: note.trim() }),
    );
    if (done) {
      setNote('');
      detail.reload();
    }
  }
  async function openReport(format: 'json' | 'html') {
    const r = await api<unknown>('GET', `/compliance/cases/${caseId}/report`);
    if (!r.ok) return submit.setError(r.error.message);
    if (format === 'json') {
      const blob = new Blob([JSON.stringify(r.value, null, 2)], { type: 'application/json' });
      window.open(URL.createObjectURL(blob), '_blank');
      return;
    }
    // the printable page comes from the server with the same bearer token
    const res = await fetch(`/api/v1/compliance/cases/${caseId}/report?format=html`, {
      headers: { authorization: `Bearer ${getToken() ?? ''}` },
    });
    const html = await res.text();
    const w = window.open('', '_blank');
    if (w) {
      w.document.write(html);
      w.document.close();
    }
  }

  return (
    <section data-testid="admin-case">
      <a href="#/compliance">{t('admin.common.back')}</a>
      <ErrorBox message={detail.error?.message ?? submit.error} />
      <Loading show={detail.loading && !c} />
      {c ? (
        <>
          <h2>
            {c.subject} · {t(`admin.compliance.state.${c.state}`)}
          </h2>
          <p className="admin-muted">
            {c.title} · {t(`admin.compliance.severity.${c.severity}`)} ·{' '}
            {t('admin.compliance.cases.assignee')}:{' '}
            {c.assigneeId ? names.staff(c.assigneeId) : t('admin.compliance.cases.unassigned')}
            {c.stateReason ? ` · ${c.stateReason}` : ''}
          </p>
          <div className="admin-actions">
            <button type="button" onClick={() => void openReport('html')}>
              {t('admin.compliance.cases.reportHtml')}
            </button>
            <button type="button" onClick={() => void openReport('json')}>
              {t('admin.compliance.cases.reportJson')}
            </button>
          </div>
          {canAct && c.allowed.length ? (
            <div className="admin-toolbar">
              <select
                value={to}
                onChange={(e) => setTo(e.target.value as CaseState)}
                data-testid="admin-case-move-to"
              >
                <option value="">{t('admin.compliance.cases.moveTo')}</option>
                {c.allowed.map((s) => (
                  <option key={s} value={s}>
                    {t(`admin.compliance.state.${s}`)}
                  </option>
                ))}
              </select>
              <input
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                placeholder={t('admin.compliance.cases.reason')}
                title={t('admin.compliance.cases.reasonHint')}
                data-testid="admin-case-reason"
              />
              <button
                type="button"
                className="admin-primary"
                disabled={!to || submit.busy}
                onClick={() => void move()}
                data-testid="admin-case-move"
              >
                {t('admin.compliance.cases.move')}
              </button>
            </div>
          ) : c.allowed.length === 0 ? (
            <p className="admin-muted">{t('admin.compliance.cases.final')}</p>
          ) : null}
          <h3>{t('admin.compliance.cases.alerts')}</h3>
          <ListTable
            heads={
              <>
                <th>{t('admin.common.time')}</th>
                <th>{t('admin.compliance.cases.rule')}</th>
                <th>{t('admin.compliance.cases.amount')}</th>
                <th>{t('admin.compliance.cases.summary')}</th>
              </>
            }
            columns={4}
            empty={c.alerts.length === 0}
          >
            {c.alerts.map((a) => (
              <tr key={a.id}>
                <td>{fmt(a.occurredAt)}</td>
                <td>
                  {a.ruleId}{' '}
                  <span className={`admin-badge admin-severity-${a.severity}`}>
                    {t(`admin.compliance.severity.${a.severity}`)}
                  </span>
                </td>
                <td>
                  <Money minor={a.amount} currency={a.currency} />
                </td>
                <td>{a.summary}</td>
              </tr>
            ))}
          </ListTable>
          <h3>{t('admin.compliance.cases.evidence')}</h3>
          <ul>
            {c.evidence.map((e) => (
              <li key={`${e.kind}-${e.refId}`}>
                {e.kind === 'order' ? <a href={`#/orders/${e.refId}`}>{e.refId}</a> : `${e.kind} ${e.refId}`}
                {e.note ? <span className="admin-muted"> · {e.note}</span> : null}
              </li>
            ))}
          </ul>
          <h3>{t('admin.compliance.cases.notes')}</h3>
          {c.notes.map((n) => (
            <p key={n.id}>
              <span className="admin-muted">
                {fmt(n.createdAt)} · {names.staff(n.staffId)}
              </span>
              <br />
              {n.body}
            </p>
          ))}
          {canAct ? (
            <div className="admin-toolbar">
              <textarea
                value={note}
                onChange={(e) => setNote(e.target.value)}
                rows={2}
                data-testid="admin-case-note"
              />
              <button
                type="button"
                disabled={submit.busy || !note.trim()}
                onClick={() => void addNote()}
                data-testid="admin-case-note-add"
              >
                {t('admin.compliance.cases.addNote')}
              </button>
            </div>
          ) : null}
          <h3>{t('admin.compliance.cases.history')}</h3>
          <ul className="admin-muted">
            {c.history.map((h, i) => (
              <li key={i}>
                {fmt(h.at)} · {h.action} · {h.staffId ? names.staff(h.staffId) : 'system'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

interface RuleSet {
  jurisdiction: string;
  version: number;
  edited: boolean;
  rules: unknown[];
}

export function AmlRules() {
  const { t } = useTranslation();
  const canAct = useCanAct();
  const sets = useLoad(() => api<{ items: RuleSet[] }>('GET', '/compliance/rules'), []);
  return (
    <section data-testid="admin-rules">
      <h2>{t('admin.compliance.rules.title')}</h2>
      <p className="admin-muted">{t('admin.compliance.rules.help')}</p>
      <ErrorBox message={sets.error?.message} />
      <Loading show={sets.loading && !sets.data} />
      {sets.data?.items.map((s) => (
        <RuleSetEditor key={`${s.jurisdiction}-${s.version}`} set={s} canAct={canAct} onSaved={sets.reload} />
      ))}
    </section>
  );
}

function RuleSetEditor({ set, canAct, onSaved }: { set: RuleSet; canAct: boolean; onSaved: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(set.rules, null, 2));
  const submit = useSubmit();
  async function save() {
    let rules: unknown;
    try {
      rules = JSON.parse(text);
    } catch {
      submit.setError(t('admin.compliance.rules.invalidJson'));
      return;
    }
    const done = await submit.run(() => api('PUT', `/compliance/rules/${set.jurisdiction}`, { rules }));
    if (done) onSaved();
  }
  return (
    <div className="admin-card">
      <h3>
        {t('admin.compliance.rules.jurisdiction')}: {set.jurisdiction} ·{' '}
        {set.edited
          ? `${t('admin.compliance.rules.version')} ${set.version}`
          : t('admin.compliance.rules.shipped')}
      </h3>
      <ErrorBox message={submit.error} />
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={14}
        readOnly={!canAct}
        style={{ width: '100%', fontFamily: 'monospace' }}
        data-testid={`admin-rules-${set.jurisdiction}`}
      />
      {canAct ? (
        <button
          type="button"
          className="admin-primary"
          disabled={submit.busy}
          onClick={() => void save()}
          data-testid={`admin-rules-save-${set.jurisdiction}`}
        >
          {t('admin.compliance.rules.save')}
        </button>
      ) : null}
    </div>
  );
}

interface Screening {
  id: string;
  name: string | null;
  status: 'clear' | 'potential_match' | 'confirmed' | 'cleared';
  topScore: number;
  subjectType: string;
  subjectId: string | null;
  matches: {
    listedName: string;
    matchedName: string;
    score: number;
    source: string;
    externalId: string;
    programs: string[];
  }[];
  reason: string | null;
  createdAt: string;
}
interface ListVersion {
  id: string;
  source: string;
  publishedOn: string | null;
  importedAt: string;
  entryCount: number;
  active: boolean;
}

export function Sanctions() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const canAct = useCanAct();
  const [status, setStatus] = useState('potential_match');
  const screenings = useLoad(
    () =>
      api<{ items: Screening[] }>(
        'GET',
        `/compliance/sanctions/screenings${status ? `?status=${status}` : ''}`,
      ),
    [status],
  );
  const lists = useLoad(() => api<{ items: ListVersion[] }>('GET', '/compliance/sanctions/lists'), []);
  const submit = useSubmit();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [name, setName] = useState('');

  async function decide(id: string, decision: 'confirm' | 'clear') {
    const done = await submit.run(() =>
      api('POST', `/compliance/sanctions/screenings/${id}/decision`, { decision, reason: reasons[id] ?? '' }),
    );
    if (done) screenings.reload();
  }
  async function screen() {
    if (!name.trim()) return;
    const done = await submit.run(() => api('POST', '/compliance/sanctions/screen', { name: name.trim() }));
    if (done) {
      setName('');
      setStatus('');
      screenings.reload();
    }
  }
  return (
    <section data-testid="admin-sanctions">
      <h2>{t('admin.compliance.sanctions.title')}</h2>
      <ErrorBox message={screenings.error?.message ?? lists.error?.message ?? submit.error} />
      {canAct ? (
        <div className="admin-toolbar">
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t('admin.compliance.sanctions.screen')}
            data-testid="admin-screen-name"
          />
          <button
            type="button"
            disabled={submit.busy}
            onClick={() => void screen()}
            data-testid="admin-screen-submit"
          >
            {t('admin.compliance.sanctions.screenSubmit')}
          </button>
        </div>
      ) : null}
      <h3>{t('admin.compliance.sanctions.screenings')}</h3>
      <div className="admin-toolbar">
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="potential_match">{t('admin.compliance.sanctions.potential')}</option>
          <option value="">{t('admin.compliance.sanctions.all')}</option>
        </select>
      </div>
      <ListTable
        heads={
          <>
            <th>{t('admin.common.time')}</th>
            <th>{t('admin.compliance.sanctions.name')}</th>
            <th>{t('admin.compliance.sanctions.match')}</th>
            <th>{t('admin.compliance.sanctions.score')}</th>
            <th>{t('admin.common.status')}</th>
            <th />
          </>
        }
        columns={6}
        empty={screenings.data?.items.length === 0}
      >
        {screenings.data?.items.map((s) => (
          <tr key={s.id} data-testid="admin-screening-row">
            <td>{fmt(s.createdAt)}</td>
            <td>
              {s.name ?? t('admin.compliance.sanctions.nameUnavailable')}
              <div className="admin-muted">
                {s.subjectType} {s.subjectId ?? ''}
              </div>
            </td>
            <td>
              {s.matches[0] ? (
                <>
                  {s.matches[0].listedName}
                  <div className="admin-muted">
                    {s.matches[0].source} {s.matches[0].externalId} · {s.matches[0].programs.join(', ')}
                  </div>
                </>
              ) : (
                '—'
              )}
            </td>
            <td className="admin-num">{s.topScore.toFixed(3)}</td>
            <td>
              {t(`admin.compliance.sanctions.status.${s.status}`)}
              {s.reason ? <div className="admin-muted">{s.reason}</div> : null}
            </td>
            <td>
              {canAct && s.status === 'potential_match' ? (
                <div className="admin-toolbar">
                  <input
                    value={reasons[s.id] ?? ''}
                    onChange={(e) => setReasons({ ...reasons, [s.id]: e.target.value })}
                    placeholder={t('admin.compliance.sanctions.reason')}
                    data-testid="admin-screening-reason"
                  />
                  <button
                    type="button"
                    disabled={submit.busy || !(reasons[s.id] ?? '').trim()}
                    onClick={() => void decide(s.id, 'clear')}
                    data-testid="admin-screening-clear"
                  >
                    {t('admin.compliance.sanctions.clear')}
                  </button>
                  <button
                    type="button"
                    disabled={submit.busy || !(reasons[s.id] ?? '').trim()}
                    onClick={() => void decide(s.id, 'confirm')}
                    data-testid="admin-screening-confirm"
                  >
                    {t('admin.compliance.sanctions.confirm')}
                  </button>
                </div>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
      <h3>{t('admin.compliance.sanctions.lists')}</h3>
      {lists.data?.items.length === 0 ? (
        <p className="admin-muted">{t('admin.compliance.sanctions.noLists')}</p>
      ) : null}
      <ListTable
        heads={
          <>
            <th>{t('admin.compliance.sanctions.source')}</th>
            <th>{t('admin.compliance.sanctions.published')}</th>
            <th>{t('admin.compliance.sanctions.imported')}</th>
            <th>{t('admin.compliance.sanctions.entries')}</th>
            <th>{t('admin.compliance.sanctions.active')}</th>
          </>
        }
        columns={5}
        empty={false}
      >
        {lists.data?.items.map((l) => (
          <tr key={l.id}>
            <td>{l.source}</td>
            <td>{l.publishedOn ? fmt(l.publishedOn) : '—'}</td>
            <td>{fmt(l.importedAt)}</td>
            <td className="admin-num">{l.entryCount}</td>
            <td>{l.active ? t('admin.common.yes') : t('admin.common.no')}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

interface PciItem {
  id: string;
  requirement: string;
  title: string;
  status: 'pass' | 'fail' | 'needs_manual_evidence';
  detail: string;
  fix: string | null;
}
interface PciReport {
  id: string;
  trigger: 'scheduled' | 'on_demand';
  overall: PciItem['status'];
  createdAt: string;
  items: PciItem[];
}

export function PciCheck() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const canAct = useCanAct();
  const history = useLoad(() => api<{ items: PciReport[] }>('GET', '/compliance/pci/reports'), []);
  const submit = useSubmit();
  const [shown, setShown] = useState<string | null>(null);
  const reports = history.data?.items ?? [];
  const current = reports.find((r) => r.id === shown) ?? reports[0];
  async function run() {
    const done = await submit.run(() => api<PciReport>('POST', '/compliance/pci/check'));
    if (done) {
      setShown(done.id);
      history.reload();
    }
  }
  return (
    <section data-testid="admin-pci">
      <h2>{t('admin.compliance.pci.title')}</h2>
      <ErrorBox message={history.error?.message ?? submit.error} />
      {canAct ? (
        <button
          type="button"
          className="admin-primary"
          disabled={submit.busy}
          onClick={() => void run()}
          data-testid="admin-pci-run"
        >
          {t('admin.compliance.pci.run')}
        </button>
      ) : null}
      {current ? (
        <>
          <h3>
            {t('admin.compliance.pci.overall')}:{' '}
            <span className={`admin-badge admin-pci-${current.overall}`}>
              {t(`admin.compliance.pci.status.${current.overall}`)}
            </span>{' '}
            · {fmt(current.createdAt)}
          </h3>
          <ListTable
            heads={
              <>
                <th>{t('admin.compliance.pci.requirement')}</th>
                <th>{t('admin.compliance.pci.item')}</th>
                <th>{t('admin.common.status')}</th>
                <th>{t('admin.compliance.pci.detail')}</th>
                <th>{t('admin.compliance.pci.fix')}</th>
              </>
            }
            columns={5}
            empty={false}
          >
            {current.items.map((i) => (
              <tr key={i.id} data-testid="admin-pci-item">
                <td>{i.requirement}</td>
                <td>{i.title}</td>
                <td>
                  <span className={`admin-badge admin-pci-${i.status}`}>
                    {t(`admin.compliance.pci.status.${i.status}`)}
                  </span>
                </td>
                <td>{i.detail}</td>
                <td>{i.fix ?? '—'}</td>
              </tr>
            ))}
          </ListTable>
        </>
      ) : null}
      <h3>{t('admin.compliance.pci.history')}</h3>
      <ul data-testid="admin-pci-history">
        {reports.map((r) => (
          <li key={r.id}>
            <button type="button" className="admin-link" onClick={() => setShown(r.id)}>
              {fmt(r.createdAt)} · {t(`admin.compliance.pci.trigger.${r.trigger}`)} ·{' '}
              {t(`admin.compliance.pci.status.${r.overall}`)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface PrivacyRequest {
  id: string;
  kind: 'access' | 'correction' | 'erasure' | 'withdraw_consent';
  subjectId: string;
  regime: 'gdpr' | 'pipl';
  state: 'received' | 'in_progress' | 'completed' | 'rejected';
  dueAt: string;
  overdue: boolean;
  stateReason: string | null;
}
interface RetentionRule {
  kind: string;
  keepDays: number | null;
  minDays: number;
  what: string;
}

export function PrivacyRequests() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const canAct = useCanAct();
  const list = useLoad(() => api<{ items: PrivacyRequest[] }>('GET', '/compliance/privacy/requests'), []);
  const retention = useLoad(() => api<{ items: RetentionRule[] }>('GET', '/compliance/retention'), []);
  const submit = useSubmit();
  const [kind, setKind] = useState<PrivacyRequest['kind']>('access');
  const [subject, setSubject] = useState('');
  const [days, setDays] = useState<Record<string, string>>({});

  async function create() {
    if (!subject.trim()) return;
    const done = await submit.run(() =>
      api('POST', '/compliance/privacy/requests', { kind, subjectId: subject.trim() }),
    );
    if (done) {
      setSubject('');
      list.reload();
    }
  }
  async function act(id: string, action: 'start' | 'fulfil' | 'reject') {
    const body =
      action === 'reject'
        ? { reason: window.prompt(t('admin.compliance.privacy.rejectReason')) ?? '' }
        : undefined;
    const done = await submit.run(() => api('POST', `/compliance/privacy/requests/${id}/${action}`, body));
    if (done) list.reload();
  }
  async function saveRetention(k: string) {
    const done = await submit.run(() =>
      api('PUT', `/compliance/retention/${k}`, { keepDays: Number(days[k]) }),
    );
    if (done) retention.reload();
  }
  return (
    <section data-testid="admin-privacy">
      <h2>{t('admin.compliance.privacy.title')}</h2>
      <p className="admin-muted">{t('admin.compliance.privacy.help')}</p>
      <ErrorBox message={list.error?.message ?? submit.error} />
      {canAct ? (
        <div className="admin-toolbar">
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as PrivacyRequest['kind'])}
            data-testid="admin-privacy-kind"
          >
            {(['access', 'correction', 'erasure', 'withdraw_consent'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`admin.compliance.privacy.kinds.${k}`)}
              </option>
            ))}
          </select>
          <input
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            placeholder={t('admin.compliance.privacy.subject')}
            data-testid="admin-privacy-subject"
          />
          <button
            type="button"
            disabled={submit.busy}
            onClick={() => void create()}
            data-testid="admin-privacy-create"
          >
            {t('admin.compliance.privacy.create')}
          </button>
        </div>
      ) : null}
      <ListTable
        heads={
          <>
            <th>{t('admin.compliance.privacy.kind')}</th>
            <th>{t('admin.compliance.privacy.subject')}</th>
            <th>{t('admin.compliance.privacy.regime')}</th>
            <th>{t('admin.compliance.privacy.due')}</th>
            <th>{t('admin.common.status')}</th>
            <th />
          </>
        }
        columns={6}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((r) => (
          <tr key={r.id} data-testid="admin-privacy-row">
            <td>{t(`admin.compliance.privacy.kinds.${r.kind}`)}</td>
            <td>{r.subjectId}</td>
            <td>{r.regime.toUpperCase()}</td>
            <td>
              {fmt(r.dueAt)}
              {r.overdue ? (
                <span className="admin-badge admin-severity-high">
                  {' '}
                  {t('admin.compliance.privacy.overdue')}
                </span>
              ) : null}
            </td>
            <td>
              {t(`admin.compliance.privacy.state.${r.state}`)}
              {r.stateReason ? <div className="admin-muted">{r.stateReason}</div> : null}
            </td>
            <td>
              {canAct && r.state === 'received' ? (
                <button type="button" onClick={() => void act(r.id, 'start')}>
                  {t('admin.compliance.privacy.start')}
                </button>
              ) : null}
              {canAct && r.state === 'in_progress' ? (
                <button type="button" onClick={() => void act(r.id, 'fulfil')}>
                  {t('admin.compliance.privacy.fulfil')}
                </button>
              ) : null}
              {canAct && (r.state === 'received' || r.state === 'in_progress') ? (
                <button type="button" onClick={() => void act(r.id, 'reject')}>
                  {t('admin.compliance.privacy.reject')}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
      <h3>{t('admin.compliance.privacy.retention')}</h3>
      <ListTable
        heads={
          <>
            <th>{t('admin.compliance.privacy.dataKind')}</th>
            <th>{t('admin.compliance.privacy.keepDays')}</th>
            <th>{t('admin.compliance.privacy.minDays')}</th>
            <th />
          </>
        }
        columns={4}
        empty={false}
      >
        {retention.data?.items.map((r) => (
          <tr key={r.kind} data-testid="admin-retention-row">
            <td>
              {r.kind}
              <div className="admin-muted">{r.what}</div>
            </td>
            <td>
              {canAct ? (
                <input
                  type="number"
                  min={r.minDays}
                  value={days[r.kind] ?? (r.keepDays === null ? '' : String(r.keepDays))}
                  placeholder={t('admin.compliance.privacy.notSet')}
                  onChange={(e) => setDays({ ...days, [r.kind]: e.target.value })}
                />
              ) : (
                (r.keepDays ?? t('admin.compliance.privacy.notSet'))
              )}
            </td>
            <td className="admin-num">{r.minDays}</td>
            <td>
              {canAct && days[r.kind] ? (
                <button type="button" onClick={() => void saveRetention(r.kind)}>
                  {t('admin.common.save')}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}
