/**
 * The cashier register at `/`. Talks to the engine only through the `Till` contract
 * (offline/contract.ts); online-only actions (refunds, cash sessions) call the API directly.
 *
 * Stable data-testid attributes for the browser tests:
 *   login:      login-form, login-username, login-password, login-submit, error
 *   register:   choose-register, store-option, register-option
 *   header:     store-name, register-name, staff-name, pin-switch, refund-open, cash-open-screen,
 *               settings, logout, nav-sell, sync-badge (data-online, data-unsynced, data-rejected),
 *               sync-unsynced, sync-rejected, rejected-list, rejected-sale, lang-switch, toast
 *   PIN:        pin-dialog, pin-username, pin-input, pin-pad(-0…9, -back), pin-submit
 *   catalog:    search-input, search-results, search-result, category-tabs, category-tab
 *               (data-category-id, "favourites"), product-grid, product-tile (data-variant-id, data-sku)
 *   hints:      promotion-hints, promotion-hint (data-promotion-id, data-variant-id, data-quantity, data-saving)
 *   cart:       cart, cart-empty, cart-line (data-variant-id, data-quantity), line-total, qty-minus,
 *               qty-value, qty-plus, line-remove, line-discount-button, line-discount, totals,
 *               subtotal, discount-total, order-discount, tax-total, total, price-error,
 *               order-discount-button, park, resume, clear-cart, pay-button
 *   dialogs:    modal-close, quantity-dialog, quantity-input, qty-pad-*, quantity-ok,
 *               discount-dialog, discount-percent, discount-amount, discount-value, discount-reason,
 *               discount-apply, discount-remove, park-dialog, park-note, park-confirm,
 *               parked-list, parked-note, resume-ticket, settings-dialog, scan-prefix,
 *               settings-save, change-register
 *   pay:        pay-screen, pay-back, pay-total, pay-cash-due, pay-left, change-due, tender-cash,
 *               tender-card, tender-wallet, tender-gift_card, quick-amounts, quick-amount
 *               (data-amount), tender-amount, card-reference, tender-reference, tender-add,
 *               tender-list, tender-line, tender-remove, complete-sale
 *   receipt:    receipt (data-order-id), receipt-line, receipt-total, receipt-change, receipt-qr,
 *               receipt-sync, print-receipt, new-sale
 *   refunds:    refund-screen, refund-back, refund-order-input, refund-find, refund-recent-order,
 *               refund-order (data-order-id), refund-order-status, refund-line (data-line-id),
 *               refund-qty-minus, refund-qty, refund-qty-plus, refund-line-all, refund-restock,
 *               refund-reason, refund-submit, refund-result
 *   cash:       cash-screen, cash-back, cash-open-form, cash-float, cash-open, cash-session,
 *               cash-unsynced, cash-x-report, cash-close-start, cash-close-form,
 *               cash-count-{cash,card,wallet,gift_card,other}, cash-close, x-report, z-report,
 *               report-net, report-expected, z-over-short
 *
 * Shortcuts: F2 search · F3 PIN switch · F4 pay (on the pay screen: exact cash) · F6 park ·
 * F7 resume · F8 order discount (pay screen: card for the rest) · F9 refunds · F10 cash session ·
 * + / − / Delete on the selected line · Enter complete sale / new sale · Esc back / close.
 * A scanner (fast keys ending in Enter, or the prefix "~" then keys then Enter) works anywhere.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken, setToken } from '../api/client';
import type { Cart, CatalogItem, LocalSale, Till } from '../offline/contract';
import { createTill } from '../offline/till';
import { addScan, emptyCart } from './cart-ops';
import { CashScreen } from './cash-screen';
import { cartDisplayState, publishDisplay } from './display-sync';
import { useShowingCampaigns } from './campaigns';
import { HeaderBar, type HeaderAction } from './header-bar';
import { ChooseRegister, LoginScreen } from './login-screen';
import { money as formatIn } from './money';
import { PayScreen } from './pay-screen';
import { PinSwitch } from './pin-switch';
import { usePromotionHints } from './promotion-hints';
import { ReceiptView } from './receipt-view';
import { RefundScreen } from './refund-screen';
import { RegisterContext, useSyncState, type RegisterContextValue, type Session } from './register-context';
import { SellingScreen } from './selling-screen';
import { SettingsDialog } from './settings-dialog';
import { useSuggestions } from './suggestions';
import { useScanner } from './use-scanner';
import './register.css';

let started: Promise<Till> | null = null;
/** One Till per page, started once (StrictMode mounts twice). */
function startTill(): Promise<Till> {
  started ??= (async () => {
    const till = createTill();
    await till.start();
    return till;
  })();
  return started;
}

export default function RegisterApp() {
  const { t } = useTranslation();
  const [till, setTill] = useState<Till | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [stage, setStage] = useState<'login' | 'choose' | 'main'>('login');

  const refreshSession = useCallback(() => {
    if (!till) return;
    const s = till.session();
    setSession(s);
    setStage(s ? 'main' : 'login');
  }, [till]);

  useEffect(() => {
    startTill().then(setTill, (e: unknown) => setFailed(String(e)));
  }, []);
  useEffect(refreshSession, [refreshSession]);

  if (failed) return <div className="reg-error">{failed}</div>;
  if (!till) return <div className="loading">{t('app.loading')}</div>;
  if (stage === 'choose') return <ChooseRegister till={till} onChosen={refreshSession} />;
  if (!session || stage === 'login')
    return (
      <LoginScreen
        till={till}
        onPinSignedIn={refreshSession}
        onSignedIn={async (username, password) => {
          // the Till's login should set the API token; if it did not, sign in to the API too
          if (!getToken()) {
            const r = await api<{ token: string }>('POST', '/auth/login', { username, password });
            if (r.ok) setToken(r.value.token);
          }
          const s = till.session();
          if (s) {
            setSession(s);
            setStage('main');
          } else setStage('choose');
        }}
      />
    );
  return (
    <Main
      till={till}
      session={session}
      refreshSession={refreshSession}
      onChangeRegister={() => setStage('choose')}
    />
  );
}

type View = 'sell' | 'pay' | 'receipt' | 'refund' | 'cash';

function cartKey(registerId: string): string {
  return `opentill.cart.${registerId}`;
}

function loadCart(registerId: string): Cart {
  try {
    const saved = localStorage.getItem(cartKey(registerId));
    return saved ? (JSON.parse(saved) as Cart) : emptyCart();
  } catch {
    return emptyCart();
  }
}

function Main({
  till,
  session,
  refreshSession,
  onChangeRegister,
}: {
  till: Till;
  session: Session;
  refreshSession: () => void;
  onChangeRegister: () => void;
}) {
  const { t, i18n } = useTranslation();
  const registerId = session.register.id;
  const [view, setView] = useState<View>('sell');
  const [cart, setCartState] = useState<Cart>(() => loadCart(registerId));
  const [sale, setSale] = useState<{ sale: LocalSale; items: Map<string, CatalogItem> } | null>(null);
  const [refundOrderId, setRefundOrderId] = useState<string | null>(null);
  const [pendingWeigh, setPendingWeigh] = useState<CatalogItem | null>(null);
  const [modal, setModal] = useState<'pin' | 'settings' | null>(null);
  const [toast, setToast] = useState<{ message: string; kind: 'info' | 'error'; at: number } | null>(null);
  const [scannerEpoch, setScannerEpoch] = useState(0);

  const notify = useCallback((message: string, kind: 'info' | 'error' = 'info') => {
    setToast({ message, kind, at: Date.now() });
  }, []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), toast.kind === 'error' ? 6000 : 3000);
    return () => clearTimeout(timer);
  }, [toast]);

  const setCart = useCallback(
    (update: (c: Cart) => Cart) =>
      setCartState((c) => {
        const next = update(c);
        localStorage.setItem(cartKey(registerId), JSON.stringify(next));
        return next;
      }),
    [registerId],
  );

  const pricing = useMemo(() => (cart.lines.length === 0 ? null : till.price(cart)), [till, cart]);
  const priced = pricing?.ok ? pricing.value : null;
  const priceError = pricing && !pricing.ok ? pricing.error.message : null;

  const storeName =
    i18n.language === 'zh-CN' && session.store.nameZh ? session.store.nameZh : session.store.name;
  const campaigns = useShowingCampaigns(session.store.id);
  const { online } = useSyncState(till);
  const suggestions = useSuggestions(till, cart, online);
  const hints = usePromotionHints(till, cart, priced);
  useEffect(() => {
    if (view === 'sell')
      publishDisplay(registerId, cartDisplayState(cart, priced, storeName, campaigns, suggestions, hints));
  }, [view, cart, priced, registerId, storeName, campaigns, suggestions, hints]);

  const ctx: RegisterContextValue = useMemo(
    () => ({
      till,
      session,
      money: (minor: number) => formatIn(minor, session.store),
      refreshSession,
      notify,
    }),
    [till, session, refreshSession, notify],
  );

  const scanToCart = useCallback(
    async (code: string) => {
      const result = await till.scan(code);
      if (!result.ok)
        return notify(t('register.scan.unknown', { code, message: result.error.message }), 'error');
      const scanned = result.value;
      if (scanned.item.price === null && scanned.kind === 'item')
        return notify(t('register.scan.notSold', { code }), 'error');
      if (scanned.kind === 'item' && scanned.item.unit !== 'each' && scanned.item.unit !== 'g') {
        setPendingWeigh(scanned.item);
        return;
      }
      setCart((c) => addScan(c, scanned));
    },
    [till, notify, t, setCart],
  );

  const onScan = useCallback(
    (code: string) => {
      if (code.startsWith('ord_')) {
        setRefundOrderId(code);
        setView('refund');
        return;
      }
      if (view === 'refund') {
        setRefundOrderId(code);
        return;
      }
      if (view === 'receipt') {
        setSale(null);
        setView('sell');
        void scanToCart(code);
        return;
      }
      if (view === 'sell') void scanToCart(code);
      else notify(t('register.scan.ignored'), 'error');
    },
    [view, scanToCart, notify, t],
  );
  useScanner(onScan, scannerEpoch);

  const logout = async () => {
    const state = till.sync();
    if (state.unsynced > 0) return notify(t('register.logout.blocked', { count: state.unsynced }), 'error');
    const r = await till.logout();
    if (!r.ok) {
      return notify(
        r.error.code === 'unsynced_sales'
          ? t('register.logout.blocked', { count: till.sync().unsynced })
          : r.error.message,
        'error',
      );
    }
    setToken(null);
    refreshSession();
  };

  const onAction = (action: HeaderAction) => {
    if (action === 'pin') setModal('pin');
    else if (action === 'settings') setModal('settings');
    else if (action === 'logout') void logout();
    else if (action === 'refunds') {
      setRefundOrderId(null);
      setView('refund');
    } else if (action === 'cash') setView('cash');
    else if (action === 'sell') setView(sale ? 'receipt' : 'sell');
  };

  useEffect(() => {
    if (modal) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F3') {
        e.preventDefault();
        setModal('pin');
      } else if (e.key === 'F9' && view !== 'pay') {
        e.preventDefault();
        setRefundOrderId(null);
        setView('refund');
      } else if (e.key === 'F10' && view !== 'pay') {
        e.preventDefault();
        setView('cash');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [modal, view]);

  const completed = (done: LocalSale) => {
    const items = new Map(cart.lines.map((l) => [l.item.variantId, l.item]));
    setSale({ sale: done, items });
    setCart(() => emptyCart());
    publishDisplay(registerId, {
      kind: 'thanks',
      currency: done.priced.currency,
      total: done.priced.total,
      change: done.change,
      receiptToken: (done.body as { receiptToken?: string } | null)?.receiptToken ?? null,
    });
    setView('receipt');
  };

  const newSale = useCallback(() => {
    setSale(null);
    setView('sell');
  }, []);
  const back = useCallback(() => setView('sell'), []);

  return (
    <RegisterContext.Provider value={ctx}>
      <div className="reg-app" data-testid="register" data-view={view}>
        <HeaderBar view={view} onAction={onAction} />
        <main className="reg-main">
          {view === 'sell' ? (
            <SellingScreen
              cart={cart}
              setCart={setCart}
              priced={priced}
              priceError={priceError}
              onPay={() => setView('pay')}
              onCodeEntered={(code) => (code.startsWith('ord_') ? onScan(code) : void scanToCart(code))}
              pendingWeigh={pendingWeigh}
              clearPendingWeigh={() => setPendingWeigh(null)}
              modalOpen={modal !== null}
              suggestions={suggestions}
              hints={hints}
            />
          ) : null}
          {view === 'pay' && priced ? (
            <PayScreen cart={cart} priced={priced} onBack={back} onCompleted={completed} />
          ) : null}
          {view === 'receipt' && sale ? (
            <ReceiptView sale={sale.sale} items={sale.items} onNewSale={newSale} />
          ) : null}
          {view === 'refund' ? <RefundScreen initialOrderId={refundOrderId} onBack={back} /> : null}
          {view === 'cash' ? <CashScreen onBack={back} /> : null}
        </main>
        {toast ? (
          <div
            className={`reg-toast reg-toast-${toast.kind}`}
            role="status"
            data-testid="toast"
            key={toast.at}
          >
            {toast.message}
          </div>
        ) : null}
        {modal === 'pin' ? <PinSwitch onClose={() => setModal(null)} /> : null}
        {modal === 'settings' ? (
          <SettingsDialog
            onClose={() => setModal(null)}
            onChangeRegister={() => {
              setModal(null);
              onChangeRegister();
            }}
            onPrefixChanged={() => setScannerEpoch((n) => n + 1)}
          />
        ) : null}
      </div>
    </RegisterContext.Provider>
  );
}
