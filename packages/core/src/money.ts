import { requireCurrency } from './currency';

/** Amounts are safe-integer numbers of minor units. */
export const MAX_MINOR: number = Number.MAX_SAFE_INTEGER;

/** True for an integer `n` with |n| <= MAX_SAFE_INTEGER. */
export function isSafeMinor(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/** Converts a bigint to a number if it is a safe minor amount, else undefined. */
export function bigToSafe(n: bigint): number | undefined {
  return n >= -BigInt(MAX_MINOR) && n <= BigInt(MAX_MINOR) ? Number(n) : undefined;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * Parses a decimal string into minor units: ("12.34", "CNY") -> 1234, ("500", "JPY") -> 500.
 * Throws on malformed input, more fraction digits than the currency has, an unknown currency
 * or an unsafe result: these are programmer errors (validate user input at the edge).
 */
export function toMinor(decimal: string, currency: string): number {
  const { exponent } = requireCurrency(currency);
  const match = DECIMAL.exec(decimal.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(decimal)}`);
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new RangeError(`${currency} has ${exponent} fraction digits: ${JSON.stringify(decimal)}`);
  }
  const digits = BigInt(whole + fraction.padEnd(exponent, '0'));
  const value = bigToSafe(sign === '-' ? -digits : digits);
  if (value === undefined) throw new RangeError(`amount out of safe range: ${JSON.stringify(decimal)}`);
  return value === 0 ? 0 : value;
}

/** Fixed-point decimal text with exactly the currency's fraction digits, no symbol: 1234 USD -> "12.34". */
export function formatMinor(minor: number, currency: string): string {
  const { exponent } = requireCurrency(currency);
  if (!isSafeMinor(minor)) throw new RangeError(`not a safe minor amount: ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Locale-aware text with the currency symbol, exact for every safe amount. */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const { exponent } = requireCurrency(currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  return format.format(formatMinor(minor, currency) as `${number}`);
}
