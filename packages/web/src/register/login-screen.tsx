import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterInfo, StoreInfo, Till } from '../offline/contract';
import { LangSwitch } from './lang-switch';
import { ErrorText } from './widgets';

const REMEMBER_KEY = 'opentill.registerId';

/** Set when someone chose the password over pairing on this browser: the pairing screen is not shown first again. */
const SKIP_PAIRING_KEY = 'opentill.pairingSkipped';

/**
 * The register's first screen. Unpaired, it asks for a pairing code from the back office
 * (first run) or a password; paired, a cashier signs in with username and PIN.
 */
export function LoginScreen({
  till,
  onSignedIn,
  onPinSignedIn,
}: {
  till: Till;
  onSignedIn: (username: string, password: string) => Promise<void>;
  onPinSignedIn: () => void;
}) {
  const { t } = useTranslation();
  const [pairing, setPairing] = useState(() => till.pairing());
  const [mode, setMode] = useState<'pair' | 'pin' | 'password'>(() =>
    till.pairing() ? 'pin' : localStorage.getItem(SKIP_PAIRING_KEY) ? 'password' : 'pair',
  );
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pin, setPin] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const switchTo = (next: 'pair' | 'pin' | 'password') => {
    setError(null);
    setMode(next);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username || !password) return;
    setBusy(true);
    setError(null);
    const result = await till.login(username.trim(), password);
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    await onSignedIn(username.trim(), password);
  };

  const submitPin = async (e: FormEvent) => {
    e.preventDefault();
    if (!username || !pin) return;
    setBusy(true);
    setError(null);
    const result = await till.pinSignIn(username.trim(), pin);
    setBusy(false);
    setPin('');
    if (!result.ok) {
      setError(result.error.message);
      // a revoked pairing is forgotten: pair again
      if (result.error.code === 'device_revoked') {
        setPairing(null);
        setMode('pair');
      }
      return;
    }
    onPinSignedIn();
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) return;
    setBusy(true);
    setError(null);
    const result = await till.pair(code);
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setCode('');
    setPairing(result.value);
    setMode('pin');
  };

  const corner = (
    <div className="reg-corner">
      <LangSwitch />
    </div>
  );

  if (mode === 'pair')
    return (
      <div className="reg-center">
        {corner}
        <form className="reg-card reg-login" onSubmit={(e) => void submitCode(e)} data-testid="pairing-form">
          <h1>{t('register.pairing.title')}</h1>
          <p>{t('register.pairing.hint')}</p>
          <label>
            {t('register.pairing.code')}
            <input
              data-testid="pairing-code"
              autoComplete="off"
              autoCapitalize="characters"
              autoFocus
              placeholder="XXXX-XXXX"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          <ErrorText message={error} />
          <button type="submit" className="reg-primary" data-testid="pairing-submit" disabled={busy}>
            {busy ? t('register.common.working') : t('register.pairing.submit')}
          </button>
          <button
            type="button"
            className="reg-link"
            data-testid="pairing-skip"
            onClick={() => {
              localStorage.setItem(SKIP_PAIRING_KEY, '1');
              switchTo('password');
            }}
          >
            {t('register.pairing.skip')}
          </button>
        </form>
      </div>
    );

  if (mode === 'pin' && pairing)
    return (
      <div className="reg-center">
        {corner}
        <form className="reg-card reg-login" onSubmit={(e) => void submitPin(e)} data-testid="pin-login-form">
          <h1>{t('register.login.pinTitle')}</h1>
          <p data-testid="paired-register">
            {t('register.login.pairedAs', {
              register: pairing.registerName ?? pairing.registerId,
              store: pairing.storeName,
            })}
          </p>
          <label>
            {t('register.login.username')}
            <input
              data-testid="pin-login-username"
              autoComplete="username"
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <label>
            {t('register.login.pin')}
            <input
              data-testid="pin-login-pin"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
            />
          </label>
          <ErrorText message={error} />
          <button type="submit" className="reg-primary" data-testid="pin-login-submit" disabled={busy}>
            {busy ? t('register.common.working') : t('register.login.pinSubmit')}
          </button>
          <button
            type="button"
            className="reg-link"
            data-testid="use-password"
            onClick={() => switchTo('password')}
          >
            {t('register.login.usePassword')}
          </button>
        </form>
      </div>
    );

  return (
    <div className="reg-center">
      {corner}
      <form className="reg-card reg-login" onSubmit={(e) => void submit(e)} data-testid="login-form">
        <h1>{t('register.login.title')}</h1>
        <label>
          {t('register.login.username')}
          <input
            data-testid="login-username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          {t('register.login.password')}
          <input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorText message={error} />
        <button type="submit" className="reg-primary" data-testid="login-submit" disabled={busy}>
          {busy ? t('register.common.working') : t('register.login.submit')}
        </button>
        {pairing ? (
          <button type="button" className="reg-link" data-testid="use-pin" onClick={() => switchTo('pin')}>
            {t('register.login.usePin')}
          </button>
        ) : (
          <button
            type="button"
            className="reg-link"
            data-testid="pairing-open"
            onClick={() => switchTo('pair')}
          >
            {t('register.pairing.open')}
          </button>
        )}
      </form>
    </div>
  );
}

/** Pick the store and register this device sells on; the choice is remembered. */
export function ChooseRegister({ till, onChosen }: { till: Till; onChosen: () => void }) {
  const { t, i18n } = useTranslation();
  const [stores, setStores] = useState<StoreInfo[]>([]);
  const [storeId, setStoreId] = useState<string | null>(null);
  const [registers, setRegisters] = useState<RegisterInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const remembered = localStorage.getItem(REMEMBER_KEY);

  useEffect(() => {
    void till.stores().then(async (list) => {
      setStores(list);
      // find the store of the remembered register, else the first store
      for (const s of list) {
        const regs = await till.registers(s.id);
        if (remembered && regs.some((r) => r.id === remembered)) {
          setStoreId(s.id);
          return;
        }
      }
      setStoreId(list[0]?.id ?? null);
    });
  }, [till, remembered]);

  useEffect(() => {
    if (storeId) void till.registers(storeId).then(setRegisters);
  }, [till, storeId]);

  const choose = async (id: string) => {
    setError(null);
    const result = await till.chooseRegister(id);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    localStorage.setItem(REMEMBER_KEY, id);
    onChosen();
  };

  const zh = i18n.language === 'zh-CN';
  return (
    <div className="reg-center">
      <div className="reg-corner">
        <LangSwitch />
      </div>
      <div className="reg-card reg-choose" data-testid="choose-register">
        <h1>{t('register.choose.title')}</h1>
        <h2>{t('register.choose.store')}</h2>
        <div className="reg-options">
          {stores.map((s) => (
            <button
              key={s.id}
              type="button"
              data-testid="store-option"
              className={s.id === storeId ? 'reg-option reg-selected' : 'reg-option'}
              onClick={() => setStoreId(s.id)}
            >
              {zh && s.nameZh ? s.nameZh : s.name} <small>{s.currency}</small>
            </button>
          ))}
        </div>
        <h2>{t('register.choose.register')}</h2>
        <div className="reg-options">
          {registers.map((r) => (
            <button
              key={r.id}
              type="button"
              data-testid="register-option"
              className={r.id === remembered ? 'reg-option reg-selected' : 'reg-option'}
              onClick={() => void choose(r.id)}
            >
              {r.name}
              {r.id === remembered ? <small> · {t('register.choose.last')}</small> : null}
            </button>
          ))}
          {storeId && registers.length === 0 ? <p>{t('register.choose.none')}</p> : null}
        </div>
        <ErrorText message={error} />
      </div>
    </div>
  );
}
