import type { PricedCart, TenderKind } from '@opentill/core';
import { roundToIncrement, settleTenders } from '@opentill/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { channelName, isDisplayTip } from '../display/channel';
import type { Cart, LocalSale, TenderEntry } from '../offline/contract';
import { newId } from '../offline/ids';
import { publishDisplay } from './display-sync';
import { parseAmount, quickAmounts } from './money';
import { useRegister, useSyncState } from './register-context';
import { ErrorText, Kbd, Keypad } from './widgets';
import { ApprovalPrompt, type ApprovalAction } from './approval-prompt';

type Kind = Extract<TenderKind, 'cash' | 'card' | 'wallet' | 'gift_card' | 'store_credit' | 'loyalty_points'>;
const KINDS: Kind[] = ['cash', 'card', 'wallet', 'gift_card', 'store_credit'];
/** Tip presets offered on the customer display, in basis points of the total. */
const TIP_PRESETS_BP = [1000, 1500, 2000];

interface WalletPayment {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'used';
  amount: number;
  qr: string | null;
  provider: string;
}

/** Server answers that mean "this tender did not work, take another". */
const REFUSALS = new Set([
  'payment_declined',
  'payment_timeout',
  'payment_unavailable',
  'payment_cancelled',
  'insufficient_balance',
  'unknown_stored_value',
  'stored_value_blocked',
  'stored_value_expired',
  'gift_card_pin_required',
  'invalid_gift_card_pin',
  'wallet_payment_not_completed',
  'unknown_terminal',
  'offline_limit_exceeded',
]);

/**
 * Money the member's points may pay now: their value online; offline, within what is left of the
 * register's allowance after the points already taken in sales not yet synced (`usedOffline`).
 */
function pointsCap(cart: Cart, online: boolean, usedOffline: number): number {
  const m = cart.member;
  if (!m) return 0;
  const points = online ? m.points : Math.max(0, Math.min(m.points, m.offlineAllowance - usedOffline));
  const money = Math.floor((points * m.minorPerUnit) / m.pointsPerUnit);
  return online ? Math.min(money, m.pointsValue) : money;
}

const sum = (tenders: TenderEntry[], pick: (t: TenderEntry) => boolean) =>
  tenders.filter(pick).reduce((s, t) => s + t.amount, 0);

/** Take payment: cash with quick amounts and change, card with a reference, split over several tenders. */
export function PayScreen({
  cart,
  priced,
  onBack,
  onCompleted,
}: {
  cart: Cart;
  priced: PricedCart;
  onBack: () => void;
  onCompleted: (sale: LocalSale) => void;
}) {
  const { t } = useTranslation();
  const { till, session, money } = useRegister();
  const sync = useSyncState(till);
  const { store, register } = session;
  const [tenders, setTenders] = useState<TenderEntry[]>([]);
  const [kind, setKind] = useState<Kind>('cash');
  const [amountText, setAmountText] = useState('');
  const [reference, setReference] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tip, setTip] = useState(0);
  // a price override or discount the server wants a manager for, and the approvals already given
  const [approval, setApproval] = useState<ApprovalAction | null>(null);
  const [approvalIds, setApprovalIds] = useState<string[]>([]);
  const [wallet, setWallet] = useState<WalletPayment | null>(null);
  const [walletCode, setWalletCode] = useState('');
  // one order id for every try of this payment: a retry after a decline reuses the Idempotency-Key
  const [orderId] = useState(() => newId('ord'));

  // the shopper's tip choice arrives from the customer display on this machine
  useEffect(() => {
    const channel = new BroadcastChannel(channelName(register.id));
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isDisplayTip(event.data)) setTip(event.data.tip);
    };
    return () => channel.close();
  }, [register.id]);
  // … or from a customer display paired in Devices on another machine, through the server: the
  // first answer is the baseline (an earlier sale's tip), a later change is this shopper's choice
  useEffect(() => {
    let baseline: number | null | undefined;
    let live = true;
    const poll = async () => {
      if (!navigator.onLine) return;
      const r = await api<{ tip: number | null; at: number | null }>(
        'GET',
        `/display/${encodeURIComponent(register.id)}/tip`,
      );
      if (!live || !r.ok) return;
      if (baseline === undefined) baseline = r.value.at;
      else if (r.value.at !== baseline && r.value.tip !== null) {
        baseline = r.value.at;
        setTip(r.value.tip);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [register.id]);

  const total = priced.total + tip;
  const nonCash = sum(tenders, (x) => x.kind !== 'cash');
  const cashTendered = sum(tenders, (x) => x.kind === 'cash');
  const beforeCash = Math.max(0, total - nonCash);
  const cashDue = beforeCash > 0 ? roundToIncrement(beforeCash, store.cashIncrement, store.roundingMode) : 0;
  const cashLeft = Math.max(0, cashDue - cashTendered);
  const left = Math.max(0, beforeCash - cashTendered);
  const settlement = useMemo(
    () =>
      tenders.length === 0
        ? null
        : settleTenders(total, tenders, { increment: store.cashIncrement, mode: store.roundingMode }),
    [tenders, total, store.cashIncrement, store.roundingMode],
  );
  const paid = settlement?.ok === true;
  const change = settlement?.ok ? settlement.value.change : 0;

  const kinds: Kind[] = cart.member ? [...KINDS, 'loyalty_points'] : KINDS;
  const pointsUsed = sum(tenders, (x) => x.kind === 'loyalty_points');
  // points this register let customers spend in sales still waiting to sync (the offline allowance)
  const [usedOffline, setUsedOffline] = useState(0);
  const member = cart.member;
  useEffect(() => {
    if (!member || sync.online) return;
    void till.recentSales(200).then((sales) => {
      const minor = sales
        .filter((s) => s.status === 'pending')
        .flatMap((s) => s.tenders)
        .filter((x) => x.kind === 'loyalty_points')
        .reduce((a, x) => a + x.amount, 0);
      setUsedOffline(Math.ceil((minor * member.pointsPerUnit) / member.minorPerUnit));
    });
  }, [till, member, sync.online]);
  const pointsLeft = Math.max(0, pointsCap(cart, sync.online, usedOffline) - pointsUsed);
  // offline, a card is the terminal's store-and-forward read, up to the register's limit per sale
  // (read from the till: the back office may have changed it since sign-in)
  const offlineLimit = till.session()?.register.offlineCardLimit ?? register.offlineCardLimit;
  const offlineCardLeft = Math.max(
    0,
    offlineLimit - sum(tenders, (x) => x.kind === 'card' && x.offline === true),
  );
  const unavailable = (k: Kind): string | null => {
    if (k === 'cash') return null;
    if (!sync.online && (k === 'wallet' || k === 'gift_card' || k === 'store_credit'))
      return t('register.pay.needsNetwork');
    if (k === 'loyalty_points') return pointsLeft > 0 ? null : t('register.member.noPoints');
    if (!sync.online && k === 'card' && offlineCardLeft <= 0)
      return offlineLimit > 0
        ? t('register.pay.overOfflineLimit', { limit: money(offlineLimit) })
        : t('register.pay.needsNetwork');
    return null;
  };

  useEffect(() => {
    publishDisplay(register.id, {
      kind: 'paying',
      currency: priced.currency,
      total,
      paid: Math.min(total, nonCash + cashTendered),
      qr: wallet?.status === 'pending' ? wallet.qr : null,
      // the tip is offered until the first tender is taken
      tip:
        sync.online && tenders.length === 0
          ? { base: priced.total, presetsBp: TIP_PRESETS_BP, chosen: tip }
          : null,
    });
  }, [
    register.id,
    priced.currency,
    priced.total,
    total,
    nonCash,
    cashTendered,
    wallet,
    tip,
    tenders.length,
    sync.online,
  ]);

  // a pending wallet payment: long-poll the server until the shopper has paid (or not)
  useEffect(() => {
    if (!wallet || wallet.status !== 'pending') return;
    let stop = false;
    void (async () => {
      while (!stop) {
        const r = await api<WalletPayment>('GET', `/payments/wallet/${wallet.id}?waitMs=15000`);
        if (stop) return;
        if (!r.ok) {
          await new Promise((res) => setTimeout(res, 1000));
          continue;
        }
        if (r.value.status === 'pending') continue;
        setWallet(null);
        if (r.value.status === 'succeeded')
          add({ kind: 'wallet', amount: r.value.amount, reference: r.value.id });
        else setError(t('register.pay.walletFailed', { status: r.value.status }));
        return;
      }
    })();
    return () => {
      stop = true;
    };
  }, [wallet?.id, wallet?.status]);

  const startWallet = async (mode: 'merchant_presented' | 'customer_presented') => {
    const typed = amountText ? parseAmount(amountText, store.currency) : left;
    if (typed === undefined || typed <= 0 || typed > left) return setError(t('register.pay.badAmount'));
    setError(null);
    setBusy(true);
    const r = await api<WalletPayment>('POST', '/payments/wallet', {
      provider: 'sandbox',
      storeId: store.id,
      registerId: register.id,
      amount: typed,
      mode,
      ...(mode === 'customer_presented' ? { paymentCode: walletCode.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(t('register.pay.refused', { message: r.error.message }));
    setWalletCode('');
    setAmountText('');
    if (r.value.status === 'succeeded')
      add({ kind: 'wallet', amount: r.value.amount, reference: r.value.id });
    else setWallet(r.value);
  };

  const cancelWallet = async () => {
    if (!wallet) return;
    await api('POST', `/payments/wallet/${wallet.id}/cancel`);
    setWallet(null);
  };

  const checkBalance = async () => {
    if (!reference) return;
    const r = await api<{ balance: number }>('POST', '/stored-value/balance', {
      code: reference,
      ...(pin ? { pin } : {}),
    });
    if (!r.ok) return setError(r.error.message);
    setError(null);
    setNotice(t('register.pay.balance', { amount: money(r.value.balance) }));
  };

  const add = (entry: TenderEntry) => {
    setError(null);
    setNotice(null);
    setTenders((list) => [...list, entry]);
    setAmountText('');
    setReference('');
    setPin('');
  };

  const addTyped = () => {
    const typed = amountText
      ? parseAmount(amountText, store.currency)
      : kind === 'cash'
        ? cashLeft
        : kind === 'loyalty_points'
          ? Math.min(left, pointsLeft)
          : left;
    if (typed === undefined || typed <= 0) return setError(t('register.pay.badAmount'));
    if (kind !== 'cash' && typed > left) return setError(t('register.pay.tooMuch', { left: money(left) }));
    if (kind === 'loyalty_points' && typed > pointsLeft)
      return setError(t('register.member.pointsTooMuch', { max: money(pointsLeft) }));
    if (unavailable(kind)) return;
    if ((kind === 'gift_card' || kind === 'store_credit') && !reference)
      return setError(t('register.pay.code'));
    add(
      kind === 'cash'
        ? { kind, amount: typed }
        : { kind, amount: typed, ...(reference ? { reference } : {}), ...(pin ? { pin } : {}) },
    );
  };

  /** The card goes to the register's payment terminal; the server authorizes it when the sale completes. */
  const addTerminalCard = () => {
    const typed = amountText ? parseAmount(amountText, store.currency) : left;
    if (typed === undefined || typed <= 0 || typed > left) return setError(t('register.pay.badAmount'));
    add({ kind: 'card', amount: typed, terminalId: register.id });
  };

  /**
   * Offline: the terminal reads the card and keeps it (store-and-forward); the sale records the
   * terminal's reference and the masked number, and the server forwards it when the network returns.
   */
  const takeOfflineCard = async () => {
    const typed = amountText ? parseAmount(amountText, store.currency) : left;
    if (typed === undefined || typed <= 0 || typed > left) return setError(t('register.pay.badAmount'));
    if (typed > offlineCardLeft)
      return setError(
        t('register.pay.offlineCardOver', {
          limit: money(offlineLimit),
          max: money(offlineCardLeft),
        }),
      );
    setError(null);
    setBusy(true);
    const read = await till.readCardOffline(typed);
    setBusy(false);
    if (!read.ok) return setError(read.error.message);
    add({
      kind: 'card',
      amount: typed,
      terminalId: register.id,
      offline: true,
      reference: read.value.reference,
      maskedPan: read.value.maskedPan,
      brand: read.value.brand,
    });
  };

  const complete = async (ids: string[] = approvalIds) => {
    if (!paid || busy) return;
    setBusy(true);
    setError(null);
    setApproval(null);
    const result = await till.completeSale(cart, tenders, { tip, orderId, approvalIds: ids });
    setBusy(false);
    if (!result.ok) {
      const { code, message, details } = result.error as { code: string; message: string; details?: unknown };
      if (code === 'approval_required') {
        const action = (details as { action?: ApprovalAction } | undefined)?.action;
        if (action) return setApproval(action);
      }
      if (code === 'needs_manager_online') return setError(t('register.approval.offline'));
      const info = (details ?? {}) as { tender?: number; approved?: number; remaining?: number };
      if (code === 'payment_partially_approved' && info.tender !== undefined && info.approved !== undefined) {
        // keep what the card approved (the retry reuses that approval); the rest needs another tender
        const index = info.tender;
        setTenders((list) =>
          list.map((x, i) => (i === index ? { ...x, amount: info.approved ?? x.amount } : x)),
        );
        return setError(
          t('register.pay.partial', {
            approved: money(info.approved),
            remaining: money(info.remaining ?? 0),
          }),
        );
      }
      if (REFUSALS.has(code) && info.tender !== undefined) {
        const index = info.tender;
        setTenders((list) => list.filter((_, i) => i !== index));
        if (tenders[index]) setKind(tenders[index].kind as Kind);
        return setError(t('register.pay.refused', { message }));
      }
      return setError(message);
    }
    onCompleted(result.value);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onBack();
      } else if (e.key === 'F4') {
        e.preventDefault();
        if (cashLeft > 0) add({ kind: 'cash', amount: cashLeft });
      } else if (e.key === 'F8') {
        e.preventDefault();
        if (left > 0 && !unavailable('card') && !busy) {
          if (sync.online) addTerminalCard();
          else void takeOfflineCard();
        }
      } else if (e.key === 'Enter' && paid && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        void complete();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className="reg-pay-screen" data-testid="pay-screen">
      <section className="reg-pay-summary">
        <button type="button" className="reg-ghost" data-testid="pay-back" onClick={onBack} disabled={busy}>
          ← {t('register.pay.back')} <Kbd k="Esc" />
        </button>
        <dl className="reg-totals reg-big">
          <dt>{t('register.cart.total')}</dt>
          <dd data-testid="pay-total">{money(total)}</dd>
          {tip > 0 ? (
            <>
              <dt title={t('register.pay.tipFromDisplay')}>{t('register.pay.tip')}</dt>
              <dd data-testid="pay-tip">{money(tip)}</dd>
            </>
          ) : null}
          {store.cashIncrement > 1 && cashDue !== beforeCash && kind === 'cash' ? (
            <>
              <dt>{t('register.pay.cashRounded')}</dt>
              <dd data-testid="pay-cash-due">{money(cashDue)}</dd>
            </>
          ) : null}
          <dt>{t('register.pay.left')}</dt>
          <dd data-testid="pay-left">{money(paid ? 0 : kind === 'cash' ? cashLeft : left)}</dd>
          <dt className="reg-grand">{t('register.pay.change')}</dt>
          <dd className="reg-grand" data-testid="change-due">
            {money(change)}
          </dd>
        </dl>
        <ul className="reg-list" data-testid="tender-list">
          {tenders.map((entry, i) => (
            <li key={i} className="reg-tender" data-testid="tender-line">
              <span>
                {t(`register.tenders.${entry.kind}`)}
                {entry.maskedPan ? (
                  <small className="reg-muted" data-testid="tender-masked-pan">
                    {' '}
                    · {entry.brand?.toUpperCase()} {entry.maskedPan}
                  </small>
                ) : entry.reference ? (
                  <small className="reg-muted"> · {entry.reference}</small>
                ) : null}
                {entry.offline ? (
                  <small className="reg-unavailable" data-testid="tender-offline">
                    {' '}
                    {t('register.pay.offlineCardTag')}
                  </small>
                ) : null}
              </span>
              <strong>{money(entry.amount)}</strong>
              <button
                type="button"
                className="reg-danger-ghost"
                data-testid="tender-remove"
                onClick={() => setTenders((list) => list.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
        <ErrorText message={error} />
        {notice ? (
          <p className="reg-muted" data-testid="pay-notice">
            {notice}
          </p>
        ) : null}
        <button
          type="button"
          className="reg-pay"
          data-testid="complete-sale"
          disabled={!paid || busy}
          onClick={() => void complete()}
        >
          {busy ? t('register.common.working') : t('register.pay.complete')} <Kbd k="Enter" />
        </button>
      </section>
      <section className="reg-pay-entry">
        <div className="reg-segmented">
          {kinds.map((k) => (
            <button
              key={k}
              type="button"
              data-testid={`tender-${k}`}
              className={kind === k ? 'reg-selected' : ''}
              disabled={unavailable(k) !== null}
              title={unavailable(k) ?? ''}
              onClick={() => setKind(k)}
            >
              {t(`register.tenders.${k}`)}
              {k === 'card' ? <Kbd k="F8" /> : null}
              {unavailable(k) ? <small className="reg-unavailable">{unavailable(k)}</small> : null}
            </button>
          ))}
        </div>
        {kind === 'cash' ? (
          <div className="reg-quick" data-testid="quick-amounts">
            {quickAmounts(cashLeft, store.currency).map((amount, i) => (
              <button
                key={amount}
                type="button"
                className={i === 0 ? 'reg-primary' : ''}
                data-testid="quick-amount"
                data-amount={amount}
                disabled={paid}
                onClick={() => add({ kind: 'cash', amount })}
              >
                {i === 0 ? `${t('register.pay.exact')} ` : ''}
                {money(amount)}
                {i === 0 ? <Kbd k="F4" /> : null}
              </button>
            ))}
          </div>
        ) : null}
        <form
          className="reg-form"
          onSubmit={(e) => {
            e.preventDefault();
            addTyped();
          }}
        >
          <label>
            {t('register.pay.amount', { left: money(kind === 'cash' ? cashLeft : left) })}
            <input
              data-testid="tender-amount"
              inputMode="decimal"
              placeholder={money(kind === 'cash' ? cashLeft : left)}
              value={amountText}
              onChange={(e) => setAmountText(e.target.value)}
            />
          </label>
          {kind === 'loyalty_points' && cart.member ? (
            <p className="reg-muted" data-testid="points-available">
              {t('register.member.points', { points: cart.member.points, value: money(pointsLeft) })}
            </p>
          ) : null}
          {(kind === 'card' && sync.online) || kind === 'gift_card' || kind === 'store_credit' ? (
            <label>
              {kind === 'card' ? t('register.pay.reference') : t('register.pay.code')}
              <input
                data-testid={kind === 'card' ? 'card-reference' : 'tender-reference'}
                value={reference}
                autoComplete="off"
                onChange={(e) => setReference(e.target.value)}
              />
            </label>
          ) : null}
          {kind === 'gift_card' ? (
            <label>
              {t('register.pay.pin')}
              <input
                data-testid="tender-pin"
                type="password"
                inputMode="numeric"
                autoComplete="off"
                value={pin}
                onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
              />
            </label>
          ) : null}
          {kind === 'gift_card' || kind === 'store_credit' ? (
            <button
              type="button"
              data-testid="check-balance"
              disabled={!reference}
              onClick={() => void checkBalance()}
            >
              {t('register.pay.checkBalance')}
            </button>
          ) : null}
          {kind === 'card' && sync.online ? (
            <button
              type="button"
              className="reg-primary"
              data-testid="card-terminal"
              disabled={paid || busy}
              onClick={addTerminalCard}
            >
              {t('register.pay.terminal')}
            </button>
          ) : null}
          {kind === 'card' && !sync.online ? (
            <>
              <p className="reg-muted" data-testid="offline-card-note">
                {offlineLimit > 0
                  ? t('register.pay.offlineCardNote', { limit: money(offlineLimit) })
                  : t('register.pay.offlineCardNone')}
              </p>
              <button
                type="button"
                className="reg-primary"
                data-testid="card-terminal-offline"
                disabled={paid || busy || unavailable('card') !== null}
                onClick={() => void takeOfflineCard()}
              >
                {t('register.pay.terminalOffline')}
              </button>
            </>
          ) : null}
          {kind === 'wallet' ? (
            wallet ? (
              <div className="reg-wallet" data-testid="wallet-pending">
                <p>{t('register.pay.walletWaiting', { amount: money(wallet.amount) })}</p>
                <button type="button" data-testid="wallet-cancel" onClick={() => void cancelWallet()}>
                  {t('register.pay.walletCancel')}
                </button>
                {wallet.provider === 'sandbox' ? (
                  <button
                    type="button"
                    data-testid="wallet-sandbox-approve"
                    onClick={() => void api('POST', `/payments/wallet/${wallet.id}/sandbox-approve`)}
                  >
                    {t('register.pay.walletSandbox')}
                  </button>
                ) : null}
              </div>
            ) : (
              <>
                <button
                  type="button"
                  className="reg-primary"
                  data-testid="wallet-qr"
                  disabled={paid || busy}
                  onClick={() => void startWallet('merchant_presented')}
                >
                  {t('register.pay.walletQr')}
                </button>
                <label>
                  {t('register.pay.walletCode')}
                  <input
                    data-testid="wallet-code"
                    inputMode="numeric"
                    autoComplete="off"
                    value={walletCode}
                    onChange={(e) => setWalletCode(e.target.value.replace(/\D/g, ''))}
                  />
                </label>
                <button
                  type="button"
                  data-testid="wallet-charge"
                  disabled={paid || busy || walletCode.length < 10}
                  onClick={() => void startWallet('customer_presented')}
                >
                  {t('register.pay.walletCharge')}
                </button>
              </>
            )
          ) : null}
          <Keypad value={amountText} onChange={setAmountText} testId="pay-pad" />
          <button
            type="submit"
            data-testid="tender-add"
            hidden={kind === 'wallet' || (kind === 'card' && !sync.online)}
            disabled={paid || unavailable(kind) !== null}
          >
            {t('register.pay.add', { kind: t(`register.tenders.${kind}`) })}
          </button>
        </form>
      </section>
      {approval ? (
        <ApprovalPrompt
          action={approval}
          onApproved={(id) => {
            const ids = [...approvalIds, id];
            setApprovalIds(ids);
            void complete(ids);
          }}
          onClose={() => setApproval(null)}
        />
      ) : null}
    </div>
  );
}
