import { formatMoney } from '@opentill/core';
import { storeLocale } from '../register/money';

/** Money in the store's own locale (¥ stays ¥ in both languages), from the currency table. */
export function money(minor: number, currency: string): string {
  return formatMoney(minor, currency, storeLocale({ currency }));
}

/** "2", "0.525": a quantity with at most three decimals, no trailing zeros. */
export function quantityText(quantity: number): string {
  return String(Math.round(quantity * 1000) / 1000);
}
