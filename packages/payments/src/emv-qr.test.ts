import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readVectors } from '../test/vectors';
import {
  buildMerchantQr,
  charLength,
  crc16,
  decodeQr,
  encodeNodes,
  encodeQr,
  summarizeQr,
  type QrInput,
} from './emv-qr';

interface QrVector {
  id: string;
  input_ascii?: string;
  payload?: string;
  expected_crc: string;
  crc_valid?: boolean;
  expect_schema_valid?: boolean;
  breakdown?: { id: string; len: number; value: string }[];
}

const file = readVectors<{ crc: { check_123456789: string }; vectors: QrVector[] }>('emv-qr.json');
const withPayload = file.vectors.filter((v) => v.payload !== undefined);

describe('CRC-16/CCITT-FALSE', () => {
  it('check value of "123456789"', () => {
    const check = file.vectors.find((v) => v.input_ascii !== undefined)!;
    expect(crc16(check.input_ascii!)).toBe(check.expected_crc);
    expect(crc16('123456789')).toBe(file.crc.check_123456789);
  });
});

describe('published payloads', () => {
  it('covers every entry of emv-qr.json', () => {
    expect(withPayload.length + 1).toBe(file.vectors.length);
  });

  it.each(withPayload)('$id: CRC over UTF-8 bytes', (v) => {
    const payload = v.payload!;
    expect(crc16(payload.slice(0, -4))).toBe(v.expected_crc);
    const result = decodeQr(payload);
    expect(result.crcValid).toBe(v.crc_valid);
    if (v.crc_valid === false) {
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => e.code)).toContain('crc_mismatch');
    }
  });

  it.each(withPayload.filter((v) => v.expect_schema_valid !== undefined))('$id: schema validity', (v) => {
    const result = decodeQr(v.payload!);
    expect(result.valid, JSON.stringify(result.errors)).toBe(v.expect_schema_valid);
    if (v.expect_schema_valid === false) expect(result.errors.length).toBeGreaterThan(0);
  });

  it.each(withPayload.filter((v) => v.breakdown))('$id: TLV breakdown, lengths in characters', (v) => {
    const result = decodeQr(v.payload!);
    expect(result.nodes.map((n) => ({ id: n.id, len: charLength(n.value), value: n.value }))).toEqual(
      v.breakdown,
    );
  });

  it.each(withPayload.filter((v) => v.crc_valid))('$id: re-encodes byte for byte, and canonically', (v) => {
    const decoded = decodeQr(v.payload!);
    expect(encodeNodes(decoded.nodes)).toBe(v.payload!.slice(0, -4) + v.payload!.slice(-4).toUpperCase());
    const again = decodeQr(encodeQr(decoded.objects as QrInput));
    expect(again.crcValid).toBe(true);
    const { '63': _crc, ...objects } = decoded.objects;
    const { '63': _crc2, ...againObjects } = again.objects;
    expect(againObjects).toEqual(objects);
  });

  it('QRIS sample without MCC fails with one clear error', () => {
    const qris = decodeQr(withPayload.find((v) => v.id === 'ID-QRIS-NO-MCC-NEGATIVE')!.payload!);
    expect(qris.crcValid).toBe(true);
    expect(qris.errors).toEqual([
      { code: 'missing_object', message: 'Merchant Category Code (52) is missing', id: '52' },
    ]);
  });

  it('the EMVCo example nests templates and reads as business values', () => {
    const spec = decodeQr(withPayload.find((v) => v.id === 'EMVCO-SPEC-A13A')!.payload!);
    expect(spec.objects['64']).toEqual({ '00': 'ZH', '01': '最佳运输', '02': '北京' });
    expect(spec.objects['62']).toEqual({ '03': '1234', '06': '***', '07': 'A6008667', '09': 'ME' });
    expect(summarizeQr(spec)).toMatchObject({
      dynamic: true,
      merchantName: 'BEST TRANSPORT',
      currency: 'CNY',
      amount: 2372,
      accounts: [
        { id: '29', gui: 'D15600000000' },
        { id: '31', gui: 'D15600000001' },
      ],
    });
  });
});

describe('validation: one error per problem', () => {
  const good = encodeQr({
    '01': '11',
    '26': { '00': 'br.gov.bcb.pix', '01': 'key@example.com' },
    '52': '5812',
    '53': '986',
    '58': 'BR',
    '59': 'Cafe',
    '60': 'SAO PAULO',
  });

  it('a well-formed code is valid', () => {
    expect(decodeQr(good)).toMatchObject({ valid: true, crcValid: true, errors: [] });
  });

  it('reports every missing object and bad value separately', () => {
    const bad = encodeQr({ '01': '13', '53': '98', '54': '1,00', '55': '02', '58': 'Brazil' });
    const result = decodeQr(bad);
    expect(result.crcValid).toBe(true);
    expect(result.errors.map((e) => `${e.code}:${e.id}`)).toEqual([
      'missing_object:52',
      'missing_object:59',
      'missing_object:60',
      'missing_object:02-51',
      'missing_object:56',
      'invalid_value:01',
      'invalid_value:53',
      'invalid_value:54',
      'invalid_value:58',
    ]);
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(10);
  });

  it('structure errors: truncated length, duplicate IDs, misplaced objects, missing GUI', () => {
    expect(decodeQr('000201520441').errors[0]).toMatchObject({ code: 'malformed', id: '52' });
    expect(decodeQr('0002015X').errors[0]).toMatchObject({ code: 'malformed' });
    const dup = decodeQr(
      encodeQr({ '26': { '01': 'no gui' }, '52': '5812', '53': '986', '58': 'BR', '59': 'A', '60': 'B' }),
    );
    expect(dup.errors).toEqual([
      { code: 'missing_object', message: expect.stringContaining('26.00'), id: '26.00' },
    ]);
    const moved = '52045812' + good.slice(0, -4).slice(0);
    const movedResult = decodeQr(moved + crc16(moved));
    expect(movedResult.errors.map((e) => e.code)).toEqual(['duplicate_id', 'misplaced_object']);
    expect(decodeQr('').errors.map((e) => e.code)).toContain('crc_missing');
  });

  it('accepts a lower-case CRC', () => {
    expect(decodeQr(good.slice(0, -4) + good.slice(-4).toLowerCase()).crcValid).toBe(true);
  });
});

describe('building codes', () => {
  it('dynamic code with amount in minor units and a reference', () => {
    const payload = buildMerchantQr({
      accounts: [{ id: '26', gui: 'br.gov.bcb.pix', fields: { '01': 'shop@example.com' } }],
      merchantCategoryCode: '5812',
      currency: 'BRL',
      amount: 1050,
      countryCode: 'BR',
      merchantName: 'OpenTill Cafe',
      merchantCity: 'SAO PAULO',
      reference: 'ord0001',
    });
    const result = decodeQr(payload);
    expect(result.valid).toBe(true);
    expect(result.objects['01']).toBe('12');
    expect(result.objects['54']).toBe('10.50');
    expect(summarizeQr(result)).toMatchObject({
      dynamic: true,
      amount: 1050,
      currency: 'BRL',
      reference: 'ord0001',
    });
  });

  it('zero-decimal currencies and Chinese names count characters', () => {
    const payload = buildMerchantQr({
      primitiveAccounts: { '15': '3721011637210116' },
      merchantCategoryCode: '5411',
      currency: 'JPY',
      amount: 500,
      countryCode: 'JP',
      merchantName: 'OpenTill',
      merchantCity: 'TOKYO',
      alternateLanguage: { language: 'ZH', merchantName: '开放收银', merchantCity: '东京' },
    });
    const result = decodeQr(payload);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect(payload).toContain('5403500');
    expect(payload).toContain('0104开放收银');
    expect(summarizeQr(result).amount).toBe(500);
  });

  it('a static code has no amount and POI 11', () => {
    const payload = buildMerchantQr({
      accounts: [{ id: '29', gui: 'A000000677010111', fields: { '01': '0066812345678' } }],
      merchantCategoryCode: '5411',
      currency: 'THB',
      countryCode: 'TH',
      merchantName: 'Shop',
      merchantCity: 'Bangkok',
    });
    expect(decodeQr(payload)).toMatchObject({ valid: true, objects: { '01': '11' }, profile: 'promptpay' });
  });

  it('refuses values longer than 99 characters and names over the spec caps', () => {
    expect(() => encodeQr({ '59': 'x'.repeat(100) })).toThrow(RangeError);
    expect(() =>
      buildMerchantQr({
        primitiveAccounts: { '15': '1' },
        merchantCategoryCode: '5411',
        currency: 'USD',
        countryCode: 'KH',
        merchantName: 'Shop',
        merchantCity: 'Banteay Meanchey',
      }),
    ).toThrow(/at most 15/);
  });

  it('round-trips arbitrary text values, including astral characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 25 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (name, key) => {
          const payload = encodeQr({
            '26': { '00': 'x.example', '01': key },
            '52': '5812',
            '53': '156',
            '58': 'CN',
            '59': name,
            '60': 'SH',
          });
          const result = decodeQr(payload);
          expect(result.crcValid).toBe(true);
          expect(result.objects['59']).toBe(name);
          expect((result.objects['26'] as Record<string, string>)['01']).toBe(key);
        },
      ),
    );
  });
});

describe('untrusted input', () => {
  it('decodeQr never throws and always explains an invalid payload', () => {
    const published = withPayload.map((v) => v.payload!);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .tuple(fc.constantFrom(...published), fc.nat(300), fc.string({ maxLength: 3 }))
            .map(([p, at, insert]) => p.slice(0, at % p.length) + insert + p.slice((at % p.length) + 1)),
        ),
        (text) => {
          const result = decodeQr(text);
          expect(result.valid).toBe(result.errors.length === 0);
          expect(typeof result.objects).toBe('object');
        },
      ),
      { numRuns: 500 },
    );
  });
});
