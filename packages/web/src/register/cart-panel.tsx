import type { AppliedDiscount, PricedCart, PricedLine } from '@opentill/core';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cart, CartLine } from '../offline/contract';
import { itemName } from './names';
import { useRegister } from './register-context';
import { Kbd } from './widgets';

export function discountLabel(d: AppliedDiscount, money: (minor: number) => string): string {
  return d.discount.kind === 'percent'
    ? `${(d.discount.percentBp / 100).toString()}%`
    : money(d.discount.amount);
}

function formatQty(line: CartLine, locale: string): string {
  return line.quantity.toLocaleString(locale, { maximumFractionDigits: 3 });
}

function Line({
  line,
  priced,
  selected,
  onSelect,
  onBump,
  onQuantity,
  onRemove,
  onDiscount,
  onPrice,
  canDiscount,
}: {
  line: CartLine;
  priced: PricedLine | undefined;
  selected: boolean;
  onSelect: () => void;
  onBump: (direction: 1 | -1) => void;
  onQuantity: () => void;
  onRemove: () => void;
  onDiscount: () => void;
  onPrice: () => void;
  canDiscount: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { money } = useRegister();
  const fixed = line.priceOverride !== undefined;
  return (
    <li
      className={selected ? 'reg-line reg-selected' : 'reg-line'}
      data-testid="cart-line"
      data-variant-id={line.item.variantId}
      data-quantity={line.quantity}
      onClick={onSelect}
    >
      <div className="reg-line-main">
        <span className="reg-line-name">{itemName(line.item, i18n.language)}</span>
        <span className="reg-line-total" data-testid="line-total">
          {priced ? money(priced.total) : '—'}
        </span>
      </div>
      <div className="reg-line-sub">
        <span className="reg-muted">
          {fixed
            ? t('register.cart.labelPrice')
            : `${money(line.unitPrice ?? line.item.price ?? 0)}${line.item.unit === 'each' ? '' : ` / ${t(`register.units.${line.item.unit}`)}`}`}
        </span>
        {line.unitPrice !== undefined ? (
          <span className="reg-discount-tag" data-testid="line-price-override">
            {t('register.price.overridden', { price: money(line.item.price ?? 0) })}
          </span>
        ) : null}
        {line.discount ? (
          <span className="reg-discount-tag" data-testid="line-discount">
            −{discountLabel(line.discount, money)} · {line.discount.reason}
            {priced ? ` (−${money(priced.lineDiscount)})` : ''}
          </span>
        ) : null}
      </div>
      <div className="reg-line-actions">
        <button
          type="button"
          data-testid="qty-minus"
          disabled={fixed}
          onClick={(e) => {
            e.stopPropagation();
            onBump(-1);
          }}
          aria-label={t('register.cart.less')}
        >
          −
        </button>
        <button
          type="button"
          className="reg-qty"
          data-testid="qty-value"
          disabled={fixed}
          onClick={(e) => {
            e.stopPropagation();
            onQuantity();
          }}
        >
          {formatQty(line, i18n.language)}
          {line.item.unit === 'each' ? '' : ` ${t(`register.units.${line.item.unit}`)}`}
        </button>
        <button
          type="button"
          data-testid="qty-plus"
          disabled={fixed}
          onClick={(e) => {
            e.stopPropagation();
            onBump(1);
          }}
          aria-label={t('register.cart.more')}
        >
          +
        </button>
        {canDiscount ? (
          <button
            type="button"
            data-testid="line-discount-button"
            onClick={(e) => {
              e.stopPropagation();
              onDiscount();
            }}
          >
            %
          </button>
        ) : null}
        {canDiscount && !fixed ? (
          <button
            type="button"
            data-testid="line-price-button"
            aria-label={t('register.price.change')}
            onClick={(e) => {
              e.stopPropagation();
              onPrice();
            }}
          >
            ¤
          </button>
        ) : null}
        <button
          type="button"
          className="reg-danger-ghost"
          data-testid="line-remove"
          aria-label={t('register.cart.remove')}
          onClick={(e) => {
            e.stopPropagation();
            onRemove();
          }}
        >
          ✕
        </button>
      </div>
    </li>
  );
}

export function CartPanel(props: {
  cart: Cart;
  priced: PricedCart | null;
  priceError: string | null;
  selectedLineId: string | null;
  canDiscount: boolean;
  onSelect: (lineId: string) => void;
  onBump: (lineId: string, direction: 1 | -1) => void;
  onQuantity: (lineId: string) => void;
  onRemove: (lineId: string) => void;
  onLineDiscount: (lineId: string) => void;
  onLinePrice: (lineId: string) => void;
  onOrderDiscount: () => void;
  onClear: () => void;
  onPark: () => void;
  onResume: () => void;
  onPay: () => void;
  parkedCount: number;
}) {
  const { t, i18n } = useTranslation();
  const { money, session } = useRegister();
  const { cart, priced } = props;
  const zh = i18n.language === 'zh-CN';
  const empty = cart.lines.length === 0;
  const orderDiscount = cart.orderDiscounts[0];
  return (
    <section className="reg-cart" data-testid="cart">
      <ul className="reg-lines">
        {cart.lines.map((line) => (
          <Line
            key={line.lineId}
            line={line}
            priced={priced?.lines.find((p) => p.lineId === line.lineId)}
            selected={line.lineId === props.selectedLineId}
            onSelect={() => props.onSelect(line.lineId)}
            onBump={(d) => props.onBump(line.lineId, d)}
            onQuantity={() => props.onQuantity(line.lineId)}
            onRemove={() => props.onRemove(line.lineId)}
            onDiscount={() => props.onLineDiscount(line.lineId)}
            onPrice={() => props.onLinePrice(line.lineId)}
            canDiscount={props.canDiscount}
          />
        ))}
        {empty ? (
          <li className="reg-empty" data-testid="cart-empty">
            {t('register.cart.empty')}
          </li>
        ) : null}
      </ul>
      {props.priceError ? (
        <p className="reg-error" role="alert" data-testid="price-error">
          {props.priceError}
        </p>
      ) : null}
      <dl className="reg-totals" data-testid="totals">
        <dt>{t('register.cart.subtotal')}</dt>
        <dd data-testid="subtotal">{money(priced?.subtotal ?? 0)}</dd>
        {orderDiscount ? (
          <>
            <dt>{t('register.cart.orderDiscount', { reason: orderDiscount.reason })}</dt>
            <dd data-testid="order-discount">−{discountLabel(orderDiscount, money)}</dd>
          </>
        ) : null}
        {/* each promotion by its name, as the receipt prints it */}
        {(priced?.promotions ?? [])
          .filter((p) => p.amount > 0)
          .map((p) => (
            <Fragment key={p.id}>
              <dt data-testid="promotion-name">{zh && p.nameZh ? p.nameZh : p.name}</dt>
              <dd data-testid="promotion-amount">−{money(p.amount)}</dd>
            </Fragment>
          ))}
        <dt>{t('register.cart.discounts')}</dt>
        <dd data-testid="discount-total">−{money(priced?.discountTotal ?? 0)}</dd>
        <dt>
          {session.store.taxMode === 'inclusive' ? t('register.cart.taxIncluded') : t('register.cart.tax')}
        </dt>
        <dd data-testid="tax-total">{money(priced?.taxTotal ?? 0)}</dd>
        <dt className="reg-grand">{t('register.cart.total')}</dt>
        <dd className="reg-grand" data-testid="total">
          {money(priced?.total ?? 0)}
        </dd>
      </dl>
      <div className="reg-cart-actions">
        {props.canDiscount ? (
          <button
            type="button"
            data-testid="order-discount-button"
            disabled={empty}
            onClick={props.onOrderDiscount}
          >
            {t('register.cart.discountOrder')} <Kbd k="F8" />
          </button>
        ) : null}
        <button type="button" data-testid="park" disabled={empty} onClick={props.onPark}>
          {t('register.cart.park')} <Kbd k="F6" />
        </button>
        <button type="button" data-testid="resume" onClick={props.onResume}>
          {t('register.cart.resume')}
          {props.parkedCount > 0 ? <span className="reg-count">{props.parkedCount}</span> : null}{' '}
          <Kbd k="F7" />
        </button>
        <button
          type="button"
          className="reg-danger-ghost"
          data-testid="clear-cart"
          disabled={empty}
          onClick={props.onClear}
        >
          {t('register.cart.clear')}
        </button>
      </div>
      <button
        type="button"
        className="reg-pay"
        data-testid="pay-button"
        disabled={empty || !priced}
        onClick={props.onPay}
      >
        {t('register.cart.pay')} {priced ? money(priced.total) : ''} <Kbd k="F4" />
      </button>
    </section>
  );
}
