import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DisplayLine, DisplaySlide, DisplayState, DisplaySuggestion } from './channel';
import { CampaignSlides, CartHints, CartOffers, FeedbackPanel } from './marketing';
import { money, quantityText } from './format';
import { QrImage } from './qr-image';
import { parseAmount } from '../register/money';

type Of<K extends DisplayState['kind']> = Extract<DisplayState, { kind: K }>;

const SLIDES = ['s1', 's2', 's3'] as const;
const SLIDE_MS = 6000;

/** No sale on: the store's name and rotating promotional slides. */
export function IdleScreen({ storeName, slides }: { storeName: string; slides?: DisplaySlide[] }) {
  if (slides && slides.length > 0) return <CampaignSlides storeName={storeName} slides={slides} />;
  return <DefaultSlides storeName={storeName} />;
}

function DefaultSlides({ storeName }: { storeName: string }) {
  const { t } = useTranslation();
  const [slide, setSlide] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setSlide((s) => (s + 1) % SLIDES.length), SLIDE_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <section className="disp-idle" data-testid="display-idle">
      <h1 className="disp-store" data-testid="display-store-name">
        {storeName || t('display.welcome')}
      </h1>
      <div className="disp-slides">
        {SLIDES.map((id, i) => (
          <article
            key={id}
            className={`disp-slide disp-slide-${id}${i === slide ? ' is-active' : ''}`}
            data-testid={i === slide ? 'display-slide' : undefined}
            aria-hidden={i !== slide}
          >
            <h2>{t(`display.slides.${id}Title`)}</h2>
            <p>{t(`display.slides.${id}Body`)}</p>
          </article>
        ))}
      </div>
      <div className="disp-dots">
        {SLIDES.map((id, i) => (
          <span key={id} className={i === slide ? 'is-active' : ''} />
        ))}
      </div>
    </section>
  );
}

/** Both names when the product has both; the one in the display's language comes first. */
function LineName({ line }: { line: DisplayLine }) {
  const { i18n } = useTranslation();
  const zhFirst = i18n.language === 'zh-CN' && line.nameZh;
  const first = zhFirst ? line.nameZh : line.name;
  const second = zhFirst ? line.name : line.nameZh;
  return (
    <div className="disp-line-names">
      <span className="disp-line-name" data-testid="display-line-name">
        {first}
      </span>
      {second && second !== first ? (
        <span className="disp-line-name2" data-testid="display-line-name2">
          {second}
        </span>
      ) : null}
    </div>
  );
}

function Amount({
  label,
  value,
  testId,
  big,
}: {
  label: string;
  value: string;
  testId: string;
  big?: boolean;
}) {
  return (
    <div className={`disp-amount${big ? ' is-big' : ''}`}>
      <span>{label}</span>
      <strong data-testid={testId}>{value}</strong>
    </div>
  );
}

/** "You may also like": products often bought with what is in the cart. */
function Suggestions({ items, currency }: { items: DisplaySuggestion[]; currency: string }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  return (
    <section className="disp-suggestions" data-testid="display-suggestions">
      <h3>{t('display.suggestions.title')}</h3>
      <ul>
        {items.map((s, i) => (
          <li key={i} data-testid="display-suggestion">
            <span>{zh && s.nameZh ? s.nameZh : s.name}</span>
            <span className="disp-suggestion-price">{money(s.price, currency)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The sale as it changes: lines scroll to the newest one, totals stay in view. */
export function CartScreen({ state }: { state: Of<'cart'> }) {
  const { t } = useTranslation();
  const listRef = useRef<HTMLOListElement>(null);
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [state]);
  const count = state.lines.reduce((n, l) => n + (l.unit === 'each' ? l.quantity : 1), 0);
  return (
    <section className="disp-cart" data-testid="display-cart">
      <header className="disp-cart-head">
        <h2>{t('display.cart.title')}</h2>
        <span data-testid="display-count">{t('display.cart.items', { count })}</span>
      </header>
      <ol className="disp-lines" ref={listRef}>
        {state.lines.map((line, i) => (
          <li
            key={i}
            className={`disp-line${i === state.lines.length - 1 ? ' is-latest' : ''}`}
            data-testid="display-line"
          >
            <LineName line={line} />
            <span className="disp-line-qty">
              {line.unit === 'each'
                ? t('display.cart.each', { quantity: quantityText(line.quantity) })
                : `${quantityText(line.quantity)} ${line.unit}`}
            </span>
            <span className="disp-line-total" data-testid="display-line-total">
              {money(line.total, state.currency)}
            </span>
          </li>
        ))}
      </ol>
      {state.offers?.length ? <CartOffers offers={state.offers} currency={state.currency} /> : null}
      {state.hints?.length ? <CartHints hints={state.hints} /> : null}
      {state.suggestions?.length ? <Suggestions items={state.suggestions} currency={state.currency} /> : null}
      <footer className="disp-totals">
        <Amount
          label={t('display.cart.subtotal')}
          value={money(state.subtotal, state.currency)}
          testId="display-subtotal"
        />
        {state.discountTotal !== 0 ? (
          <Amount
            label={t('display.cart.discount')}
            value={money(-Math.abs(state.discountTotal), state.currency)}
            testId="display-discount"
          />
        ) : null}
        <Amount
          label={t('display.cart.tax')}
          value={money(state.taxTotal, state.currency)}
          testId="display-tax"
        />
        <Amount
          label={t('display.cart.total')}
          value={money(state.total, state.currency)}
          testId="display-total"
          big
        />
      </footer>
    </section>
  );
}

/** Waiting for payment: what is due, what is paid, and the wallet QR when one is pending. */
/** Percent presets and an amount: the shopper picks, the register adds it to what is due. */
function TipChoice({
  tip,
  currency,
  onTip,
}: {
  tip: NonNullable<Of<'paying'>['tip']>;
  currency: string;
  onTip: (amount: number) => void;
}) {
  const { t } = useTranslation();
  const [other, setOther] = useState('');
  return (
    <div className="disp-tip" data-testid="display-tip">
      <h3>{t('display.paying.tipTitle')}</h3>
      <div className="disp-tip-options">
        <button
          type="button"
          data-testid="display-tip-none"
          className={tip.chosen === 0 ? 'disp-selected' : ''}
          onClick={() => onTip(0)}
        >
          {t('display.paying.noTip')}
        </button>
        {tip.presetsBp.map((bp) => {
          const amount = Math.round((tip.base * bp) / 10000);
          return (
            <button
              key={bp}
              type="button"
              data-testid="display-tip-preset"
              className={tip.chosen === amount && amount > 0 ? 'disp-selected' : ''}
              onClick={() => onTip(amount)}
            >
              {bp / 100}% · {money(amount, currency)}
            </button>
          );
        })}
      </div>
      <form
        className="disp-tip-other"
        onSubmit={(e) => {
          e.preventDefault();
          const amount = parseAmount(other, currency);
          if (amount !== undefined && amount >= 0) onTip(amount);
          setOther('');
        }}
      >
        <input
          data-testid="display-tip-other"
          inputMode="decimal"
          placeholder={t('display.paying.tipOther')}
          value={other}
          onChange={(e) => setOther(e.target.value)}
        />
        <button type="submit">{t('display.paying.tipAdd')}</button>
      </form>
      {tip.chosen > 0 ? (
        <p data-testid="display-tip-chosen">
          {t('display.paying.tipChosen', { amount: money(tip.chosen, currency) })}
        </p>
      ) : null}
    </div>
  );
}

export function PayingScreen({
  state,
  onTip = null,
}: {
  state: Of<'paying'>;
  onTip?: ((amount: number) => void) | null;
}) {
  const { t } = useTranslation();
  const remaining = Math.max(0, state.total - state.paid);
  return (
    <section className={`disp-paying${state.qr ? ' has-qr' : ''}`} data-testid="display-paying">
      <div className="disp-paying-amounts">
        <h2>{t('display.paying.title')}</h2>
        <Amount
          label={t('display.paying.due')}
          value={money(state.total, state.currency)}
          testId="display-total"
          big
        />
        {state.paid > 0 ? (
          <>
            <Amount
              label={t('display.paying.paid')}
              value={money(state.paid, state.currency)}
              testId="display-paid"
            />
            <Amount
              label={t('display.paying.remaining')}
              value={money(remaining, state.currency)}
              testId="display-remaining"
            />
          </>
        ) : null}
        {state.tip && onTip && !state.qr ? (
          <TipChoice tip={state.tip} currency={state.currency} onTip={onTip} />
        ) : null}
      </div>
      {state.qr ? (
        <figure className="disp-paying-qr">
          <QrImage text={state.qr} label={t('display.paying.scan')} testId="display-payment-qr" />
          <figcaption>{t('display.paying.scan')}</figcaption>
        </figure>
      ) : null}
    </section>
  );
}

/** After payment: the total, the change, and thanks (the app returns to idle after ~8 s). */
export function ThanksScreen({
  state,
  onDone,
  deviceToken,
}: {
  state: Of<'thanks'>;
  onDone?: () => void;
  deviceToken?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <section className="disp-thanks" data-testid="display-thanks">
      <h1>{t('display.thanks.title')}</h1>
      <p className="disp-thanks-sub">{t('display.thanks.subtitle')}</p>
      <div className="disp-thanks-amounts">
        <Amount
          label={t('display.thanks.total')}
          value={money(state.total, state.currency)}
          testId="display-total"
        />
        {state.change > 0 ? (
          <Amount
            label={t('display.thanks.change')}
            value={money(state.change, state.currency)}
            testId="display-change"
            big
          />
        ) : null}
      </div>
      {state.receiptToken ? (
        <FeedbackPanel
          token={state.receiptToken}
          source="display"
          onDone={onDone}
          deviceToken={deviceToken}
        />
      ) : null}
    </section>
  );
}
