import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readVectors } from '../../test/vectors';
import { fromHex, latin1Bytes, latin1Text, toHex } from '../bytes';
import { Iso8583Error, pack, unpack } from './codec';
import { ASCII, BINARY, OPENTILL_LINK, PROFILES, profileByName } from './profiles';
import type { FieldSpec, Iso8583Profile } from './spec';

interface Vector {
  id: string;
  profile: string;
  raw_ascii?: string;
  expected?: { t: string; p: string; '1'?: string; fields: Record<string, string> };
  input?: { t: string; fields: Record<string, string> };
  expected_raw_ascii?: string;
  expected_raw_hex?: string;
  expected_primary_bitmap?: string;
  expected_secondary_bitmap?: string;
  expected_primary_bitmap_hex?: string;
  expected_secondary_bitmap_hex?: string;
  expected_bitmaps_hex?: string;
  fields_present?: number[];
  observed_getBufferMessage_hex?: string;
}

const { vectors } = readVectors<{ vectors: Vector[] }>('iso8583.json');

/** The profile each published vector names, by its source library. */
function profileFor(v: Vector): Iso8583Profile {
  if (v.id.startsWith('PYISO-') || v.id === 'MOOV-ASCII-0100') return ASCII;
  if (v.id === 'MOOV-BINARY-0100') return BINARY;
  if (v.id.startsWith('FLUIDPAY-')) return PROFILES['ascii-1993']!;
  throw new Error(`no profile for ${v.id}`);
}

/** What a fixed field holds on the wire after padding (the codec pads; the vectors show it). */
function padded(spec: FieldSpec, value: string): string {
  if (spec.prefix > 0 || value.length >= spec.length) return value;
  if (spec.padding === 'zero-left') return value.padStart(spec.length, '0');
  if (spec.padding === 'space-left') return value.padStart(spec.length, ' ');
  return value.padEnd(spec.length, ' ');
}

function inputFields(input: NonNullable<Vector['input']>): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [key, value] of Object.entries(input.fields)) out[Number(key.replace(/_hex$/, ''))] = value;
  return out;
}

const published = vectors.filter((v) => !v.id.startsWith('NPM-'));
const raw = (v: Vector) =>
  v.expected_raw_hex ? fromHex(v.expected_raw_hex) : latin1Bytes(v.expected_raw_ascii!);

describe('published messages', () => {
  it('every vector is covered', () => {
    expect(published.length).toBe(vectors.length - 1);
  });

  it.each(published.filter((v) => v.input))('$id packs and unpacks byte for byte', (v) => {
    const profile = profileFor(v);
    const fields = inputFields(v.input!);
    const bytes = pack(profile, { mti: v.input!.t, fields });
    expect(toHex(bytes)).toBe(toHex(raw(v)));

    const back = unpack(profile, bytes);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.mti).toBe(v.input!.t);
    const expectedFields: Record<number, string> = {};
    for (const [de, value] of Object.entries(fields))
      expectedFields[Number(de)] = padded(profile.fields[Number(de)]!, value);
    expect(back.value.fields).toEqual(expectedFields);
    expect(toHex(pack(profile, back.value))).toBe(toHex(bytes));

    const primary =
      v.expected_primary_bitmap ?? v.expected_primary_bitmap_hex ?? v.expected_bitmaps_hex?.slice(0, 16);
    if (primary) expect(back.value.primaryBitmap).toBe(primary);
    const secondary =
      v.expected_secondary_bitmap ?? v.expected_secondary_bitmap_hex ?? v.expected_bitmaps_hex?.slice(16);
    expect(back.value.secondaryBitmap).toBe(secondary || undefined);
    if (v.fields_present) {
      // some vectors list bit 1 (the secondary bitmap) among the fields, some do not
      const present = Object.keys(back.value.fields).map(Number);
      expect(present).toEqual(v.fields_present.filter((de) => de !== 1));
      if (v.fields_present.includes(1)) expect(back.value.secondaryBitmap).toBeDefined();
    }
  });

  it.each(published.filter((v) => v.raw_ascii))('$id unpacks and repacks', (v) => {
    const profile = profileFor(v);
    const bytes = latin1Bytes(v.raw_ascii!);
    const back = unpack(profile, bytes);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.mti).toBe(v.expected!.t);
    expect(back.value.primaryBitmap).toBe(v.expected!.p);
    expect(back.value.secondaryBitmap).toBe(v.expected!['1']);
    expect(back.value.fields).toEqual(
      Object.fromEntries(Object.entries(v.expected!.fields).map(([k, x]) => [Number(k), x])),
    );
    expect(latin1Text(pack(profile, back.value))).toBe(v.raw_ascii);
  });

  it('the iso_8583 package output: readable, but we only set bit 1 when DE 65–128 are present', () => {
    const v = vectors.find((x) => x.id.startsWith('NPM-'))!;
    const frame = fromHex(v.observed_getBufferMessage_hex!);
    const length = (frame[0]! << 8) | frame[1]!;
    expect(length).toBe(frame.length - 2);
    const back = unpack(BINARY, frame.subarray(2));
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.secondaryBitmap).toBe('0000000000000000');
    expect(back.value.fields).toEqual(inputFields(v.input!));
    const ours = pack(BINARY, back.value);
    expect(ours.length).toBe(frame.length - 2 - 8);
    expect(ours[4]! & 0x80).toBe(0);
  });
});

describe('codec rules', () => {
  it('DE 102 alone sets bit 1 and the secondary bitmap', () => {
    const bytes = pack(ASCII, { mti: '0200', fields: { 102: '111111' } });
    expect(latin1Text(bytes)).toBe('02008000000000000000000000000400000006111111');
  });

  it('refuses what the profile cannot carry, naming the field', () => {
    const attempt = (fields: Record<number, string>, profile = BINARY) => {
      try {
        pack(profile, { mti: '0200', fields });
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(Iso8583Error);
        return (e as Iso8583Error).field;
      }
    };
    expect(attempt({ 2: '4'.repeat(20) })).toBe(2);
    expect(attempt({ 4: '12.00' })).toBe(4);
    expect(attempt({ 4: '1234567890123' })).toBe(4);
    expect(attempt({ 52: '0102' })).toBe(52);
    expect(attempt({ 1: 'x' })).toBe(1);
    expect(() => pack(BINARY, { mti: '200', fields: {} })).toThrow(Iso8583Error);
  });

  it('unpack reports truncation, unknown fields, bad prefixes and leftovers as values', () => {
    const good = pack(BINARY, { mti: '0200', fields: { 2: '4242424242424242', 3: '000000', 4: '100' } });
    for (let cut = 0; cut < good.length; cut++) expect(unpack(BINARY, good.subarray(0, cut)).ok).toBe(false);
    expect(unpack(BINARY, new Uint8Array([...good, 0x30])).ok).toBe(false);
    const bad = unpack(ASCII, latin1Bytes('02004000000000000000AB1234567890'));
    expect(bad).toMatchObject({ ok: false, error: { code: 'iso8583_invalid', field: 2 } });
    expect(unpack(ASCII, latin1Bytes('0200ZZ00000000000000'))).toMatchObject({
      ok: false,
      error: { field: 'bitmap' },
    });
  });

  it('the link profile carries 8- and 16-byte PIN blocks and a KSN', () => {
    for (const block of ['041274EDCBA9876F', 'A912150391AB65A67E52883D81CE2D15']) {
      const message = { mti: '0200', fields: { 11: '000001', 52: block, 53: 'FFFF9876543210E00001' } };
      const back = unpack(OPENTILL_LINK, pack(OPENTILL_LINK, message));
      expect(back.ok && back.value.fields).toEqual(message.fields);
    }
  });

  it('profiles are found by name', () => {
    expect(profileByName('binary')).toBe(BINARY);
    expect(profileByName('toString')).toBeUndefined();
  });

  it('any message of in-spec values round-trips in every profile', () => {
    const value = fc.tuple(fc.integer({ min: 2, max: 128 }), fc.string({ minLength: 0, maxLength: 30 }));
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(PROFILES)),
        fc.array(value, { maxLength: 12 }),
        (profile, entries) => {
          const fields: Record<number, string> = {};
          for (const [de, seed] of entries) {
            const spec = profile.fields[de];
            if (!spec) continue;
            const max = Math.min(spec.length, 30);
            const chars =
              spec.kind === 'b'
                ? toHex(latin1Bytes(seed.slice(0, max).replace(/[^\x20-\x7e]/g, 'x')))
                : spec.kind === 'n' || spec.kind === 'z'
                  ? seed.replace(/\D/g, '').slice(0, max) || '7'
                  : seed.replace(/[^A-Za-z0-9]/g, '').slice(0, max) || 'A';
            if (spec.kind === 'b' && spec.prefix === 0) fields[de] = 'AB'.repeat(spec.length);
            else if (spec.kind === 'b') fields[de] = chars || '00';
            else fields[de] = spec.prefix === 0 ? padded(spec, chars.slice(0, spec.length)) : chars;
          }
          const bytes = pack(profile, { mti: '0100', fields });
          const back = unpack(profile, bytes);
          if (!back.ok) throw new Error(back.error.message);
          expect(back.value.fields).toEqual(fields);
        },
      ),
    );
  });
});

describe('untrusted input', () => {
  it('unpack never throws on arbitrary bytes, in any profile', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(PROFILES)),
        fc.uint8Array({ maxLength: 300 }),
        (profile, bytes) => {
          const result = unpack(profile, bytes);
          if (result.ok)
            expect(unpack(profile, pack(profile, result.value))).toMatchObject({
              ok: true,
              value: { fields: result.value.fields },
            });
        },
      ),
      { numRuns: 500 },
    );
  });
});
