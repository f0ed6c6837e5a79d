import type { PricedCart, TenderKind } from '@opentill/core';
import { roundToIncrement, settleTenders } from '@opentill/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cart, LocalSale, TenderEntry } from '../offline/contract';
import { publishDisplay } from './display-sync';
import { parseAmount, quickAmounts } from './money';
import { useRegister, useSyncState } from './register-context';
import { ErrorText, Kbd, Keypad } from './widgets';

type Kind = Extract<TenderKind, 'cash' | 'card' | 'wallet' | 'gift_card' | 'loyalty_points'>;
const KINDS: Kind[] = ['cash', 'card', 'wallet', 'gift_card'];

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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const total = priced.total;
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
  const unavailable = (k: Kind): string | null => {
    if (k === 'cash') return null;
    if (k === 'loyalty_points') return pointsLeft > 0 ? null : t('register.member.noPoints');
    if (!sync.online && (k === 'wallet' || k === 'gift_card')) return t('register.pay.needsNetwork');
    if (!sync.online && k === 'card' && total > register.offlineCardLimit)
      return register.offlineCardLimit > 0
        ? t('register.pay.overOfflineLimit', { limit: money(register.offlineCardLimit) })
        : t('register.pay.needsNetwork');
    return null;
  };

  useEffect(() => {
    publishDisplay(register.id, {
      kind: 'paying',
      currency: priced.currency,
      total,
      paid: Math.min(total, nonCash + cashTendered),
      qr: null,
    });
  }, [register.id, priced.currency, total, nonCash, cashTendered]);

  const add = (entry: TenderEntry) => {
    setError(null);
    setTenders((list) => [...list, entry]);
    setAmountText('');
    setReference('');
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
    add(
      kind === 'cash'
        ? { kind, amount: typed }
        : { kind, amount: typed, ...(reference ? { reference } : {}) },
    );
  };

  const complete = async () => {
    if (!paid || busy) return;
    setBusy(true);
    setError(null);
    const result = await till.completeSale(cart, tenders);
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
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
        if (left > 0 && !unavailable('card')) add({ kind: 'card', amount: left });
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
                {entry.reference ? <small className="reg-muted"> · {entry.reference}</small> : null}
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
          {kind !== 'cash' && kind !== 'loyalty_points' ? (
            <label>
              {t('register.pay.reference')}
              <input
                data-testid={kind === 'card' ? 'card-reference' : 'tender-reference'}
                value={reference}
                onChange={(e) => setReference(e.target.value)}
              />
            </label>
          ) : null}
          <Keypad value={amountText} onChange={setAmountText} testId="pay-pad" />
          <button type="submit" data-testid="tender-add" disabled={paid || unavailable(kind) !== null}>
            {t('register.pay.add', { kind: t(`register.tenders.${kind}`) })}
          </button>
        </form>
      </section>
    </div>
  );
}
