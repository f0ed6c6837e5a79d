import type { PricedCart } from '@opentill/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cart, CartHint, Till } from '../offline/contract';
import { itemName } from './names';
import { useRegister } from './register-context';

/**
 * The till's promotion hints for the cart, worked out just after the cart is drawn (with many
 * promotions they take a few tens of milliseconds), and only for a cart that prices.
 */
export function usePromotionHints(till: Till, cart: Cart, priced: PricedCart | null): CartHint[] {
  const [hints, setHints] = useState<CartHint[]>([]);
  useEffect(() => {
    if (!priced) {
      setHints([]);
      return;
    }
    const timer = setTimeout(() => setHints(till.promotionHints(cart)), 0);
    return () => clearTimeout(timer);
  }, [till, cart, priced]);
  return priced ? hints : [];
}

/**
 * Promotions the cart nearly gets, under the cart: "Add 1 × Latte — Second latte half price: save
 * ¥16.00". Computed by the till from the cached promotions and the local catalog, so offline too.
 * A tap adds the item (as many as the hint says) the way a product tile does.
 *
 * data-testid: promotion-hints, promotion-hint (data-promotion-id, data-variant-id, data-quantity,
 * data-saving)
 */
export function PromotionHintStrip({ hints, onAdd }: { hints: CartHint[]; onAdd: (hint: CartHint) => void }) {
  const { t, i18n } = useTranslation();
  const { money } = useRegister();
  if (hints.length === 0) return null;
  const zh = i18n.language === 'zh-CN';
  return (
    <section className="reg-hints" data-testid="promotion-hints" aria-label={t('register.hints.title')}>
      <h3>{t('register.hints.title')}</h3>
      <div className="reg-hint-list">
        {hints.map((h) => (
          <button
            key={h.promotionId}
            type="button"
            className="reg-hint"
            data-testid="promotion-hint"
            data-promotion-id={h.promotionId}
            data-variant-id={h.add.variantId}
            data-quantity={h.add.quantity}
            data-saving={h.saving}
            onClick={() => onAdd(h)}
          >
            <span>
              {t('register.hints.add', { quantity: h.add.quantity, name: itemName(h.item, i18n.language) })}
            </span>
            <span className="reg-hint-promotion">{zh && h.nameZh ? h.nameZh : h.name}</span>
            <span className="reg-hint-saving">
              {h.saving > 0
                ? t('register.hints.save', { amount: money(h.saving) })
                : t('register.hints.points', { points: h.bonusPoints })}
            </span>
          </button>
        ))}
      </div>
    </section>
  );
}
