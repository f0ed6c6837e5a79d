import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { startAuthentication } from '@simplewebauthn/browser';
import { api } from '../api/client';
import { ErrorText, Modal } from './widgets';

/** The action a route refused with `approval_required` (its `details.action`). */
export interface ApprovalAction {
  kind: string;
  amount?: number;
  currency?: string;
  percentBp?: number;
  entityId?: string;
}

type Options = Parameters<typeof startAuthentication>[0]['optionsJSON'];

/**
 * "Manager approval": asks the server for an approval of exactly this action, then either a
 * manager approves here (username + PIN + passkey or authenticator code) or remotely from the
 * back office or a phone, which this dialog notices through a long poll. `onApproved` gets the approval id
 * the action is retried with (header x-approval-id).
 *
 * data-testids: approval-prompt, approval-username, approval-pin, approval-code,
 *   approval-code-submit, approval-passkey, approval-waiting
 */
export function ApprovalPrompt({
  action,
  onApproved,
  onClose,
}: {
  action: ApprovalAction;
  onApproved: (approvalId: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [id, setId] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [pin, setPin] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const done = useRef(false);

  useEffect(() => {
    let live = true;
    void api<{ id: string }>('POST', '/approvals', action).then((r) => {
      if (!live) return;
      if (r.ok) setId(r.value.id);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [action]);

  // a manager may approve from the back office or a phone: a long poll answers the moment they do
  useEffect(() => {
    if (!id) return;
    let live = true;
    void (async () => {
      while (live && !done.current) {
        const r = await api<{ status: string }>('GET', `/approvals/${id}?wait=20`);
        if (!live || done.current) return;
        if (!r.ok) {
          await new Promise((resolve) => setTimeout(resolve, 2000));
          continue;
        }
        if (r.value.status === 'approved') return finish(id);
        if (r.value.status === 'denied') return setError(t('register.approval.denied'));
        if (r.value.status === 'expired') return setError(t('register.approval.expired'));
      }
    })();
    return () => {
      live = false;
    };
  }, [id]);

  function finish(approvalId: string) {
    if (done.current) return;
    done.current = true;
    onApproved(approvalId);
  }

  async function approve(body: Record<string, unknown>) {
    if (!id) return;
    setBusy(true);
    setError(null);
    const r = await api('POST', `/approvals/${id}/approve`, { username: username.trim(), pin, ...body });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    finish(id);
  }

  async function passkey() {
    if (!id || !username.trim() || !pin) return setError(t('register.approval.needManager'));
    setBusy(true);
    setError(null);
    const ch = await api<{ challengeId: string; options: Options }>('POST', `/approvals/${id}/challenge`, {
      username: username.trim(),
    });
    if (!ch.ok) {
      setBusy(false);
      return setError(ch.error.message);
    }
    try {
      const response = await startAuthentication({ optionsJSON: ch.value.options });
      setBusy(false);
      await approve({ method: 'passkey', challengeId: ch.value.challengeId, response });
    } catch (e) {
      setBusy(false);
      setError(t('register.approval.passkeyFailed', { message: (e as Error).message }));
    }
  }

  return (
    <Modal title={t('register.approval.title')} onClose={onClose} testId="approval-prompt">
      <p className="reg-muted">
        {t(`register.approval.kinds.${action.kind}`, { defaultValue: action.kind })}
      </p>
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!username.trim() || !pin || !code.trim()) return setError(t('register.approval.needManager'));
          void approve({ method: 'totp', code: code.trim() });
        }}
      >
        <label>
          {t('register.approval.manager')}
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            data-testid="approval-username"
          />
        </label>
        <label>
          {t('register.approval.pin')}
          <input
            type="password"
            inputMode="numeric"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            data-testid="approval-pin"
          />
        </label>
        <button
          type="button"
          className="reg-primary"
          disabled={busy || !id}
          onClick={() => void passkey()}
          data-testid="approval-passkey"
        >
          {t('register.approval.passkey')}
        </button>
        <label>
          {t('register.approval.code')}
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            data-testid="approval-code"
          />
        </label>
        <button type="submit" disabled={busy || !id} data-testid="approval-code-submit">
          {t('register.approval.withCode')}
        </button>
      </form>
      <p className="reg-muted" data-testid="approval-waiting">
        {id ? t('register.approval.waiting') : t('app.loading')}
      </p>
      <ErrorText message={error} />
    </Modal>
  );
}
