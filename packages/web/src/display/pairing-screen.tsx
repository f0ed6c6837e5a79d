import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { claimPairing, DEVICE_CODE, type SavedPairing } from './pairing';

/** The register's 6-digit code, or a device code from the back office (XXXX-XXXX). */
const pairable = (value: string) => /^\d{6}$/.test(value) || DEVICE_CODE.test(value);

const KNOWN = ['unknown_pairing_code', 'pairing_expired', 'too_many_attempts'];

/** "Enter pairing code": the display trades the register's 6-digit code for a display token. */
export function PairingScreen({
  initialCode,
  notice,
  onPaired,
}: {
  initialCode: string | null;
  notice: string | null;
  onPaired: (pairing: SavedPairing) => void;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState(initialCode ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(notice);
  const input = useRef<HTMLInputElement>(null);
  const tried = useRef(false);

  async function pair(value: string) {
    if (!pairable(value) || busy) return;
    setBusy(true);
    setError(null);
    const res = await claimPairing(value);
    setBusy(false);
    if (res.ok) return onPaired(res.value);
    const { code: errCode, status, message } = res.error;
    setError(
      KNOWN.includes(errCode)
        ? t(`display.pairing.errors.${errCode}`)
        : status === 0
          ? t('display.pairing.errors.network')
          : t('display.pairing.errors.other', { message }),
    );
    setCode('');
    input.current?.focus();
  }

  // opened from the register's QR code (/display?code=123456): pair at once
  useEffect(() => {
    if (initialCode && !tried.current) {
      tried.current = true;
      void pair(initialCode);
    }
  }, [initialCode]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void pair(code);
  };

  return (
    <section className="disp-pairing" data-testid="display-pairing">
      <h1>{t('display.pairing.title')}</h1>
      <p className="disp-pairing-hint">{t('display.pairing.hint')}</p>
      <form onSubmit={submit} className="disp-pairing-form">
        <input
          ref={input}
          className="disp-code"
          data-testid="pairing-code-input"
          aria-label={t('display.pairing.code')}
          placeholder="000000"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          autoFocus
          maxLength={9}
          value={code}
          onChange={(e) => {
            const next = e.target.value
              .toUpperCase()
              .replace(/[^0-9A-Z-]/g, '')
              .slice(0, 9);
            setCode(next);
            if (/^\d{6}$/.test(next)) void pair(next);
          }}
        />
        <button
          type="submit"
          className="disp-pair-btn"
          data-testid="pairing-submit"
          disabled={busy || !pairable(code)}
        >
          {busy ? t('display.pairing.pairing') : t('display.pairing.pair')}
        </button>
      </form>
      {error ? (
        <p className="disp-pairing-error" role="alert" data-testid="pairing-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
