import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { LoginAnswer } from './admin-api';
import { ErrorBox, Field } from './ui';
import { passkeyGet } from './security';

/** Username and password; the token is handed to `onToken`. */
export function SignIn({ onToken, notice }: { onToken: (a: LoginAnswer) => void; notice: string | null }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t('admin.signIn.required'));
      return;
    }
    setBusy(true);
    setError(null);
    const r = await api<LoginAnswer>('POST', '/auth/login', { username: username.trim(), password });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.status === 0 ? t('admin.common.offline') : r.error.message);
      return;
    }
    onToken(r.value);
  }

  /** Passwordless: the passkey alone (possession + the device's fingerprint, face or PIN). */
  async function passkey() {
    setBusy(true);
    setError(null);
    const p = await passkeyGet('/auth/passkey/options');
    const r = p.ok ? await api<LoginAnswer>('POST', '/auth/passkey/login', p.value) : p;
    setBusy(false);
    if (!r.ok) {
      setError(
        r.error.status === 0
          ? t('admin.security.passkeyFailed', { message: r.error.message })
          : r.error.message,
      );
      return;
    }
    onToken(r.value);
  }

  return (
    <form className="admin-signin" onSubmit={(e) => void submit(e)} data-testid="admin-signin">
      <h1>{t('admin.signIn.title')}</h1>
      <p className="admin-muted">{t('admin.signIn.who')}</p>
      <Field label={t('admin.signIn.username')}>
        <input
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="admin-signin-username"
        />
      </Field>
      <Field label={t('admin.signIn.password')}>
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="admin-signin-password"
        />
      </Field>
      <ErrorBox message={error ?? notice} />
      <button type="submit" className="admin-primary" disabled={busy} data-testid="admin-signin-submit">
        {t('admin.signIn.submit')}
      </button>
      <button type="button" disabled={busy} onClick={() => void passkey()} data-testid="admin-signin-passkey">
        {t('admin.security.passkeySignIn')}
      </button>
    </form>
  );
}
