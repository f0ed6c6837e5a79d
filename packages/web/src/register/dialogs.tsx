import type { AppliedDiscount } from '@opentill/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cart, CatalogItem, ParkedTicket } from '../offline/contract';
import { allowsFraction } from './cart-ops';
import { parseAmount, parsePercentBp, parseQuantity } from './money';
import { itemName } from './names';
import { useRegister } from './register-context';
import { ErrorText, Keypad, Modal } from './widgets';

/** Quantity, or weight for items sold by kg/lb/l/m, on a keypad. */
export function QuantityDialog({
  item,
  initial,
  onDone,
  onClose,
}: {
  item: CatalogItem;
  initial: number | null;
  onDone: (quantity: number) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const fraction = allowsFraction(item);
  const [text, setText] = useState(initial === null ? '' : String(initial));
  const quantity = parseQuantity(text, fraction);
  const title = fraction
    ? t('register.qty.weightTitle', { name: itemName(item, i18n.language) })
    : t('register.qty.title', { name: itemName(item, i18n.language) });
  return (
    <Modal title={title} onClose={onClose} testId="quantity-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (quantity !== undefined) onDone(quantity);
        }}
      >
        <label>
          {fraction
            ? t('register.qty.weight', { unit: t(`register.units.${item.unit}`) })
            : t('register.qty.quantity')}
          <input
            data-testid="quantity-input"
            inputMode="decimal"
            autoFocus
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <Keypad value={text} onChange={setText} decimal={fraction} testId="qty-pad" />
        <button
          type="submit"
          className="reg-primary"
          data-testid="quantity-ok"
          disabled={quantity === undefined}
        >
          {t('register.common.ok')}
        </button>
      </form>
    </Modal>
  );
}

/** A unit price typed over the store's price (a price override; the server may ask for a manager). */
export function PriceDialog({
  title,
  current,
  onDone,
  onClose,
}: {
  title: string;
  current: number | undefined;
  onDone: (unitPrice: number | null) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { session } = useRegister();
  const currency = session.store.currency;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const amount = parseAmount(text, currency);
    if (amount === undefined || amount < 0) return setError(t('register.price.bad'));
    onDone(amount);
  };
  return (
    <Modal title={title} onClose={onClose} testId="price-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label>
          {t('register.price.label', { currency })}
          <input
            data-testid="price-value"
            inputMode="decimal"
            autoFocus
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <Keypad value={text} onChange={setText} testId="price-pad" />
        <p className="reg-muted">{t('register.price.hint')}</p>
        <ErrorText message={error} />
        <div className="reg-row">
          {current !== undefined ? (
            <button
              type="button"
              className="reg-danger-ghost"
              data-testid="price-reset"
              onClick={() => onDone(null)}
            >
              {t('register.price.reset')}
            </button>
          ) : null}
          <button type="submit" className="reg-primary" data-testid="price-apply">
            {t('register.price.apply')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** A line or order discount: an amount or a percentage, with a reason. */
export function DiscountDialog({
  title,
  current,
  onDone,
  onClose,
}: {
  title: string;
  current: AppliedDiscount | undefined;
  onDone: (discount: AppliedDiscount | null) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { session } = useRegister();
  const currency = session.store.currency;
  const [kind, setKind] = useState<'percent' | 'amount'>(current?.discount.kind ?? 'percent');
  const [text, setText] = useState('');
  const [reason, setReason] = useState(current?.reason ?? '');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    if (!reason.trim()) return setError(t('register.discount.needReason'));
    if (kind === 'percent') {
      const percentBp = parsePercentBp(text);
      if (percentBp === undefined) return setError(t('register.discount.badPercent'));
      onDone({ discount: { kind: 'percent', percentBp }, reason: reason.trim(), by: session.staff.id });
    } else {
      const amount = parseAmount(text, currency);
      if (amount === undefined || amount <= 0) return setError(t('register.discount.badAmount'));
      onDone({ discount: { kind: 'amount', amount }, reason: reason.trim(), by: session.staff.id });
    }
  };

  return (
    <Modal title={title} onClose={onClose} testId="discount-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="reg-segmented">
          <button
            type="button"
            data-testid="discount-percent"
            className={kind === 'percent' ? 'reg-selected' : ''}
            onClick={() => setKind('percent')}
          >
            {t('register.discount.percent')}
          </button>
          <button
            type="button"
            data-testid="discount-amount"
            className={kind === 'amount' ? 'reg-selected' : ''}
            onClick={() => setKind('amount')}
          >
            {t('register.discount.amount', { currency })}
          </button>
        </div>
        <label>
          {kind === 'percent' ? t('register.discount.percentLabel') : t('register.discount.amountLabel')}
          <input
            data-testid="discount-value"
            inputMode="decimal"
            autoFocus
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <Keypad value={text} onChange={setText} testId="discount-pad" />
        <label>
          {t('register.discount.reason')}
          <input data-testid="discount-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <ErrorText message={error} />
        <div className="reg-row">
          {current ? (
            <button
              type="button"
              className="reg-danger-ghost"
              data-testid="discount-remove"
              onClick={() => onDone(null)}
            >
              {t('register.discount.remove')}
            </button>
          ) : null}
          <button type="submit" className="reg-primary" data-testid="discount-apply">
            {t('register.discount.apply')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function ParkDialog({ onPark, onClose }: { onPark: (note: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  return (
    <Modal title={t('register.park.title')} onClose={onClose} testId="park-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          onPark(note.trim());
        }}
      >
        <label>
          {t('register.park.note')}
          <input data-testid="park-note" autoFocus value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" className="reg-primary" data-testid="park-confirm">
          {t('register.park.confirm')}
        </button>
      </form>
    </Modal>
  );
}

function ticketSummary(cart: Cart, language: string): string {
  return cart.lines
    .slice(0, 3)
    .map((l) => `${itemName(l.item, language)} ×${l.quantity}`)
    .join(', ');
}

export function ParkedList({
  blocked,
  onResume,
  onClose,
}: {
  blocked: boolean;
  onResume: (id: string) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { till } = useRegister();
  const [tickets, setTickets] = useState<ParkedTicket[] | null>(null);
  useEffect(() => {
    void till.parked().then(setTickets);
  }, [till]);
  return (
    <Modal title={t('register.park.listTitle')} onClose={onClose} testId="parked-list">
      {blocked ? <p className="reg-warning">{t('register.park.cartNotEmpty')}</p> : null}
      {tickets && tickets.length === 0 ? <p className="reg-muted">{t('register.park.none')}</p> : null}
      <ul className="reg-list">
        {(tickets ?? []).map((ticket) => (
          <li key={ticket.id} className="reg-ticket">
            <div>
              <strong data-testid="parked-note">{ticket.note || t('register.park.noNote')}</strong>
              <br />
              <small className="reg-muted">
                {new Date(ticket.parkedAt).toLocaleTimeString(i18n.language)} ·{' '}
                {t('register.park.lines', { count: ticket.cart.lines.length })} ·{' '}
                {ticketSummary(ticket.cart, i18n.language)}
              </small>
            </div>
            <button
              type="button"
              className="reg-primary"
              data-testid="resume-ticket"
              disabled={blocked}
              onClick={() => onResume(ticket.id)}
            >
              {t('register.park.resume')}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
