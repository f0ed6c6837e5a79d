/**
 * Card numbers: Luhn (ISO/IEC 7812-1), brand from IIN ranges, masking for display, track 2.
 * Brand detection is a hint for the UI and for routing tests; the acquirer's BIN table is
 * authoritative (prefixes overlap: 65 is Discover and DinaCard, 62 carries co-badges).
 */

export type CardBrand =
  'visa' | 'mastercard' | 'american-express' | 'diners-club' | 'discover' | 'jcb' | 'unionpay' | 'mir';

/** A prefix, or an inclusive range of equal-length prefixes. */
export type IinPattern = string | readonly [string, string];

export interface BrandRule {
  brand: CardBrand;
  patterns: readonly IinPattern[];
  lengths: readonly number[];
  /** Digits of the card security code; undefined where the source gives none. */
  cvcLength?: number;
}

/** IIN ranges after braintree/credit-card-type, the table the cards vectors publish. */
export const BRAND_RULES: readonly BrandRule[] = [
  { brand: 'visa', patterns: ['4'], lengths: [16, 18, 19], cvcLength: 3 },
  {
    brand: 'mastercard',
    patterns: [['51', '55'], ['2221', '2229'], ['223', '229'], ['23', '26'], ['270', '271'], '2720'],
    lengths: [16],
    cvcLength: 3,
  },
  { brand: 'american-express', patterns: ['34', '37'], lengths: [15], cvcLength: 4 },
  { brand: 'diners-club', patterns: [['300', '305'], '36', '38', '39'], lengths: [14, 16, 19], cvcLength: 3 },
  { brand: 'discover', patterns: ['6011', ['644', '649'], '65'], lengths: [16, 19], cvcLength: 3 },
  { brand: 'jcb', patterns: ['2131', '1800', ['3528', '3589']], lengths: [16, 17, 18, 19], cvcLength: 3 },
  {
    brand: 'unionpay',
    patterns: [
      '620',
      ['62100', '62182'],
      ['62184', '62187'],
      ['62185', '62197'],
      ['62200', '62205'],
      ['622010', '622999'],
      '622018',
      ['62207', '62209'],
      ['623', '626'],
      '6270',
      '6272',
      '6276',
      ['627700', '627779'],
      ['627781', '627799'],
      ['6282', '6289'],
      '6291',
      '6292',
      '810',
      ['8110', '8131'],
      ['8132', '8151'],
      ['8152', '8163'],
      ['8164', '8171'],
    ],
    lengths: [14, 15, 16, 17, 18, 19],
    cvcLength: 3,
  },
  { brand: 'mir', patterns: [['2200', '2204']], lengths: [16, 17, 18, 19] },
];

const DIGITS = /^\d+$/;

/** Luhn mod 10 over a digit string (check digit included). False for non-digits or fewer than 2 digits. */
export function luhnValid(number: string): boolean {
  if (number.length < 2 || !DIGITS.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `partial` (digits only). */
export function luhnCheckDigit(partial: string): string {
  if (!DIGITS.test(partial)) throw new RangeError('Luhn input must be digits');
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + String(d))) return String(d);
  throw new Error('unreachable: one digit always completes a Luhn number');
}

/** Length of the prefix `pattern` matches at the start of `pan`, or 0. */
function matchLength(pan: string, pattern: IinPattern): number {
  if (typeof pattern === 'string') return pan.startsWith(pattern) ? pattern.length : 0;
  const [low, high] = pattern;
  if (pan.length < low.length) return 0;
  const head = Number(pan.slice(0, low.length));
  return head >= Number(low) && head <= Number(high) ? low.length : 0;
}

export interface BrandMatch {
  brand: CardBrand;
  /** Whether the PAN's length is one the brand issues. */
  lengthValid: boolean;
  cvcLength?: number;
}

/** The brand whose IIN pattern matches the longest prefix of `pan`; undefined when none does. */
export function cardBrand(pan: string): BrandMatch | undefined {
  if (!DIGITS.test(pan)) return undefined;
  let best: BrandRule | undefined;
  let bestLength = 0;
  for (const rule of BRAND_RULES) {
    for (const pattern of rule.patterns) {
      const n = matchLength(pan, pattern);
      if (n > bestLength) {
        best = rule;
        bestLength = n;
      }
    }
  }
  if (!best) return undefined;
  const match: BrandMatch = { brand: best.brand, lengthValid: best.lengths.includes(pan.length) };
  if (best.cvcLength !== undefined) match.cvcLength = best.cvcLength;
  return match;
}

/**
 * The PAN for display: at most the BIN (first 6, or 8 with `bin: 8` on PANs of 16+ digits) and
 * the last 4 (PCI DSS 3.4.1). Short numbers show fewer digits, never more than half.
 */
export function maskPan(pan: string, options: { bin?: 6 | 8; maskChar?: string } = {}): string {
  const digits = pan.replace(/[\s-]/g, '');
  const mask = options.maskChar ?? '*';
  const n = digits.length;
  let head = 0;
  if (n >= 16 && options.bin === 8) head = 8;
  else if (n >= 13) head = 6;
  const tail = n >= 8 ? 4 : Math.floor(n / 2);
  return digits.slice(0, head) + mask.repeat(n - head - tail) + digits.slice(n - tail);
}

/** Last four digits, the part receipts and records may keep next to the brand. */
export function panLast4(pan: string): string {
  return pan.slice(-4);
}

export interface Track2 {
  pan: string;
  /** YYMM */
  expiry: string;
  serviceCode: string;
  discretionary: string;
}

/**
 * Track 2 equivalent data (ISO/IEC 7813): `PAN = YYMM SSS discretionary`, separator `=` or `D`.
 * Sensitive authentication data: parse it, use it, never store it.
 */
export function parseTrack2(track2: string): Track2 | undefined {
  const m = /^(\d{12,19})[=D](\d{4})(\d{3})(\d*)F?$/i.exec(track2);
  if (!m) return undefined;
  return { pan: m[1]!, expiry: m[2]!, serviceCode: m[3]!, discretionary: m[4]! };
}

export function formatTrack2(t: Track2): string {
  return `${t.pan}=${t.expiry}${t.serviceCode}${t.discretionary}`;
}
