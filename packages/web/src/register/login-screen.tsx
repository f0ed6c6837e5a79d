import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterInfo, StoreInfo, Till } from '../offline/contract';
import { LangSwitch } from './lang-switch';
import { ErrorText } from './widgets';

const REMEMBER_KEY = 'opentill.registerId';

export function LoginScreen({
  till,
  onSignedIn,
}: {
  till: Till;
  onSignedIn: (username: string, password: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

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

  return (
    <div className="reg-center">
      <div className="reg-corner">
        <LangSwitch />
      </div>
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
