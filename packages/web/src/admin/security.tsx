import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import QRCode from 'qrcode';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { api, type ApiResult } from '../api/client';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Money, Notice, useFormatDate, useLoad, useSubmit } from './ui';

/**
 * Second factors in the back office: the second step of a sign-in, enrolment at first sign-in,
 * the Security page (factors, sessions, approvals waiting, approval thresholds).
 *
 * data-testids: admin-mfa, admin-mfa-code, admin-mfa-submit, admin-mfa-passkey,
 *   admin-mfa-recovery, admin-mfa-sms, admin-enrol, admin-enrol-passkey, admin-enrol-totp,
 *   admin-enrol-totp-secret, admin-enrol-totp-code, admin-enrol-totp-confirm, admin-recovery-codes,
 *   admin-enrol-continue, admin-signin-passkey, admin-security, admin-factor-row,
 *   admin-session-row, admin-approval-row, admin-approval-passkey, admin-approval-code,
 *   admin-approval-totp, admin-approval-deny, admin-policy-form, admin-policy-<field>,
 *   admin-policy-save
 */

type PasskeyRequest = Parameters<typeof startAuthentication>[0]['optionsJSON'];
type PasskeyCreation = Parameters<typeof startRegistration>[0]['optionsJSON'];

/** Asks the device for a passkey signature (the browser shows fingerprint/face/PIN). */
export async function passkeyGet(
  path: string,
  body: unknown = {},
): Promise<ApiResult<{ challengeId: string; response: unknown }>> {
  const opts = await api<{ challengeId: string; options: PasskeyRequest }>('POST', path, body);
  if (!opts.ok) return opts;
  try {
    const response = await startAuthentication({ optionsJSON: opts.value.options });
    return { ok: true, value: { challengeId: opts.value.challengeId, response } };
  } catch (e) {
    return { ok: false, error: { code: 'passkey_cancelled', message: (e as Error).message, status: 0 } };
  }
}

async function passkeyCreate(): Promise<ApiResult<{ recoveryCodes: string[] | null }>> {
  const opts = await api<{ challengeId: string; options: PasskeyCreation }>(
    'POST',
    '/auth/mfa/passkey/options',
    {},
  );
  if (!opts.ok) return opts;
  let response: unknown;
  try {
    response = await startRegistration({ optionsJSON: opts.value.options });
  } catch (e) {
    return { ok: false, error: { code: 'passkey_cancelled', message: (e as Error).message, status: 0 } };
  }
  return api('POST', '/auth/mfa/passkey', {
    challengeId: opts.value.challengeId,
    response,
    label: deviceLabel(),
  });
}

function deviceLabel(): string {
  const ua = navigator.userAgent;
  const m = /(Android|iPhone|iPad|Macintosh|Windows|Linux)/.exec(ua);
  return `Passkey (${m?.[1] ?? 'device'})`.slice(0, 100);
}

/** The second step of a sign-in that owes a factor. */
export function SecondStep({
  methods,
  onDone,
  onCancel,
}: {
  methods: string[];
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [mode, setMode] = useState<'totp' | 'recovery' | 'sms'>(
    methods.includes('totp') ? 'totp' : 'recovery',
  );
  const [sms, setSms] = useState<{ challengeId: string; sentTo: string } | null>(null);
  const { busy, error, setError, run } = useSubmit();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body =
      mode === 'sms' && sms
        ? { method: 'sms', code: code.trim(), challengeId: sms.challengeId }
        : { method: mode, code: code.trim() };
    if (await run(() => api('POST', '/auth/mfa/verify', body))) onDone();
  }
  async function passkey() {
    setError(null);
    const p = await passkeyGet('/auth/mfa/challenge');
    if (!p.ok) return setError(t('admin.security.passkeyFailed', { message: p.error.message }));
    if (await run(() => api('POST', '/auth/mfa/verify', { method: 'passkey', ...p.value }))) onDone();
  }
  async function sendSms() {
    const r = await run(() => api<{ challengeId: string; sentTo: string }>('POST', '/auth/mfa/sms/send', {}));
    if (r) {
      setSms(r);
      setMode('sms');
    }
  }

  return (
    <form className="admin-signin" onSubmit={(e) => void submit(e)} data-testid="admin-mfa">
      <h1>{t('admin.security.secondStep')}</h1>
      <p className="admin-muted">{t('admin.security.secondStepWho')}</p>
      {methods.includes('passkey') ? (
        <button
          type="button"
          className="admin-primary"
          onClick={() => void passkey()}
          disabled={busy}
          data-testid="admin-mfa-passkey"
        >
          {t('admin.security.usePasskey')}
        </button>
      ) : null}
      {sms ? <Notice message={t('admin.security.smsSent', { to: sms.sentTo })} /> : null}
      <Field
        label={
          mode === 'recovery'
            ? t('admin.security.recoveryCode')
            : mode === 'sms'
              ? t('admin.security.smsCode')
              : t('admin.security.code')
        }
      >
        <input
          autoComplete="one-time-code"
          inputMode={mode === 'recovery' ? 'text' : 'numeric'}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          data-testid="admin-mfa-code"
        />
      </Field>
      <ErrorBox message={error} />
      <button
        type="submit"
        className="admin-primary"
        disabled={busy || !code.trim()}
        data-testid="admin-mfa-submit"
      >
        {t('admin.security.verify')}
      </button>
      <div className="admin-row">
        {mode !== 'recovery' ? (
          <button type="button" onClick={() => setMode('recovery')} data-testid="admin-mfa-recovery">
            {t('admin.security.useRecovery')}
          </button>
        ) : null}
        {methods.includes('sms') ? (
          <button type="button" onClick={() => void sendSms()} disabled={busy} data-testid="admin-mfa-sms">
            {t('admin.security.sendSms')}
          </button>
        ) : null}
        <button type="button" onClick={onCancel}>
          {t('admin.security.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Adds a passkey or an authenticator app; shows the recovery codes the first time. */
export function Enrol({ onDone, onCancel }: { onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [totp, setTotp] = useState<{ factorId: string; secret: string; uri: string; qr: string } | null>(
    null,
  );
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const { busy, error, setError, run } = useSubmit();

  function finished(r: { recoveryCodes: string[] | null } | null) {
    if (!r) return;
    if (r.recoveryCodes) setCodes(r.recoveryCodes);
    else onDone();
  }
  async function passkey() {
    setError(null);
    const r = await passkeyCreate();
    if (!r.ok) return setError(t('admin.security.passkeyFailed', { message: r.error.message }));
    finished(r.value);
  }
  async function beginTotp() {
    const r = await run(() =>
      api<{ factorId: string; secret: string; uri: string }>('POST', '/auth/mfa/totp', {}),
    );
    if (r) setTotp({ ...r, qr: await QRCode.toDataURL(r.uri, { margin: 1, width: 200 }) });
  }
  async function confirmTotp(e: FormEvent) {
    e.preventDefault();
    if (!totp) return;
    finished(
      await run(() =>
        api<{ recoveryCodes: string[] | null }>('POST', '/auth/mfa/totp/confirm', {
          factorId: totp.factorId,
          code: code.trim(),
        }),
      ),
    );
  }

  if (codes) {
    return (
      <div className="admin-signin" data-testid="admin-enrol">
        <h1>{t('admin.security.recoveryTitle')}</h1>
        <p className="admin-muted">{t('admin.security.recoveryWho')}</p>
        <pre className="admin-recovery" data-testid="admin-recovery-codes">
          {codes.join('\n')}
        </pre>
        <button type="button" className="admin-primary" onClick={onDone} data-testid="admin-enrol-continue">
          {t('admin.security.continue')}
        </button>
      </div>
    );
  }
  return (
    <div className="admin-signin" data-testid="admin-enrol">
      <h1>{t('admin.security.enrolTitle')}</h1>
      <p className="admin-muted">{t('admin.security.enrolWho')}</p>
      <button
        type="button"
        className="admin-primary"
        onClick={() => void passkey()}
        disabled={busy}
        data-testid="admin-enrol-passkey"
      >
        {t('admin.security.enrolPasskey')}
      </button>
      {totp ? (
        <form onSubmit={(e) => void confirmTotp(e)}>
          <p className="admin-muted">{t('admin.security.totpScan')}</p>
          <img src={totp.qr} alt="otpauth" width={200} height={200} />
          <Field label={t('admin.security.totpKey')}>
            <code data-testid="admin-enrol-totp-secret">{totp.secret}</code>
          </Field>
          <Field label={t('admin.security.code')}>
            <input
              autoComplete="one-time-code"
              inputMode="numeric"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-testid="admin-enrol-totp-code"
            />
          </Field>
          <button
            type="submit"
            className="admin-primary"
            disabled={busy || !code.trim()}
            data-testid="admin-enrol-totp-confirm"
          >
            {t('admin.security.totpConfirm')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => void beginTotp()} disabled={busy} data-testid="admin-enrol-totp">
          {t('admin.security.enrolTotp')}
        </button>
      )}
      <ErrorBox message={error} />
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          {t('admin.security.cancel')}
        </button>
      ) : null}
    </div>
  );
}

interface Factor {
  id: string;
  kind: 'totp' | 'sms' | 'passkey';
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}
interface SessionRow {
  id: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
}
interface ApprovalRow {
  id: string;
  kind: string;
  action: { kind: string; amount?: number; currency?: string; percentBp?: number; entityId?: string };
  requestedByName: string | null;
  createdAt: string;
}
interface Policy {
  /** currency → minor units */
  refundAbove: Record<string, number>;
  void: boolean;
  priceOverride: boolean;
  discountAboveBp: number | null;
  drawerOpen: boolean;
  paidOutAbove: Record<string, number>;
  offlineLimitRaise: boolean;
}

/** The Security page: my factors and sessions; for managers the approvals and thresholds. */
export function SecurityPage() {
  const { t } = useTranslation();
  const { canWrite } = useAdmin();
  const date = useFormatDate();
  const factors = useLoad(() => api<{ items: Factor[]; recoveryCodesLeft: number }>('GET', '/auth/mfa'), []);
  const sessions = useLoad(() => api<{ items: SessionRow[]; current: string }>('GET', '/auth/sessions'), []);
  const [adding, setAdding] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const { error, run } = useSubmit();

  return (
    <section data-testid="admin-security">
      <h1>{t('admin.security.title')}</h1>
      <h2>{t('admin.security.factors')}</h2>
      <ErrorBox message={factors.error?.message ?? error} />
      <table className="admin-table">
        <tbody>
          {factors.data?.items.map((f) => (
            <tr key={f.id} data-testid="admin-factor-row">
              <td>{t(`admin.security.kinds.${f.kind}`)}</td>
              <td>{f.label}</td>
              <td>{date(f.lastUsedAt ?? f.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="admin-muted">
        {t('admin.security.recoveryLeft', { n: factors.data?.recoveryCodesLeft ?? 0 })}
      </p>
      {adding ? (
        <Enrol
          onDone={() => {
            setAdding(false);
            factors.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <div className="admin-row">
          <button type="button" onClick={() => setAdding(true)} data-testid="admin-factor-add">
            {t('admin.security.addPasskey')} / {t('admin.security.addTotp')}
          </button>
          <button
            type="button"
            onClick={() =>
              void run(() => api<{ recoveryCodes: string[] }>('POST', '/auth/mfa/recovery-codes', {})).then(
                (r) => {
                  if (r) setCodes(r.recoveryCodes);
                  factors.reload();
                },
              )
            }
          >
            {t('admin.security.newRecovery')}
          </button>
        </div>
      )}
      {codes ? <pre className="admin-recovery">{codes.join('\n')}</pre> : null}

      <h2>{t('admin.security.sessions')}</h2>
      <table className="admin-table">
        <tbody>
          {sessions.data?.items.map((s) => (
            <tr key={s.id} data-testid="admin-session-row">
              <td>{s.method}</td>
              <td>{s.ip}</td>
              <td>{(s.userAgent ?? '').slice(0, 60)}</td>
              <td>
                {t('admin.security.lastSeen')}: {date(s.lastSeenAt)}
              </td>
              <td>
                {s.id === sessions.data?.current ? (
                  t('admin.security.current')
                ) : (
                  <button
                    type="button"
                    onClick={() =>
                      void run(() => api('DELETE', `/auth/sessions/${s.id}`)).then(() => sessions.reload())
                    }
                  >
                    {t('admin.security.endSession')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {canWrite ? <Approvals /> : null}
      {canWrite ? <PolicyForm /> : null}
    </section>
  );
}

/**
 * The pending approvals, live: a long poll (GET /approvals?wait=…&known=…) answers as soon as the
 * list changes, so a new request shows up at once without reloading the page.
 */
function usePendingApprovals() {
  const [items, setItems] = useState<ApprovalRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void (async () => {
      let known: string[] = [];
      let wait = 0;
      while (live) {
        const r = await api<{ items: ApprovalRow[] }>(
          'GET',
          `/approvals?wait=${wait}&known=${encodeURIComponent(known.join(','))}`,
        );
        if (!live) return;
        if (!r.ok) {
          setError(r.error.message);
          await new Promise((resolve) => setTimeout(resolve, 3000));
          continue;
        }
        setError(null);
        setItems(r.value.items);
        known = r.value.items.map((a) => a.id);
        wait = 20;
      }
    })();
    return () => {
      live = false;
    };
  }, [tick]);
  return { items, error, reload: () => setTick((n) => n + 1) };
}

/** What an approval is about, in one line: the action, its amount or share, and the record. */
function ApprovalSummary({ a }: { a: ApprovalRow }) {
  const { t } = useTranslation();
  const date = useFormatDate();
  return (
    <>
      <strong>{t(`admin.security.actions.${a.kind}`)}</strong>{' '}
      {a.action.amount !== undefined && a.action.currency ? (
        <Money minor={a.action.amount} currency={a.action.currency} />
      ) : a.action.amount !== undefined ? (
        String(a.action.amount)
      ) : null}
      {a.action.percentBp !== undefined ? ` ${a.action.percentBp / 100} %` : ''}
      {a.action.entityId ? <span className="admin-muted"> · {a.action.entityId}</span> : null}
      <br />
      <span className="admin-muted">
        {t('admin.security.requestedBy')}: {a.requestedByName} · {date(a.createdAt)}
      </span>
    </>
  );
}

/** Approve with a passkey or an authenticator code, or refuse: on the list and on the phone page. */
function ApprovalButtons({ id, onDone }: { id: string; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const { busy, error, setError, run } = useSubmit();
  async function approvePasskey() {
    setError(null);
    const p = await passkeyGet(`/approvals/${id}/challenge`);
    if (!p.ok) return setError(t('admin.security.passkeyFailed', { message: p.error.message }));
    if (await run(() => api('POST', `/approvals/${id}/approve`, { method: 'passkey', ...p.value })))
      onDone(t('admin.security.approved'));
  }
  async function approveCode() {
    if (await run(() => api('POST', `/approvals/${id}/approve`, { method: 'totp', code: code.trim() }))) {
      setCode('');
      onDone(t('admin.security.approved'));
    }
  }
  return (
    <div className="admin-approval-buttons">
      <button
        type="button"
        className="admin-primary"
        disabled={busy}
        onClick={() => void approvePasskey()}
        data-testid="admin-approval-passkey"
      >
        {t('admin.security.approve')}
      </button>
      <input
        value={code}
        onChange={(e) => setCode(e.target.value)}
        placeholder="123456"
        inputMode="numeric"
        autoComplete="one-time-code"
        size={8}
        data-testid="admin-approval-code"
      />
      <button
        type="button"
        disabled={busy || !code.trim()}
        onClick={() => void approveCode()}
        data-testid="admin-approval-totp"
      >
        {t('admin.security.approveTotp')}
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          void run(() => api('POST', `/approvals/${id}/deny`, {})).then(
            (r) => r && onDone(t('admin.security.refused')),
          )
        }
        data-testid="admin-approval-deny"
      >
        {t('admin.security.deny')}
      </button>
      <ErrorBox message={error} />
    </div>
  );
}

/** Approvals waiting for a manager: approve with a passkey (or a code), or refuse. */
function Approvals() {
  const { t } = useTranslation();
  const list = usePendingApprovals();
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <h2>{t('admin.security.approvals')}</h2>
      <Notice message={done} />
      <ErrorBox message={list.error} />
      {list.items && list.items.length === 0 ? (
        <p className="admin-muted">{t('admin.security.noApprovals')}</p>
      ) : null}
      <table className="admin-table">
        <tbody>
          {list.items?.map((a) => (
            <tr key={a.id} data-testid="admin-approval-row" data-approval-id={a.id}>
              <td>
                <ApprovalSummary a={a} />
              </td>
              <td>
                <ApprovalButtons
                  id={a.id}
                  onDone={(m) => {
                    setDone(m);
                    list.reload();
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * The page a manager's phone opens from the push (`#/approve/<id>`): one approval, large
 * buttons, a passkey (fingerprint or face) or an authenticator code.
 */
export function ApprovePage({ id }: { id: string }) {
  const { t } = useTranslation();
  const one = useLoad(() => api<ApprovalRow & { status: string }>('GET', `/approvals/${id}`), [id]);
  const [done, setDone] = useState<string | null>(null);
  const a = one.data;
  return (
    <section className="admin-approve-page" data-testid="admin-approve-page">
      <h1>{t('admin.security.approveTitle')}</h1>
      <ErrorBox message={one.error?.message ?? null} />
      {a ? (
        <>
          <p data-testid="admin-approve-summary">
            <ApprovalSummary a={a} />
          </p>
          {done ? (
            <Notice message={done} />
          ) : a.status === 'pending' ? (
            <ApprovalButtons
              id={a.id}
              onDone={(m) => {
                setDone(m);
                one.reload();
              }}
            />
          ) : (
            <p data-testid="admin-approve-status">{t(`admin.security.status.${a.status}`)}</p>
          )}
        </>
      ) : null}
      <a href="#/security">{t('admin.security.allApprovals')}</a>
    </section>
  );
}

interface Thresholds {
  [currency: string]: number;
}

function PolicyForm() {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const loaded = useLoad(() => api<Policy>('GET', '/approvals/policy'), []);
  const [p, setP] = useState<Policy | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  useEffect(() => {
    if (loaded.data) setP(loaded.data);
  }, [loaded.data]);
  if (!p) return null;
  const num = (v: string) => (v.trim() === '' ? null : Math.max(0, Math.floor(Number(v))));
  // one threshold per currency: the stores' currencies and any the policy already names
  const currencies = [
    ...new Set([
      ...stores.map((s) => s.currency),
      ...Object.keys(p.refundAbove),
      ...Object.keys(p.paidOutAbove),
    ]),
  ].sort();
  const amountFields = (k: 'refundAbove' | 'paidOutAbove') => (
    <Field label={t(`admin.security.${k}`)}>
      <div className="admin-row">
        {currencies.map((c) => (
          <label key={c} className="admin-inline">
            {c}{' '}
            <input
              inputMode="numeric"
              size={10}
              value={p[k][c] ?? ''}
              onChange={(e) => {
                const v = num(e.target.value);
                const next: Thresholds = { ...p[k] };
                if (v === null) delete next[c];
                else next[c] = v;
                setP({ ...p, [k]: next });
              }}
              data-testid={`admin-policy-${k}-${c}`}
            />
          </label>
        ))}
      </div>
    </Field>
  );
  const numField = (k: 'discountAboveBp') => (
    <Field label={t(`admin.security.${k}`)}>
      <input
        inputMode="numeric"
        value={p[k] ?? ''}
        onChange={(e) => setP({ ...p, [k]: num(e.target.value) })}
        data-testid={`admin-policy-${k}`}
      />
    </Field>
  );
  const flag = (k: 'void' | 'priceOverride' | 'drawerOpen' | 'offlineLimitRaise', label: string) => (
    <label className="admin-check">
      <input
        type="checkbox"
        checked={p[k]}
        onChange={(e) => setP({ ...p, [k]: e.target.checked })}
        data-testid={`admin-policy-${k}`}
      />{' '}
      {label}
    </label>
  );
  return (
    <form
      data-testid="admin-policy-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => api<Policy>('PUT', '/approvals/policy', p)).then(
          (r) => r && setSaved(t('admin.common.saved')),
        );
      }}
    >
      <h2>{t('admin.security.policy')}</h2>
      {amountFields('refundAbove')}
      {flag('void', t('admin.security.voids'))}
      {flag('priceOverride', t('admin.security.priceOverride'))}
      {numField('discountAboveBp')}
      {flag('drawerOpen', t('admin.security.drawerOpen'))}
      {amountFields('paidOutAbove')}
      {flag('offlineLimitRaise', t('admin.security.offlineLimitRaise'))}
      <ErrorBox message={error} />
      <Notice message={saved} />
      <button type="submit" className="admin-primary" disabled={busy} data-testid="admin-policy-save">
        {t('admin.common.save')}
      </button>
    </form>
  );
}
