import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRegister } from './register-context';
import { ErrorText, Keypad, Modal } from './widgets';

/** Switch the staff member on this register with a username and PIN. */
export function PinSwitch({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { till, refreshSession, notify } = useRegister();
  const [username, setUsername] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!username || pin.length < 4) return;
    setBusy(true);
    setError(null);
    const result = await till.pinSwitch(username.trim(), pin);
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      setPin('');
      return;
    }
    refreshSession();
    notify(t('register.pin.switched', { name: result.value.displayName }));
    onClose();
  };

  return (
    <Modal title={t('register.pin.title')} onClose={onClose} testId="pin-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          {t('register.pin.username')}
          <input
            data-testid="pin-username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          {t('register.pin.pin')}
          <input
            data-testid="pin-input"
            type="password"
            inputMode="numeric"
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 12))}
          />
        </label>
        <Keypad value={pin} onChange={(v) => setPin(v.slice(0, 12))} decimal={false} testId="pin-pad" />
        <ErrorText message={error} />
        <button type="submit" className="reg-primary" data-testid="pin-submit" disabled={busy}>
          {t('register.pin.submit')}
        </button>
      </form>
    </Modal>
  );
}
