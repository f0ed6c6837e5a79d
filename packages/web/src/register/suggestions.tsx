import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Cart, CatalogItem, Till } from '../offline/contract';
import { itemName } from './names';
import { useRegister } from './register-context';

/** How many suggestions the strip shows. */
export const SUGGESTION_LIMIT = 4;
/** Quiet time after the cart's items change before asking the server. */
const DEBOUNCE_MS = 150;

/**
 * "Frequently bought together" for the cart: the server answers from mined rules (popular items
 * as the fallback); the register shows them with the local catalog's names and store prices.
 * Asked only online and only when the set of items changes, not on quantity or discount edits.
 */
export function useSuggestions(till: Till, cart: Cart, online: boolean): CatalogItem[] {
  const [items, setItems] = useState<CatalogItem[]>([]);
  const inCart = [...new Set(cart.lines.map((l) => l.item.variantId))].sort();
  const key = inCart.join(',');

  useEffect(() => {
    if (!online || key === '') {
      setItems([]);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      void (async () => {
        // ask for a few more than shown: some may not be sold in this store
        const r = await api<{ items: { variantId: string }[] }>(
          'GET',
          `/insights/recommendations?variantIds=${encodeURIComponent(key)}&limit=${SUGGESTION_LIMIT * 2}`,
        );
        if (stale) return;
        if (!r.ok) return setItems([]);
        const taken = new Set(key.split(','));
        const ids = r.value.items.map((i) => i.variantId).filter((id) => !taken.has(id));
        const local = await till.itemsByIds(ids);
        if (!stale) setItems(local.slice(0, SUGGESTION_LIMIT));
      })();
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [till, key, online]);

  return online && key !== '' ? items : [];
}

/** The strip under the cart; a tap adds the item like a product tile. */
export function SuggestionStrip({
  items,
  onPick,
}: {
  items: CatalogItem[];
  onPick: (item: CatalogItem) => void;
}) {
  const { t, i18n } = useTranslation();
  const { money } = useRegister();
  if (items.length === 0) return null;
  return (
    <section
      className="reg-suggestions"
      data-testid="suggestions"
      aria-label={t('register.suggestions.title')}
    >
      <h3>{t('register.suggestions.title')}</h3>
      <div className="reg-suggestion-list">
        {items.map((item) => (
          <button
            key={item.variantId}
            type="button"
            className="reg-suggestion"
            data-testid="suggestion"
            data-variant-id={item.variantId}
            onClick={() => onPick(item)}
          >
            <span className="reg-suggestion-name">{itemName(item, i18n.language)}</span>
            <span className="reg-suggestion-price">{item.price === null ? '' : money(item.price)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
