/**
 * The back office at /admin: online only, talks to /api/v1 through src/api/client.ts.
 * Routes live in the hash (#/products, #/orders/<id>, …) so the server needs no extra paths.
 *
 * Stable data-testids:
 *   shell:      admin-signin, admin-signin-username, admin-signin-password, admin-signin-submit,
 *               admin-shell, admin-nav, admin-nav-<section>, admin-menu-toggle, admin-lang,
 *               admin-signout, admin-user, admin-readonly, admin-error, admin-notice,
 *               admin-pager, admin-pager-prev, admin-pager-next
 *   dashboard:  admin-dashboard, admin-dash-store-<storeId>, admin-dash-sessions
 *   products:   admin-products, admin-products-search, admin-products-inactive, admin-products-new,
 *               admin-product-row, admin-product-form, admin-product-name, admin-product-name-zh,
 *               admin-product-category, admin-product-save, admin-product-deactivate,
 *               admin-product-add-variant, admin-variant-<i> (with -sku, -name, -name-zh, -unit,
 *               -tax, -plu, -barcodes, -price-<storeId>, -active)
 *   categories: admin-categories, admin-category-row, admin-category-form, admin-category-name,
 *               admin-category-name-zh, admin-category-save
 *   tax:        admin-tax-classes, admin-tax-row, admin-tax-form, admin-tax-code, admin-tax-name,
 *               admin-tax-rate-<storeId>, admin-tax-save
 *   stock:      admin-stock, admin-stock-store, admin-stock-search, admin-stock-row,
 *               admin-stock-action-<receive|adjust|count|transfer>, admin-stock-form,
 *               admin-stock-picker, admin-stock-picker-option, admin-stock-line-qty,
 *               admin-stock-reason, admin-stock-note, admin-stock-reference, admin-stock-to-store,
 *               admin-stock-submit, admin-stock-count-result, admin-movements, admin-movement-row
 *   staff:      admin-staff, admin-staff-row, admin-staff-form, admin-staff-username,
 *               admin-staff-display-name, admin-staff-role, admin-staff-password, admin-staff-pin,
 *               admin-staff-save
 *   stores:     admin-stores, admin-store-row, admin-store-form, admin-store-tax-mode,
 *               admin-store-tax-rounding, admin-store-rounding-mode, admin-store-cash-increment,
 *               admin-store-negative-stock, admin-store-save, admin-register-row,
 *               admin-register-name, admin-register-active, admin-register-card-limit,
 *               admin-register-save, admin-register-new-name, admin-register-add
 *   cash:       admin-cash, admin-cash-register, admin-cash-status, admin-cash-row,
 *               admin-cash-x, admin-cash-z, admin-report
 *   audit:      see audit-trail.tsx
 *   card exceptions: admin-card-exceptions, admin-card-exceptions-reload,
 *               admin-card-exception-row (data-order-id), admin-card-exception-card,
 *               admin-card-exception-code (data-code)
 *   orders:     admin-orders, admin-orders-store, admin-orders-register, admin-orders-status,
 *               admin-orders-from, admin-orders-to, admin-order-row, admin-order, admin-order-line,
 *               admin-order-payment, admin-order-refund-row, admin-refund-form,
 *               admin-refund-qty-<lineId>, admin-refund-restock-<lineId>, admin-refund-reason,
 *               admin-refund-tender, admin-refund-submit, admin-void-reason, admin-void-submit
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, setRefreshToken, setToken } from '../api/client';
import { ApprovePage, Enrol, SecondStep, SecurityPage } from './security';
import { Devices } from './devices';
import { setLanguage } from '../i18n';
import type { LoginAnswer, Me, Register, Staff, Store } from './admin-api';
import { AdminContext, type AdminSession } from './admin-context';
import { SignIn } from './sign-in';
import { Dashboard } from './dashboard';
import { Products } from './products';
import { ProductForm } from './product-form';
import { Categories } from './categories';
import { TaxClasses } from './tax-classes';
import { Stock } from './stock';
import { StockMovements } from './stock-movements';
import { StaffSection } from './staff';
import { Stores } from './stores';
import { CashSessions } from './cash-sessions';
import { Orders } from './orders';
import { OrderDetail } from './order-detail';
import { CardExceptions } from './card-exceptions';
import { AuditTrail } from './audit-trail';
import { Campaigns, Coupons, Customers, Feedback } from './members';
import { Promotions } from './promotions';
import { Analytics } from './analytics';
import { ErrorBox } from './ui';
import { AmlRules, ComplianceCases, PciCheck, PrivacyRequests, Sanctions } from './compliance/pages';
import './admin.css';

const TOKEN_KEY = 'opentill.admin.token';
const REFRESH_KEY = 'opentill.admin.refresh';

/** Keeps the refresh token beside the access token; renewed pairs replace both. */
function keepRefresh(refresh: string | null) {
  if (refresh) sessionStorage.setItem(REFRESH_KEY, refresh);
  else sessionStorage.removeItem(REFRESH_KEY);
  setRefreshToken(refresh, (pair) => {
    sessionStorage.setItem(TOKEN_KEY, pair.token);
    sessionStorage.setItem(REFRESH_KEY, pair.refreshToken);
  });
}

const sections = [
  'dashboard',
  'products',
  'categories',
  'taxClasses',
  'stock',
  'movements',
  'staff',
  'stores',
  'cash',
  'orders',
  'cardExceptions',
  'security',
  'devices',
  // a manager's phone opens #/approve/<id> from the push; not in the menu
  'approve',
  'audit',
  // compliance: owners and auditors (the API refuses managers and cashiers)
  'compliance',
  'amlRules',
  'sanctions',
  'pci',
  'privacy',
  // customers, loyalty, coupons, marketing
  'customers',
  'coupons',
  'campaigns',
  'feedback',
  'promotions',
  'analytics',
] as const;
type Section = (typeof sections)[number];
const complianceSections: ReadonlySet<Section> = new Set([
  'compliance',
  'amlRules',
  'sanctions',
  'pci',
  'privacy',
]);
const complianceNav: Partial<Record<Section, string>> = {
  compliance: 'admin.compliance.nav.cases',
  amlRules: 'admin.compliance.nav.rules',
  sanctions: 'admin.compliance.nav.sanctions',
  pci: 'admin.compliance.nav.pci',
  privacy: 'admin.compliance.nav.privacy',
};

function useHash(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => setParts(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parts;
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <button
      type="button"
      className="admin-lang"
      data-testid="admin-lang"
      onClick={() => setLanguage(i18n.language === 'zh-CN' ? 'en' : 'zh-CN')}
    >
      {t('app.language')}
    </button>
  );
}

export default function AdminApp() {
  const { t } = useTranslation();
  const [session, setSession] = useState<Omit<AdminSession, 'reload'> | null>(null);
  const [booting, setBooting] = useState(() => sessionStorage.getItem(TOKEN_KEY) !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [gate, setGate] = useState<{ level: 'mfa' | 'enrol'; methods: string[] } | null>(null);
  const hash = useHash();

  const signOut = useCallback((message: string | null = null) => {
    void api('POST', '/auth/logout');
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    keepRefresh(null);
    setGate(null);
    setSession(null);
    setNotice(message);
  }, []);

  const load = useCallback(async () => {
    const me = await api<Me>('GET', '/auth/me');
    if (!me.ok) {
      if (me.error.status === 401) signOut(t('admin.signIn.expired'));
      else setLoadError(me.error.message);
      setBooting(false);
      return;
    }
    if (me.value.role === 'cashier') {
      signOut(t('admin.signIn.cashierRefused'));
      setBooting(false);
      return;
    }
    // a second factor is still owed (or must be enrolled) before anything else loads
    if (me.value.level === 'mfa' || me.value.level === 'enrol') {
      const level = me.value.level;
      const f = await api<{ items: { kind: string }[]; recoveryCodesLeft: number }>('GET', '/auth/mfa');
      const methods = f.ok
        ? [
            ...new Set(f.value.items.map((x) => x.kind)),
            ...(f.value.recoveryCodesLeft > 0 ? ['recovery'] : []),
          ]
        : [];
      setGate({ level, methods });
      setBooting(false);
      return;
    }
    setGate(null);
    const canWrite = me.value.role === 'owner' || me.value.role === 'manager';
    const [stores, registers, staff] = await Promise.all([
      api<{ items: Store[] }>('GET', '/stores'),
      api<{ items: Register[] }>('GET', '/registers'),
      canWrite ? api<{ items: Staff[] }>('GET', '/staff') : Promise.resolve(null),
    ]);
    setBooting(false);
    if (!stores.ok || !registers.ok) {
      setLoadError((!stores.ok ? stores.error : !registers.ok ? registers.error : null)?.message ?? '');
      return;
    }
    setLoadError(null);
    setSession({
      me: me.value,
      canWrite,
      stores: stores.value.items,
      registers: registers.value.items,
      staff: staff?.ok ? staff.value.items : [],
    });
  }, [signOut, t]);

  useEffect(() => {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) {
      setToken(saved);
      keepRefresh(sessionStorage.getItem(REFRESH_KEY));
      void load();
    }
  }, [load]);

  function onToken(a: LoginAnswer) {
    sessionStorage.setItem(TOKEN_KEY, a.token);
    setToken(a.token);
    keepRefresh(a.refreshToken ?? null);
    setNotice(null);
    void load();
  }

  if (!session) {
    return (
      <div className="admin-root admin-signin-page">
        <header className="admin-topbar">
          <strong>{t('admin.title')}</strong>
          <LanguageSwitch />
        </header>
        {booting ? (
          <div className="admin-muted admin-pad">{t('app.loading')}</div>
        ) : gate?.level === 'mfa' ? (
          <SecondStep methods={gate.methods} onDone={() => void load()} onCancel={() => signOut()} />
        ) : gate?.level === 'enrol' ? (
          <Enrol onDone={() => void load()} onCancel={() => signOut()} />
        ) : (
          <SignIn onToken={onToken} notice={loadError ?? notice} />
        )}
      </div>
    );
  }

  const [first = 'dashboard', second] = hash;
  const section: Section = (sections as readonly string[]).includes(first) ? (first as Section) : 'dashboard';
  const seesCompliance = session.me.role === 'owner' || session.me.role === 'auditor';
  const visible = sections.filter(
    (s) =>
      s !== 'approve' &&
      ((s !== 'staff' && s !== 'devices') || session.canWrite) &&
      (s !== 'cardExceptions' || session.canWrite) &&
      (!complianceSections.has(s) || seesCompliance),
  );
  const ctx: AdminSession = { ...session, reload: () => void load() };

  return (
    <AdminContext.Provider value={ctx}>
      <div className="admin-root admin-shell" data-testid="admin-shell">
        <header className="admin-topbar">
          <button
            type="button"
            className="admin-menu-toggle"
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((o) => !o)}
            data-testid="admin-menu-toggle"
          >
            ☰ {t('admin.nav.menu')}
          </button>
          <strong className="admin-brand">{t('admin.title')}</strong>
          <span className="admin-user" data-testid="admin-user">
            {session.me.displayName} · {t(`admin.roles.${session.me.role}`)}
          </span>
          {!session.canWrite ? (
            <span className="admin-badge" data-testid="admin-readonly">
              {t('admin.common.readOnly')}
            </span>
          ) : null}
          <LanguageSwitch />
          <button type="button" onClick={() => signOut()} data-testid="admin-signout">
            {t('admin.signIn.signOut')}
          </button>
        </header>
        <div className="admin-body">
          <nav className={`admin-nav${menuOpen ? ' open' : ''}`} data-testid="admin-nav">
            {visible.map((s) => (
              <a
                key={s}
                href={`#/${s}`}
                className={s === section ? 'active' : ''}
                onClick={() => setMenuOpen(false)}
                data-testid={`admin-nav-${s}`}
              >
                {t(complianceNav[s] ?? `admin.nav.${s}`)}
              </a>
            ))}
          </nav>
          <main className="admin-main">
            <ErrorBox message={loadError} />
            <SectionView section={section} arg={second} />
          </main>
        </div>
      </div>
    </AdminContext.Provider>
  );
}

function SectionView({ section, arg }: { section: Section; arg: string | undefined }) {
  switch (section) {
    case 'dashboard':
      return <Dashboard />;
    case 'security':
      return <SecurityPage />;
    case 'devices':
      return <Devices />;
    case 'approve':
      return arg ? <ApprovePage id={arg} /> : <SecurityPage />;
    case 'audit':
      return <AuditTrail />;
    case 'analytics':
      return <Analytics />;
    case 'products':
      return arg ? <ProductForm key={arg} productId={arg === 'new' ? null : arg} /> : <Products />;
    case 'categories':
      return <Categories />;
    case 'taxClasses':
      return <TaxClasses />;
    case 'stock':
      return <Stock />;
    case 'movements':
      return <StockMovements variantId={arg} />;
    case 'staff':
      return <StaffSection />;
    case 'stores':
      return <Stores />;
    case 'cash':
      return <CashSessions sessionId={arg} />;
    case 'orders':
      return arg ? <OrderDetail key={arg} orderId={arg} /> : <Orders />;
    case 'cardExceptions':
      return <CardExceptions />;
    case 'compliance':
      return <ComplianceCases caseId={arg} />;
    case 'amlRules':
      return <AmlRules />;
    case 'sanctions':
      return <Sanctions />;
    case 'pci':
      return <PciCheck />;
    case 'privacy':
      return <PrivacyRequests />;
    case 'customers':
      return <Customers customerId={arg} />;
    case 'coupons':
      return <Coupons />;
    case 'campaigns':
      return <Campaigns />;
    case 'feedback':
      return <Feedback />;
    case 'promotions':
      return <Promotions />;
  }
}
