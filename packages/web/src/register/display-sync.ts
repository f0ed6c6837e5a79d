import type { PricedCart } from '@opentill/core';
import { displayPublisher, type DisplayPublisher, type DisplayState } from '../display/channel';
import type { Cart, CatalogItem } from '../offline/contract';
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
    ...(hints.length ? { hints } : {}),
    ...(suggestions.length ? { suggestions } : {}),
  };
}
