import { currencyInfo, formatMoney, toMinor } from '@opentill/core';
import type { StoreInfo } from '../offline/contract';

const CURRENCY_LOCALES: Record<string, string> = {
  CNY: 'zh-CN',
  USD: 'en-US',
  EUR: 'de-DE',
  GBP: 'en-GB',
  JPY: 'ja-JP',
  HKD: 'zh-HK',
  TWD: 'zh-TW',
  SGD: 'en-SG',
  CAD: 'en-CA',
  AUD: 'en-AU',
};

/** The locale money is shown in: the store's (from its currency), so ¥ stays ¥ in both languages. */
export function storeLocale(store: Pick<StoreInfo, 'currency'>): string | undefined {
  return CURRENCY_LOCALES[store.currency];
}

export function money(minor: number, store: Pick<StoreInfo, 'currency'>): string {
  return formatMoney(minor, store.currency, storeLocale(store));
}

/** Parses what a person typed ("12.5", "12.50", "12") into minor units; undefined if it is not an amount. */
export function parseAmount(text: string, currency: string): number | undefined {
  const info = currencyInfo(currency);
  if (!info) return undefined;
  const trimmed = text.trim();
  const pattern = info.exponent === 0 ? /^\d{1,13}$/ : new RegExp(`^\\d{1,13}(\\.\\d{0,${info.exponent}})?$`);
  if (!pattern.test(trimmed)) return undefined;
  return toMinor(trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed, currency);
}

/** "10" -> 1000 basis points, "12.5" -> 1250; undefined unless 0 < p <= 100. */
export function parsePercentBp(text: string): number | undefined {
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp > 0 && bp <= 10_000 ? bp : undefined;
}

/** Bank-note denominations in major units; a currency not listed uses 1-2-5 steps. */
const NOTES: Record<string, number[]> = {
  CNY: [1, 5, 10, 20, 50, 100],
  USD: [1, 5, 10, 20, 50, 100],
  EUR: [5, 10, 20, 50, 100, 200],
  GBP: [5, 10, 20, 50],
  JPY: [1000, 2000, 5000, 10000],
  HKD: [10, 20, 50, 100, 500, 1000],
};

/** Quick cash amounts for `due` (minor units): exact, then the next round amounts in notes. */
export function quickAmounts(due: number, currency: string, count = 4): number[] {
  const info = currencyInfo(currency);
  if (!info || due <= 0) return [];
  const major = 10 ** info.exponent; // minor units per major unit, from the currency table
  const notes = (NOTES[currency] ?? [1, 2, 5, 10, 20, 50, 100]).map((n) => n * major);
  const out = new Set<number>([due]);
  for (const note of notes) {
    const next = Math.ceil(due / note) * note;
    if (next > due) out.add(next);
    if (out.size > count) break;
  }
  return [...out].sort((a, b) => a - b).slice(0, count + 1);
}

/** The quantity a person typed, with at most 3 decimals; undefined when not a positive quantity. */
export function parseQuantity(text: string, allowFraction: boolean): number | undefined {
  const m = allowFraction ? /^\d{1,6}(\.\d{0,3})?$/.exec(text.trim()) : /^\d{1,6}$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(text.trim());
  return n > 0 ? n : undefined;
}
