import type { PricedCart } from '@opentill/core';
import { displayPublisher, type DisplayPublisher, type DisplayState } from '../display/channel';
import type { Cart, CartHint, CatalogItem } from '../offline/contract';
import { cartHints, type ShowingCampaign } from './campaigns';

let current: { registerId: string; publisher: DisplayPublisher } | null = null;

/** Sends a state to the customer displays paired with this register (one channel per register). */
export function publishDisplay(registerId: string, state: DisplayState): void {
  if (current?.registerId !== registerId) {
    current?.publisher.close();
    current = { registerId, publisher: displayPublisher(registerId) };
  }
  current.publisher.publish(state);
}

export function cartDisplayState(
  cart: Cart,
  priced: PricedCart | null,
  storeName: string,
  campaigns: ShowingCampaign[] = [],
  suggested: CatalogItem[] = [],
  promotionHints: CartHint[] = [],
): DisplayState {
  if (cart.lines.length === 0 || !priced) {
    const slides = campaigns.map(({ id, mediaKind, mediaUrl, text, textZh }) => ({
      id,
      mediaKind,
      mediaUrl,
      text,
      textZh,
    }));
    return { kind: 'idle', storeName, ...(slides.length ? { slides } : {}) };
  }
  const hints = cartHints(
    campaigns,
    cart.lines.map((l) => l.item.variantId),
  );
  const suggestions = suggested.flatMap(({ name, nameZh, price }) =>
    price === null ? [] : [{ name, nameZh, price }],
  );
  const offers = promotionHints.map((h) => ({
    name: h.item.name,
    nameZh: h.item.nameZh,
    quantity: h.add.quantity,
    promotion: h.name,
    promotionZh: h.nameZh,
    saving: h.saving,
    bonusPoints: h.bonusPoints,
  }));
  return {
    kind: 'cart',
    currency: priced.currency,
    lines: priced.lines.map((p) => {
      const line = cart.lines.find((l) => l.lineId === p.lineId);
      return {
        name: line?.item.name ?? p.name,
        nameZh: line?.item.nameZh ?? null,
        quantity: p.quantity,
        unit: p.unit,
        total: p.total,
      };
    }),
    subtotal: priced.subtotal,
    discountTotal: priced.discountTotal,
    taxTotal: priced.taxTotal,
    total: priced.total,
    ...(offers.length ? { offers } : {}),
    ...(hints.length ? { hints } : {}),
    ...(suggestions.length ? { suggestions } : {}),
  };
}
