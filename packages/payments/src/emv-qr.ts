/**
 * EMV QR Code, merchant-presented mode (EMV QRCPS-MPM): build, parse and validate payloads.
 *
 * A payload is a list of data objects `ID(2) LEN(2) VALUE`; LEN counts characters (Unicode code
 * points), not bytes. Templates (26–51, 62, 64, 80–99) nest the same format in their value. `00`
 * comes first and the CRC `63` last; other IDs may come in any order. The CRC is
 * CRC-16/CCITT-FALSE over the UTF-8 bytes of everything up to and including `6304`.
 *
 * Codes that are opaque acquirer URLs (WeChat Pay `weixin://…`, Alipay+ and UnionPay domestic
 * `https://…`) are not EMV TLV: render them as given, never parse or re-encode them here.
 */
import { formatMinor, toMinor, currencyInfo } from '@opentill/core';
import { currencyAlpha, currencyNumeric } from './currency-numeric';

// ---------------------------------------------------------------------------------------------
// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor.

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[n] = c;
  }
  return table;
})();

function crcByte(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!;
}

/** CRC-16/CCITT-FALSE of the UTF-8 encoding of `text`, as 4 upper-case hex characters. */
export function crc16(text: string): string {
  let crc = 0xffff;
  // UTF-8 encoded on the fly: no intermediate buffer on the hot path
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      crc = crcByte(crc, c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x800) {
      crc = crcByte(crc, 0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      crc = crcByte(crc, 0xe0 | (c >> 12));
      crc = crcByte(crc, 0x80 | ((c >> 6) & 0x3f));
    } else {
      crc = crcByte(crc, 0xf0 | (c >> 18));
      crc = crcByte(crc, 0x80 | ((c >> 12) & 0x3f));
      crc = crcByte(crc, 0x80 | ((c >> 6) & 0x3f));
    }
    crc = crcByte(crc, 0x80 | (c & 0x3f));
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------
// Data objects

/** One parsed data object; templates carry their parsed children as well as the raw value. */
export interface QrNode {
  id: string;
  value: string;
  children?: QrNode[];
}

/** Plain-object view: `{ "00": "01", "26": { "00": "br.gov.bcb.pix", … } }`. */
export type QrObjects = Record<string, string | Record<string, string>>;

export type QrIssueCode =
  | 'malformed'
  | 'duplicate_id'
  | 'misplaced_object'
  | 'crc_missing'
  | 'crc_mismatch'
  | 'missing_object'
  | 'invalid_value';

/** One problem with a payload. `id` names the object (`26.00` for a template's sub-object). */
export interface QrIssue {
  code: QrIssueCode;
  message: string;
  id?: string;
}

/** Which national rules the validator applied (see {@link profileOf}). */
export type QrProfile = 'emvco' | 'promptpay';

export interface QrDecodeResult {
  /** TLV structure sound, CRC right, every rule of the profile met. */
  valid: boolean;
  crcValid: boolean;
  errors: QrIssue[];
  /** Plain-object view (built when first read; not an own property, so a spread omits it). */
  readonly objects: QrObjects;
  nodes: QrNode[];
  profile: QrProfile;
}

/** IDs whose value is itself a list of data objects. */
export function isTemplateId(id: string): boolean {
  const n = Number(id);
  return (n >= 26 && n <= 51) || n === 62 || n === 64 || (n >= 80 && n <= 99);
}

const NAMES: Readonly<Record<string, string>> = {
  '00': 'Payload Format Indicator',
  '01': 'Point of Initiation Method',
  '52': 'Merchant Category Code',
  '53': 'Transaction Currency',
  '54': 'Transaction Amount',
  '55': 'Tip or Convenience Indicator',
  '56': 'Value of Convenience Fee Fixed',
  '57': 'Value of Convenience Fee Percentage',
  '58': 'Country Code',
  '59': 'Merchant Name',
  '60': 'Merchant City',
  '61': 'Postal Code',
  '62': 'Additional Data Field Template',
  '63': 'CRC',
  '64': 'Merchant Information — Language Template',
};

/** A readable name for a root ID, e.g. "Merchant Category Code (52)". */
export function objectName(id: string): string {
  const n = Number(id);
  let name = NAMES[id];
  if (!name && n >= 2 && n <= 51) name = 'Merchant Account Information';
  if (!name && n >= 80 && n <= 99) name = 'Unreserved Template';
  if (!name && n >= 65 && n <= 79) name = 'RFU for EMVCo';
  return `${name ?? 'Data object'} (${id})`;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code-point length: what an EMV length field counts. */
export function charLength(text: string): number {
  if (!SURROGATE.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isDigitPair(text: string): boolean {
  return text.length === 2 && twoDigits(text, 0) >= 0;
}

type Parsed = { nodes: QrNode[]; issue?: QrIssue };

function cutShort(path: string, at: number): QrIssue {
  const issue: QrIssue = {
    code: 'malformed',
    message: `${path ? `inside ${path} ` : ''}data object at character ${at} is cut short`,
  };
  if (path) issue.id = path;
  return issue;
}

function notDigits(path: string, at: number, found: string): QrIssue {
  const issue: QrIssue = {
    code: 'malformed',
    message: `${path ? `inside ${path} ` : ''}expected a 2-digit ID and a 2-digit length at character ${at}, found ${JSON.stringify(found)}`,
  };
  if (path) issue.id = path;
  return issue;
}

function overrun(path: string, id: string, n: number, remain: number): QrIssue {
  return {
    code: 'malformed',
    message: `${path ? `${path}.` : ''}${id} declares ${n} characters but only ${remain} remain`,
    id: path ? `${path}.${id}` : id,
  };
}

/** The common case: no surrogate pairs, so UTF-16 indices are character positions. */
function parseBmp(text: string, path: string): Parsed {
  const nodes: QrNode[] = [];
  const end = text.length;
  let at = 0;
  while (at < end) {
    if (at + 4 > end) return { nodes, issue: cutShort(path, at) };
    const idNumber = twoDigits(text, at);
    const n = twoDigits(text, at + 2);
    if (idNumber < 0 || n < 0) return { nodes, issue: notDigits(path, at, text.slice(at, at + 4)) };
    const id = text.slice(at, at + 2);
    if (at + 4 + n > end) return { nodes, issue: overrun(path, id, n, end - at - 4) };
    nodes.push({ id, value: text.slice(at + 4, at + 4 + n) });
    at += 4 + n;
  }
  return { nodes };
}

/** Text with astral characters (emoji, rare CJK): index by code points. */
function parseAstral(text: string, path: string): Parsed {
  const points = Array.from(text);
  const nodes: QrNode[] = [];
  let at = 0;
  while (at < points.length) {
    if (at + 4 > points.length) return { nodes, issue: cutShort(path, at) };
    const head = points.slice(at, at + 4).join('');
    const idNumber = head.length === 4 ? twoDigits(head, 0) : -1;
    const n = head.length === 4 ? twoDigits(head, 2) : -1;
    if (idNumber < 0 || n < 0) return { nodes, issue: notDigits(path, at, head) };
    const id = head.slice(0, 2);
    if (at + 4 + n > points.length) return { nodes, issue: overrun(path, id, n, points.length - at - 4) };
    nodes.push({ id, value: points.slice(at + 4, at + 4 + n).join('') });
    at += 4 + n;
  }
  return { nodes };
}

/**
 * Splits `text` into data objects (one level). Returns the nodes parsed before the first
 * structural problem together with that problem, if any.
 */
export function parseTlv(text: string, path = ''): Parsed {
  return SURROGATE.test(text) ? parseAstral(text, path) : parseBmp(text, path);
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const PROMPTPAY_GUIS = new Set(['A000000677010111', 'A000000677010112']);

/** The profile whose rules apply: PromptPay codes (GUI A000000677010111/…12) waive 52, 59 and 60. */
export function profileOf(nodes: readonly QrNode[]): QrProfile {
  for (const node of nodes) {
    if ((node.id === '29' || node.id === '30') && node.children) {
      for (const child of node.children)
        if (child.id === '00' && PROMPTPAY_GUIS.has(child.value)) return 'promptpay';
    }
  }
  return 'emvco';
}

const NUMERIC = /^\d+$/;
const AMOUNT = /^\d+(?:\.\d+)?$/;
const isAmount = (v: string, max: number) => v.length <= max && v.length > 0 && AMOUNT.test(v);

/** Format rules of root objects: a check and what the value should look like. */
const FORMATS: readonly ({ test: (v: string) => boolean; expect: string } | undefined)[] = (() => {
  const table: ({ test: (v: string) => boolean; expect: string } | undefined)[] = new Array(100).fill(
    undefined,
  );
  table[0] = { test: (v) => v === '01', expect: '"01"' };
  table[1] = { test: (v) => v === '11' || v === '12', expect: '"11" (static) or "12" (dynamic)' };
  table[52] = { test: (v) => v.length === 4 && NUMERIC.test(v), expect: '4 digits (ISO 18245)' };
  table[53] = { test: (v) => v.length === 3 && NUMERIC.test(v), expect: '3 digits (ISO 4217 numeric)' };
  table[54] = {
    test: (v) => isAmount(v, 13),
    expect: 'a decimal amount of at most 13 characters, e.g. "23.72"',
  };
  table[55] = { test: (v) => v === '01' || v === '02' || v === '03', expect: '"01", "02" or "03"' };
  table[56] = { test: (v) => isAmount(v, 13), expect: 'a decimal amount of at most 13 characters' };
  table[57] = { test: (v) => isAmount(v, 5), expect: 'a percentage of at most 5 characters, e.g. "3.00"' };
  table[58] = { test: (v) => /^[A-Z]{2}$/.test(v), expect: '2 upper-case letters (ISO 3166-1 alpha-2)' };
  // The spec caps names at 25/15/10 characters, but published national codes exceed them (a
  // Cambodian city of 16): the decoder only asks for a value, the builder enforces the caps.
  table[59] = { test: (v) => v.length > 0, expect: 'a merchant name' };
  table[60] = { test: (v) => v.length > 0, expect: 'a merchant city' };
  table[61] = { test: (v) => v.length > 0, expect: 'a postal code' };
  table[63] = { test: (v) => /^[0-9A-Fa-f]{4}$/.test(v), expect: '4 hex characters' };
  return table;
})();

const MANDATORY = [0, 52, 53, 58, 59, 60];
const idText = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Parses and validates a merchant-presented payload. Never throws: every problem becomes one
 * entry in `errors`, checked in the order TLV structure → CRC → mandatory objects → conditional
 * objects → value formats → profile rules.
 */
export function decodeQr(payload: string): QrDecodeResult {
  const errors: QrIssue[] = [];
  const text = payload.trim();

  // CRC first on the raw text: it is meaningful even when the structure is broken
  const crcAt = text.length - 8;
  const computed = crcAt >= 0 && text.startsWith('6304', crcAt) ? crc16(text.slice(0, crcAt + 4)) : undefined;
  const crcValid = computed !== undefined && text.slice(crcAt + 4).toUpperCase() === computed;

  const root = parseTlv(text);
  if (root.issue) errors.push(root.issue);
  const nodes = root.nodes;
  // one slot per ID: duplicate detection and lookups without maps
  const slots: (QrNode | undefined)[] = new Array(100);
  let accounts = 0;
  for (const node of nodes) {
    const n = twoDigits(node.id, 0);
    if (slots[n]) {
      errors.push({
        code: 'duplicate_id',
        message: `${objectName(node.id)} appears more than once`,
        id: node.id,
      });
    } else {
      slots[n] = node;
    }
    if (n >= 2 && n <= 51) accounts++;
    if ((n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80) {
      const inner = parseTlv(node.value, node.id);
      node.children = inner.nodes;
      if (inner.issue) errors.push(inner.issue);
      const children = inner.nodes;
      for (let i = 1; i < children.length; i++) {
        const child = children[i]!;
        let repeated = false;
        for (let j = 0; j < i && !repeated; j++) repeated = children[j]!.id === child.id;
        if (repeated) {
          errors.push({
            code: 'duplicate_id',
            message: `${node.id}.${child.id} appears more than once in ${objectName(node.id)}`,
            id: `${node.id}.${child.id}`,
          });
        }
      }
    }
  }

  const crcNode = slots[63];
  if (!crcNode) {
    errors.push({ code: 'crc_missing', message: 'CRC (63) is missing', id: '63' });
  } else {
    if (nodes[nodes.length - 1] !== crcNode) {
      errors.push({ code: 'misplaced_object', message: 'CRC (63) must be the last data object', id: '63' });
    }
    if (!crcValid) {
      const expected = computed ?? (crcAt >= 0 ? crc16(text.slice(0, crcAt + 4)) : '');
      errors.push({
        code: 'crc_mismatch',
        message: `CRC (63) is ${JSON.stringify(crcNode.value)} but the payload's CRC-16 is ${expected}`,
        id: '63',
      });
    }
  }
  if (nodes.length > 0 && nodes[0]!.id !== '00') {
    errors.push({
      code: 'misplaced_object',
      message: 'Payload Format Indicator (00) must be the first data object',
      id: '00',
    });
  }

  const profile = profileOf(nodes);
  for (const n of MANDATORY) {
    if (slots[n] || (profile === 'promptpay' && (n === 52 || n === 59 || n === 60))) continue;
    const id = idText(n);
    errors.push({ code: 'missing_object', message: `${objectName(id)} is missing`, id });
  }
  if (accounts === 0) {
    errors.push({
      code: 'missing_object',
      message: 'at least one Merchant Account Information object (02–51) is required',
      id: '02-51',
    });
  }
  const tip = slots[55]?.value;
  if (tip === '02' && !slots[56]) {
    errors.push({
      code: 'missing_object',
      message: 'Tip indicator 02 (fixed fee) needs Value of Convenience Fee Fixed (56)',
      id: '56',
    });
  }
  if (tip === '03' && !slots[57]) {
    errors.push({
      code: 'missing_object',
      message: 'Tip indicator 03 (percentage fee) needs Value of Convenience Fee Percentage (57)',
      id: '57',
    });
  }

  for (const node of nodes) {
    const n = twoDigits(node.id, 0);
    const format = FORMATS[n];
    if (format && !format.test(node.value)) {
      errors.push({
        code: 'invalid_value',
        message: `${objectName(node.id)} is ${JSON.stringify(node.value)}; expected ${format.expect}`,
        id: node.id,
      });
    }
    if (n >= 26 && n <= 51 && node.children && !node.children.some((c) => c.id === '00')) {
      errors.push({
        code: 'missing_object',
        message: `${objectName(node.id)} has no Globally Unique Identifier (${node.id}.00)`,
        id: `${node.id}.00`,
      });
    }
    if (n === 64 && node.children) {
      for (const sub of ['00', '01']) {
        if (!node.children.some((c) => c.id === sub)) {
          const what = sub === '00' ? 'Language Preference' : 'Merchant Name — Alternate Language';
          errors.push({ code: 'missing_object', message: `${what} (64.${sub}) is missing`, id: `64.${sub}` });
        }
      }
    }
  }

  return new DecodedQr(errors.length === 0, crcValid, errors, nodes, profile);
}

/**
 * A decode result. `objects` is built on first read (objects keyed "00"–"99" are slow to build
 * and most callers want `nodes` or the verdict); `toJSON` includes it, a spread does not.
 */
class DecodedQr implements QrDecodeResult {
  #objects: QrObjects | undefined;

  constructor(
    readonly valid: boolean,
    readonly crcValid: boolean,
    readonly errors: QrIssue[],
    readonly nodes: QrNode[],
    readonly profile: QrProfile,
  ) {}

  get objects(): QrObjects {
    return (this.#objects ??= toObjects(this.nodes));
  }

  toJSON() {
    const { valid, crcValid, errors, objects, nodes, profile } = this;
    return { valid, crcValid, errors, objects, nodes, profile };
  }
}

/** Plain-object view of parsed nodes (templates as nested objects). */
export function toObjects(nodes: readonly QrNode[]): QrObjects {
  const out: QrObjects = {};
  for (const node of nodes) {
    if (node.children) {
      const inner: Record<string, string> = {};
      for (const child of node.children) inner[child.id] = child.value;
      out[node.id] = inner;
    } else {
      out[node.id] = node.value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Input to {@link encodeQr}: ID → value, templates as nested ID → value objects. */
export type QrInput = Record<string, string | Record<string, string>>;

function tlv(id: string, value: string): string {
  const n = charLength(value);
  if (n > 99) throw new RangeError(`${objectName(id)} is ${n} characters; at most 99 fit`);
  return id + String(n).padStart(2, '0') + value;
}

function checkId(id: string): void {
  if (!isDigitPair(id)) throw new RangeError(`data object IDs are 2 digits, got ${JSON.stringify(id)}`);
}

/**
 * Builds a payload: `00` first (default `01`), then the other objects in ascending ID order,
 * then the CRC over UTF-8 bytes. A `63` in the input is ignored (it is always recomputed).
 * Throws RangeError on an ID that is not 2 digits or a value longer than 99 characters;
 * validate the result with {@link decodeQr} for the content rules.
 */
export function encodeQr(input: QrInput): string {
  const ids = Object.keys(input).filter((id) => id !== '63' && id !== '00');
  ids.forEach(checkId);
  ids.sort();
  const first = input['00'];
  let out = tlv('00', typeof first === 'string' ? first : '01');
  for (const id of ids) {
    const value = input[id]!;
    if (typeof value === 'string') {
      out += tlv(id, value);
    } else {
      if (!isTemplateId(id)) throw new RangeError(`${objectName(id)} is not a template`);
      const subIds = Object.keys(value);
      subIds.forEach(checkId);
      subIds.sort();
      out += tlv(id, subIds.map((sub) => tlv(sub, value[sub]!)).join(''));
    }
  }
  out += '6304';
  return out + crc16(out);
}

/**
 * Writes nodes back in their given order (templates from their children when present), with a
 * fresh CRC: a decoded payload re-encodes byte for byte.
 */
export function encodeNodes(nodes: readonly QrNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.id === '63') continue;
    checkId(node.id);
    const value = node.children ? node.children.map((c) => tlv(c.id, c.value)).join('') : node.value;
    out += tlv(node.id, value);
  }
  out += '6304';
  return out + crc16(out);
}

const NAME_LIMITS: Readonly<Record<string, number>> = { '59': 25, '60': 15, '61': 10 };

/** A merchant account template: ID 26–51 with its globally unique identifier and fields. */
export interface MerchantAccount {
  id: string;
  /** Sub-ID 00: an AID (e.g. `A000000677010111`) or a reverse domain (`br.gov.bcb.pix`). */
  gui: string;
  /** Other sub-objects, e.g. `{ "01": "<pix key>" }`. */
  fields?: Record<string, string>;
}

export interface MerchantQrSpec {
  /** Templates 26–51 (at least one here or in `primitiveAccounts`). */
  accounts?: MerchantAccount[];
  /** Primitive account IDs 02–25 (card-scheme merchant IDs), e.g. `{ "15": "…" }` for UnionPay. */
  primitiveAccounts?: Record<string, string>;
  merchantCategoryCode: string;
  /** ISO 4217 alphabetic code; written as its numeric code. */
  currency: string;
  /** Amount in minor units of `currency`; present ⇒ a dynamic code by default. */
  amount?: number;
  countryCode: string;
  merchantName: string;
  merchantCity: string;
  postalCode?: string;
  /** Additional data (62): 05 reference label. */
  reference?: string;
  /** Additional data (62): 01 bill number. */
  billNumber?: string;
  /** Additional data (62): 07 terminal label. */
  terminalLabel?: string;
  /** Additional data (62): 03 store label. */
  storeLabel?: string;
  /** `dynamic` (01 = 12, one-time code) or `static` (01 = 11); defaults to dynamic when an amount or reference is set. */
  pointOfInitiation?: 'static' | 'dynamic';
  /** Language template (64). */
  alternateLanguage?: { language: string; merchantName: string; merchantCity?: string };
}

/**
 * Builds a merchant-presented code from business values: the amount in minor units is written
 * with the currency's exponent (1234 CNY → "12.34"), the currency as its numeric code.
 */
export function buildMerchantQr(spec: MerchantQrSpec): string {
  const numeric = currencyNumeric(spec.currency);
  if (!numeric || !currencyInfo(spec.currency)) throw new RangeError(`unknown currency ${spec.currency}`);
  const input: QrInput = { '00': '01' };
  const dynamic = spec.pointOfInitiation
    ? spec.pointOfInitiation === 'dynamic'
    : spec.amount !== undefined || spec.reference !== undefined;
  input['01'] = dynamic ? '12' : '11';
  for (const [id, value] of Object.entries(spec.primitiveAccounts ?? {})) {
    if (!(Number(id) >= 2 && Number(id) <= 25))
      throw new RangeError(`primitive account IDs are 02–25, got ${id}`);
    input[id] = value;
  }
  for (const account of spec.accounts ?? []) {
    if (!(Number(account.id) >= 26 && Number(account.id) <= 51)) {
      throw new RangeError(`merchant account templates are 26–51, got ${account.id}`);
    }
    input[account.id] = { '00': account.gui, ...account.fields };
  }
  input['52'] = spec.merchantCategoryCode;
  input['53'] = numeric;
  if (spec.amount !== undefined) {
    if (!Number.isSafeInteger(spec.amount) || spec.amount < 0)
      throw new RangeError('amount must be a non-negative integer of minor units');
    input['54'] = formatMinor(spec.amount, spec.currency);
  }
  input['58'] = spec.countryCode;
  input['59'] = spec.merchantName;
  input['60'] = spec.merchantCity;
  if (spec.postalCode !== undefined) input['61'] = spec.postalCode;
  const extra: Record<string, string> = {};
  if (spec.billNumber !== undefined) extra['01'] = spec.billNumber;
  if (spec.storeLabel !== undefined) extra['03'] = spec.storeLabel;
  if (spec.reference !== undefined) extra['05'] = spec.reference;
  if (spec.terminalLabel !== undefined) extra['07'] = spec.terminalLabel;
  if (Object.keys(extra).length > 0) input['62'] = extra;
  for (const [id, limit] of Object.entries(NAME_LIMITS)) {
    const value = input[id];
    if (typeof value === 'string' && charLength(value) > limit) {
      throw new RangeError(`${objectName(id)} holds at most ${limit} characters, got ${charLength(value)}`);
    }
  }
  if (spec.alternateLanguage) {
    const alt: Record<string, string> = {
      '00': spec.alternateLanguage.language,
      '01': spec.alternateLanguage.merchantName,
    };
    if (spec.alternateLanguage.merchantCity !== undefined) alt['02'] = spec.alternateLanguage.merchantCity;
    input['64'] = alt;
  }
  return encodeQr(input);
}

/** Business view of a decoded code, for checkout: who gets paid, how much, which reference. */
export interface MerchantQrSummary {
  dynamic: boolean;
  merchantName?: string;
  merchantCity?: string;
  countryCode?: string;
  merchantCategoryCode?: string;
  /** ISO 4217 alphabetic code when the numeric code is known. */
  currency?: string;
  currencyNumeric?: string;
  /** Amount in minor units, when present and the currency is known. */
  amount?: number;
  reference?: string;
  billNumber?: string;
  /** Globally unique identifiers of the account templates, by ID. */
  accounts: { id: string; gui?: string }[];
}

export function summarizeQr(result: Pick<QrDecodeResult, 'nodes'>): MerchantQrSummary {
  const byId = new Map(result.nodes.map((n) => [n.id, n]));
  const value = (id: string) => byId.get(id)?.value;
  const sub = (id: string, child: string) => byId.get(id)?.children?.find((c) => c.id === child)?.value;
  const numeric = value('53');
  const currency = numeric ? currencyAlpha(numeric) : undefined;
  let amount: number | undefined;
  const amountText = value('54');
  if (currency && amountText && AMOUNT.test(amountText)) {
    try {
      amount = toMinor(amountText, currency);
    } catch {
      amount = undefined; // more fraction digits than the currency has: leave it to the caller
    }
  }
  return strip({
    dynamic: value('01') === '12',
    merchantName: value('59'),
    merchantCity: value('60'),
    countryCode: value('58'),
    merchantCategoryCode: value('52'),
    currency,
    currencyNumeric: numeric,
    amount,
    reference: sub('62', '05'),
    billNumber: sub('62', '01'),
    accounts: result.nodes
      .filter((n) => Number(n.id) >= 2 && Number(n.id) <= 51)
      .map((n) => strip({ id: n.id, gui: n.children?.find((c) => c.id === '00')?.value })),
  });
}
