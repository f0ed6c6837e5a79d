/** Small pure helpers over the contract's Cart: the UI never prices, the Till does. */
import type { AppliedDiscount } from '@opentill/core';
import { unitAllowsFraction } from '@opentill/core';
import type { Cart, CartLine, CatalogItem, ScanResult } from '../offline/contract';

export const emptyCart = (): Cart => ({ lines: [], orderDiscounts: [] });

let counter = 0;
export function newLineId(): string {
  counter += 1;
  return `l${Date.now().toString(36)}${counter.toString(36)}`;
}

export const allowsFraction = (item: CatalogItem): boolean => unitAllowsFraction(item.unit);

/** Adds one of an item: the same plain line gets +1, a weighed item or an embedded label gets its own line. */
export function addItem(cart: Cart, item: CatalogItem, quantity = 1): Cart {
  const same = allowsFraction(item)
    ? undefined
    : cart.lines.find(
        (l) =>
          l.item.variantId === item.variantId && !l.priceOverride && l.unitPrice === undefined && !l.discount,
      );
  if (same) return setQuantity(cart, same.lineId, same.quantity + quantity);
  return { ...cart, lines: [...cart.lines, { lineId: newLineId(), item, quantity }] };
}

export function addScan(cart: Cart, scan: ScanResult): Cart {
  if (scan.kind === 'item') return addItem(cart, scan.item);
  const line: CartLine = { lineId: newLineId(), item: scan.item, quantity: scan.quantity ?? 1 };
  if (scan.priceMinor !== undefined) line.priceOverride = scan.priceMinor;
  return { ...cart, lines: [...cart.lines, line] };
}

export function setQuantity(cart: Cart, lineId: string, quantity: number): Cart {
  if (quantity <= 0) return removeLine(cart, lineId);
  return { ...cart, lines: cart.lines.map((l) => (l.lineId === lineId ? { ...l, quantity } : l)) };
}

export function removeLine(cart: Cart, lineId: string): Cart {
  const lines = cart.lines.filter((l) => l.lineId !== lineId);
  return { ...cart, lines, orderDiscounts: lines.length === 0 ? [] : cart.orderDiscounts };
}

export function setLineDiscount(cart: Cart, lineId: string, discount: AppliedDiscount | null): Cart {
  return {
    ...cart,
    lines: cart.lines.map((l) => {
      if (l.lineId !== lineId) return l;
      const { discount: _old, ...rest } = l;
      return discount ? { ...rest, discount } : rest;
    }),
  };
}

/** A unit price typed over the store's price (null: back to the store's price). */
export function setLinePrice(cart: Cart, lineId: string, unitPrice: number | null): Cart {
  return {
    ...cart,
    lines: cart.lines.map((l) => {
      if (l.lineId !== lineId) return l;
      const { unitPrice: _old, ...rest } = l;
      return unitPrice === null ? rest : { ...rest, unitPrice };
    }),
  };
}

/** Changes the cashier made by hand: a typed price or a discount (a manager may have to approve). */
export function handMade(cart: Cart): boolean {
  return cart.orderDiscounts.length > 0 || cart.lines.some((l) => l.unitPrice !== undefined || l.discount);
}

export function setOrderDiscount(cart: Cart, discount: AppliedDiscount | null): Cart {
  return { ...cart, orderDiscounts: discount ? [discount] : [] };
}

/** Step for +/−: one for counted units, a tenth for weighed ones. */
export function step(line: CartLine): number {
  return allowsFraction(line.item) ? 0.1 : 1;
}

export function bump(cart: Cart, lineId: string, direction: 1 | -1): Cart {
  const line = cart.lines.find((l) => l.lineId === lineId);
  if (!line || line.priceOverride !== undefined) return cart;
  const next = Math.round((line.quantity + direction * step(line)) * 1000) / 1000;
  return setQuantity(cart, lineId, next);
}
