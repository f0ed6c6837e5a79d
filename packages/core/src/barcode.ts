import type { DomainError, Result } from './result';
import { fail, ok } from './result';

const DIGITS = /^\d+$/;

/** GS1 mod-10 check digit for a GTIN body (digits without the check digit: 7, 11, 12 or 13 digits). */
export function gtinCheckDigit(body: string): number {
  if (!DIGITS.test(body) || ![7, 11, 12, 13].includes(body.length)) {
    throw new RangeError(`GTIN body must be 7, 11, 12 or 13 digits: ${JSON.stringify(body)}`);
  }
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit; // rightmost body digit weighs 3
  }
  return (10 - (sum % 10)) % 10;
}

/** True for a GTIN-8, -12, -13 or -14: digits only, correct check digit. */
export function isValidGtin(code: string): boolean {
  if (!DIGITS.test(code) || ![8, 12, 13, 14].includes(code.length)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

/** Left-pads a GTIN to 14 digits, the form to store and look up. */
export function normalizeGtin(code: string): string {
  return code.trim().padStart(14, '0');
}

/**
 * A GS1 restricted-circulation (in-store) label: GTIN-13 = prefix(2) item(itemDigits)
 * [value check digit] value(valueDigits) check(1). With itemDigits + valueDigits = 10 there is
 * no value check digit; with 9 there is one (GS1 4-digit or 5-digit price check). A UPC-A
 * label is matched as its GTIN-13 form (leading 0), so US number-system-2 labels use prefix '02'.
 */
export interface EmbeddedBarcodeRule {
  prefix: string;
  kind: 'price' | 'weight';
  itemDigits: number;
  valueDigits: number;
  /** Value units per kg for weight labels; default 1000 (grams). */
  weightScale?: number;
}

export type ScannedBarcode =
  | { kind: 'gtin'; gtin: string }
  | {
      kind: 'embedded';
      prefix: string;
      itemCode: string;
      priceMinor?: number;
      /** kg × 1000, i.e. grams. */
      weightMilli?: number;
    };

/** Why a rule cannot describe a 13-digit label, or undefined when it is usable. */
export function embeddedRuleProblem(rule: EmbeddedBarcodeRule): string | undefined {
  if (!/^\d\d$/.test(rule.prefix)) return 'prefix must be two digits';
  if (!Number.isInteger(rule.itemDigits) || rule.itemDigits < 1)
    return 'itemDigits must be a positive integer';
  if (!Number.isInteger(rule.valueDigits) || rule.valueDigits < 1)
    return 'valueDigits must be a positive integer';
  const free = 10 - rule.itemDigits - rule.valueDigits;
  if (free !== 0 && free !== 1)
    return 'prefix + item + value + check must fill 13 digits (with at most one value check digit)';
  if (free === 1 && rule.valueDigits !== 4 && rule.valueDigits !== 5) {
    return 'a value check digit is defined for 4- or 5-digit values only';
  }
  if (rule.weightScale !== undefined && (!Number.isSafeInteger(rule.weightScale) || rule.weightScale <= 0)) {
    return 'weightScale must be a positive integer';
  }
  return undefined;
}

// GS1 weighting-factor products for price check digits (General Specifications, 7.9).
const TWO_MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const THREE = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const FIVE_PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const FIVE_MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

const at = (table: readonly number[], digit: string): number => table[Number(digit)] ?? 0;

/** GS1 check digit of a 4- or 5-digit price/weight field. */
export function valueCheckDigit(value: string): number {
  if (value.length === 4 && DIGITS.test(value)) {
    const [a = '0', b = '0', c = '0', d = '0'] = value;
    const sum = at(TWO_MINUS, a) + at(TWO_MINUS, b) + at(THREE, c) + at(FIVE_MINUS, d);
    return (sum * 3) % 10;
  }
  if (value.length === 5 && DIGITS.test(value)) {
    const [a = '0', b = '0', c = '0', d = '0', e = '0'] = value;
    const sum = at(FIVE_PLUS, a) + at(TWO_MINUS, b) + at(FIVE_MINUS, c) + at(FIVE_PLUS, d) + at(TWO_MINUS, e);
    const target = (10 - (sum % 10)) % 10;
    return FIVE_MINUS.indexOf(target);
  }
  throw new RangeError(`value check digit needs 4 or 5 digits: ${JSON.stringify(value)}`);
}

function invalid(message: string, code: string) {
  return fail('invalid_barcode' as const, message, { code });
}

function decodeEmbedded(
  gtin13: string,
  rule: EmbeddedBarcodeRule,
): Result<ScannedBarcode, DomainError<'invalid_barcode'>> {
  const itemEnd = 2 + rule.itemDigits;
  const hasValueCheck = rule.itemDigits + rule.valueDigits === 9;
  const valueStart = itemEnd + (hasValueCheck ? 1 : 0);
  const itemCode = gtin13.slice(2, itemEnd);
  const valueText = gtin13.slice(valueStart, valueStart + rule.valueDigits);
  if (hasValueCheck && valueCheckDigit(valueText) !== Number(gtin13.charAt(itemEnd))) {
    return invalid('the price/weight check digit does not match', gtin13);
  }
  const value = Number(valueText);
  if (rule.kind === 'price') {
    return ok({ kind: 'embedded' as const, prefix: rule.prefix, itemCode, priceMinor: value });
  }
  const scale = rule.weightScale ?? 1000;
  // grams = value * 1000 / scale, rounded half up (exact for the usual scales 1000, 100, 10)
  const weightMilli = Math.floor((value * 1000 * 2 + scale) / (2 * scale));
  return ok({ kind: 'embedded' as const, prefix: rule.prefix, itemCode, weightMilli });
}

/**
 * Reads a scanned code: a valid GTIN-8/12/13/14, or an in-store label matching one of `rules`
 * (first matching prefix wins). Surrounding whitespace is ignored; `gtin` keeps the scanned digits.
 */
export function parseBarcode(
  code: string,
  rules: readonly EmbeddedBarcodeRule[],
): Result<ScannedBarcode, DomainError<'invalid_barcode'>> {
  const digits = code.trim();
  if (!DIGITS.test(digits)) return invalid('a barcode must contain digits only', code);
  if (![8, 12, 13, 14].includes(digits.length))
    return invalid('a barcode must have 8, 12, 13 or 14 digits', code);
  if (!isValidGtin(digits)) return invalid('the check digit does not match', code);
  if (digits.length === 12 || digits.length === 13) {
    const gtin13 = digits.padStart(13, '0');
    const rule = rules.find((r) => gtin13.startsWith(r.prefix) && embeddedRuleProblem(r) === undefined);
    if (rule) return decodeEmbedded(gtin13, rule);
  }
  return ok({ kind: 'gtin' as const, gtin: digits });
}

/**
 * Builds a 13-digit in-store label (for tests and demo labels). `value` is the raw field:
 * price in minor units, or weight in rule units (grams by default). Throws on bad input.
 */
export function makeEmbeddedBarcode(rule: EmbeddedBarcodeRule, itemCode: string, value: number): string {
  const problem = embeddedRuleProblem(rule);
  if (problem) throw new RangeError(`invalid barcode rule: ${problem}`);
  if (!DIGITS.test(itemCode) || itemCode.length > rule.itemDigits) {
    throw new RangeError(`item code must be at most ${rule.itemDigits} digits: ${JSON.stringify(itemCode)}`);
  }
  if (!Number.isSafeInteger(value) || value < 0 || value >= 10 ** rule.valueDigits) {
    throw new RangeError(`value must fit ${rule.valueDigits} digits: ${value}`);
  }
  const valueText = String(value).padStart(rule.valueDigits, '0');
  const valueCheck = rule.itemDigits + rule.valueDigits === 9 ? String(valueCheckDigit(valueText)) : '';
  const body = rule.prefix + itemCode.padStart(rule.itemDigits, '0') + valueCheck + valueText;
  return body + String(gtinCheckDigit(body));
}
