import { useTranslation } from 'react-i18next';
import { LangSwitch } from './lang-switch';
import { useRegister } from './register-context';
import { SyncBadge } from './sync-badge';
import { Kbd } from './widgets';

export type HeaderAction = 'pin' | 'refunds' | 'cash' | 'settings' | 'logout' | 'sell';

/** Always visible: where we are, who is selling, sync state, language, and the less frequent actions. */
export function HeaderBar({ onAction, view }: { onAction: (action: HeaderAction) => void; view: string }) {
  const { t, i18n } = useTranslation();
  const { session } = useRegister();
  const { store, register, staff } = session;
  return (
    <header className="reg-header">
      <div className="reg-where">
        <strong data-testid="store-name">
          {i18n.language === 'zh-CN' && store.nameZh ? store.nameZh : store.name}
        </strong>
        <span className="reg-muted" data-testid="register-name">
          {register.name}
        </span>
      </div>
      <button type="button" className="reg-staff" data-testid="pin-switch" onClick={() => onAction('pin')}>
        <span data-testid="staff-name">{staff.displayName}</span>
        <small className="reg-muted">{t(`register.roles.${staff.role}`)}</small>
        <Kbd k="F3" />
      </button>
      <nav className="reg-header-actions">
        {view !== 'sell' ? (
          <button type="button" data-testid="nav-sell" onClick={() => onAction('sell')}>
            {t('register.header.sell')}
          </button>
        ) : null}
        <button type="button" data-testid="refund-open" onClick={() => onAction('refunds')}>
          {t('register.header.refunds')} <Kbd k="F9" />
        </button>
        <button type="button" data-testid="cash-open-screen" onClick={() => onAction('cash')}>
          {t('register.header.cash')} <Kbd k="F10" />
        </button>
        <button
          type="button"
          data-testid="settings"
          onClick={() => onAction('settings')}
          aria-label={t('register.settings.title')}
        >
          ⚙
        </button>
        <button type="button" data-testid="logout" onClick={() => onAction('logout')}>
          {t('register.header.logout')}
        </button>
      </nav>
      <SyncBadge />
      <LangSwitch />
    </header>
  );
}
