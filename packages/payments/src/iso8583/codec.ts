/**
 * One table-driven ISO 8583 codec: `pack(profile, message)` and `unpack(profile, bytes)`.
 * The secondary bitmap (bit 1) is written only when a data element above 64 is present.
 */
import type { Result } from '@opentill/core';
import { concatBytes, fromHex, isHex, latin1Bytes, latin1Text, toHex } from '../bytes';
import type { FieldSpec, Iso8583Message, Iso8583Profile } from './spec';

/** A message that cannot be packed or bytes that do not unpack; `field` names the data element. */
export interface Iso8583Problem {
  code: 'iso8583_invalid';
  message: string;
  field?: number | 'mti' | 'bitmap';
}

/** Thrown by {@link pack}: packing a message the profile cannot carry is a programmer error. */
export class Iso8583Error extends Error {
  readonly field?: number | 'mti' | 'bitmap';
  constructor(message: string, field?: number | 'mti' | 'bitmap') {
    super(message);
    this.name = 'Iso8583Error';
    if (field !== undefined) this.field = field;
  }
}

const KIND_PATTERNS: Record<FieldSpec['kind'], RegExp> = {
  n: /^\d*$/,
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7e]*$/,
  z: /^[0-9=D]*$/,
  b: /^(?:[0-9A-Fa-f]{2})*$/,
};

const KIND_WORDS: Record<FieldSpec['kind'], string> = {
  n: 'digits',
  an: 'letters, digits and spaces',
  ans: 'printable ASCII',
  z: 'track digits and separators',
  b: 'hex bytes',
};

function digitsToBcd(digits: string, leftAligned: boolean): Uint8Array {
  if (!/^\d*$/.test(digits)) throw new Iso8583Error(`BCD needs digits, got ${JSON.stringify(digits)}`);
  const even = digits.length % 2 === 0 ? digits : leftAligned ? `${digits}0` : `0${digits}`;
  return fromHex(even);
}

function bcdToDigits(bytes: Uint8Array, count: number, leftAligned: boolean): string | undefined {
  const hex = toHex(bytes);
  if (!/^\d*$/.test(hex)) return undefined;
  return leftAligned ? hex.slice(0, count) : hex.slice(hex.length - count);
}

/** Wire bytes of a value's body: `units` is the count the length prefix carries. */
function encodeBody(spec: FieldSpec, value: string): { bytes: Uint8Array; units: number } {
  switch (spec.encoding) {
    case 'binary': {
      const bytes = fromHex(value);
      return { bytes, units: bytes.length };
    }
    case 'bcd':
    case 'lbcd':
      return { bytes: digitsToBcd(value, spec.encoding === 'lbcd'), units: value.length };
    case 'ascii':
      return { bytes: latin1Bytes(value), units: value.length };
  }
}

function bodyBytes(spec: FieldSpec, units: number): number {
  return spec.encoding === 'bcd' || spec.encoding === 'lbcd' ? Math.ceil(units / 2) : units;
}

function prefixBytes(spec: FieldSpec): number {
  if (spec.prefix === 0) return 0;
  if (spec.prefixEncoding === 'ascii') return spec.prefix;
  return spec.prefix === 2 ? 1 : 2;
}

function encodePrefix(spec: FieldSpec, units: number): Uint8Array {
  const digits = String(units).padStart(spec.prefix, '0');
  switch (spec.prefixEncoding) {
    case 'ascii':
      return latin1Bytes(digits);
    case 'bcd':
      return digitsToBcd(digits.padStart(spec.prefix === 2 ? 2 : 4, '0'), false);
    case 'binary':
      return spec.prefix === 2 ? Uint8Array.of(units) : Uint8Array.of(units >> 8, units & 0xff);
  }
}

function decodePrefix(spec: FieldSpec, bytes: Uint8Array): number | undefined {
  switch (spec.prefixEncoding) {
    case 'ascii': {
      const text = latin1Text(bytes);
      return /^\d+$/.test(text) ? Number(text) : undefined;
    }
    case 'bcd': {
      const hex = toHex(bytes);
      return /^\d+$/.test(hex) ? Number(hex) : undefined;
    }
    case 'binary':
      return bytes.length === 1 ? bytes[0]! : (bytes[0]! << 8) | bytes[1]!;
  }
}

function pad(spec: FieldSpec, value: string): string {
  if (spec.prefix > 0 || value.length >= spec.length) return value;
  switch (spec.padding) {
    case 'zero-left':
      return value.padStart(spec.length, '0');
    case 'space-left':
      return value.padStart(spec.length, ' ');
    case 'space-right':
      return value.padEnd(spec.length, ' ');
    case 'none':
      return value;
  }
}

function checkKind(profile: Iso8583Profile, spec: FieldSpec, de: number, value: string): string | undefined {
  const strict = profile.strictKinds || spec.kind === 'b' || spec.encoding !== 'ascii';
  if (strict && !KIND_PATTERNS[spec.kind].test(value)) {
    return `DE ${de} (${spec.desc}) must be ${KIND_WORDS[spec.kind]}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Names the bits set in a 64-bit bitmap (`offset` 0 for primary, 64 for secondary). */
function bitsOf(bitmap: Uint8Array, offset: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if (bitmap[i >> 3]! & (0x80 >> (i & 7))) out.push(offset + i + 1);
  return out;
}

/**
 * Packs a message. Throws {@link Iso8583Error} naming the data element when the profile cannot
 * carry it (unknown element, wrong kind, too long, wrong fixed length).
 */
export function pack(profile: Iso8583Profile, message: Iso8583Message): Uint8Array {
  if (!/^\d{4}$/.test(message.mti))
    throw new Iso8583Error(`MTI must be 4 digits, got ${JSON.stringify(message.mti)}`, 'mti');
  const present = Object.keys(message.fields)
    .map(Number)
    .filter((de) => message.fields[de] !== undefined)
    .sort((a, b) => a - b);
  const bitmap = new Uint8Array(16);
  const parts: Uint8Array[] = [];
  for (const de of present) {
    if (!Number.isInteger(de) || de < 2 || de > 128) throw new Iso8583Error(`no data element ${de}`, de);
    const spec = profile.fields[de];
    if (!spec) throw new Iso8583Error(`profile ${profile.name} has no DE ${de}`, de);
    const value = pad(spec, String(message.fields[de]));
    const kindProblem = checkKind(profile, spec, de, value);
    if (kindProblem) throw new Iso8583Error(kindProblem, de);
    const { bytes, units } = encodeBody(spec, value);
    if (spec.prefix === 0 && units !== spec.length) {
      throw new Iso8583Error(`DE ${de} (${spec.desc}) is fixed at ${spec.length}, got ${units}`, de);
    }
    if (spec.prefix > 0 && units > spec.length) {
      throw new Iso8583Error(`DE ${de} (${spec.desc}) holds at most ${spec.length}, got ${units}`, de);
    }
    if (spec.prefix > 0) parts.push(encodePrefix(spec, units));
    parts.push(bytes);
    bitmap[(de - 1) >> 3]! |= 0x80 >> ((de - 1) & 7);
  }
  const secondary = present.some((de) => de > 64);
  if (secondary) bitmap[0]! |= 0x80;
  const maps = secondary ? bitmap : bitmap.subarray(0, 8);
  const mti = profile.mti === 'ascii' ? latin1Bytes(message.mti) : digitsToBcd(message.mti, false);
  const bitmapBytes = profile.bitmap === 'hex' ? latin1Bytes(toHex(maps)) : maps;
  return concatBytes(mti, bitmapBytes, ...parts);
}

export interface UnpackedMessage extends Iso8583Message {
  /** Primary bitmap as 16 hex characters. */
  primaryBitmap: string;
  /** Secondary bitmap as 16 hex characters, when bit 1 is set. */
  secondaryBitmap?: string;
}

/** Unpacks bytes; every problem (truncation, unknown element, bad length, wrong kind, trailing bytes) is a value. */
export function unpack(profile: Iso8583Profile, bytes: Uint8Array): Result<UnpackedMessage, Iso8583Problem> {
  const fail = (message: string, field?: Iso8583Problem['field']) => ({
    ok: false as const,
    error:
      field === undefined
        ? { code: 'iso8583_invalid' as const, message }
        : { code: 'iso8583_invalid' as const, message, field },
  });
  let at = 0;
  const take = (n: number): Uint8Array | undefined => {
    if (at + n > bytes.length) return undefined;
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };

  const mtiBytes = take(profile.mti === 'ascii' ? 4 : 2);
  const mti = mtiBytes && (profile.mti === 'ascii' ? latin1Text(mtiBytes) : bcdToDigits(mtiBytes, 4, false));
  if (!mti || !/^\d{4}$/.test(mti)) return fail('message does not start with a 4-digit MTI', 'mti');

  const readBitmap = (): Uint8Array | undefined => {
    if (profile.bitmap === 'binary') return take(8);
    const text = take(16);
    if (!text) return undefined;
    const hex = latin1Text(text);
    return isHex(hex) ? fromHex(hex) : undefined;
  };
  const primary = readBitmap();
  if (!primary) return fail('primary bitmap missing or not hex', 'bitmap');
  let present = bitsOf(primary, 0);
  let secondary: Uint8Array | undefined;
  if (present[0] === 1) {
    secondary = readBitmap();
    if (!secondary) return fail('bit 1 is set but the secondary bitmap is missing or not hex', 'bitmap');
    present = present.slice(1).concat(bitsOf(secondary, 64));
  }

  const fields: Record<number, string> = {};
  for (const de of present) {
    const spec = profile.fields[de];
    if (!spec) return fail(`bitmap sets DE ${de}, which profile ${profile.name} does not define`, de);
    let units = spec.length;
    if (spec.prefix > 0) {
      const prefix = take(prefixBytes(spec));
      const n = prefix && decodePrefix(spec, prefix);
      if (n === undefined) return fail(`DE ${de} (${spec.desc}): length prefix missing or not a number`, de);
      if (n > spec.length)
        return fail(`DE ${de} (${spec.desc}): length ${n} exceeds the maximum ${spec.length}`, de);
      units = n;
    }
    const body = take(bodyBytes(spec, units));
    if (!body) return fail(`DE ${de} (${spec.desc}): message ends inside the field`, de);
    let value: string | undefined;
    if (spec.encoding === 'binary') value = toHex(body);
    else if (spec.encoding === 'ascii') value = latin1Text(body);
    else value = bcdToDigits(body, units, spec.encoding === 'lbcd');
    if (value === undefined) return fail(`DE ${de} (${spec.desc}): BCD holds a non-digit nibble`, de);
    const kindProblem = checkKind(profile, spec, de, value);
    if (kindProblem) return fail(kindProblem, de);
    fields[de] = value;
  }
  if (at !== bytes.length) return fail(`${bytes.length - at} bytes left over after the last data element`);
  const message: UnpackedMessage = { mti, fields, primaryBitmap: toHex(primary) };
  if (secondary) message.secondaryBitmap = toHex(secondary);
  return { ok: true, value: message };
}

/**
 * The value as a person reads it: fixed alphanumeric fields without their padding. Use it for
 * display, not for re-packing.
 */
export function displayValue(spec: FieldSpec, value: string): string {
  if (spec.prefix > 0) return value;
  if (spec.padding === 'space-right') return value.trimEnd();
  if (spec.padding === 'space-left') return value.trimStart();
  return value;
}
