import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readVectors } from '../../test/vectors';
import { fromHex, toHex } from '../bytes';
import { aesEncrypt } from './primitives';
import {
  decipherPinBlock4,
  encipherPinBlock4,
  panField4,
  pinBlock0,
  pinBlock2,
  pinField4,
  readPinBlock,
} from './pinblock';

interface PinVector {
  id: string;
  format: 0 | 2 | 4;
  pin?: string;
  pan?: string;
  key?: string;
  random_fill?: string;
  expected_clear_pin_block?: string;
  expected_pin_field_first8?: string;
  expected_pan_field?: string;
  expected_pin_field?: string;
  expected_intermediate_A?: string;
  expected_intermediate_B?: string;
  expected_enciphered_pin_block?: string;
  enciphered_pin_block?: string;
  expected_pin?: string;
}

const { vectors } = readVectors<{ vectors: PinVector[] }>('pinblock.json');

describe('ISO 9564 PIN blocks (pinblock.json)', () => {
  it.each(vectors)('$id', (v) => {
    let checked = 0;
    if (v.expected_clear_pin_block) {
      const block = v.format === 0 ? pinBlock0(v.pin!, v.pan!) : pinBlock2(v.pin!);
      expect(block).toBe(v.expected_clear_pin_block);
      expect(readPinBlock(block, v.pan)).toEqual({ ok: true, value: v.pin });
      checked++;
    }
    if (v.expected_pin_field_first8) {
      expect(pinField4(v.pin!).slice(0, 16)).toBe(v.expected_pin_field_first8);
      checked++;
    }
    if (v.expected_pan_field) {
      expect(panField4(v.pan!)).toBe(v.expected_pan_field);
      checked++;
    }
    const key = v.key ? fromHex(v.key) : undefined;
    const fill = v.random_fill ? fromHex(v.random_fill) : undefined;
    if (v.expected_pin_field) {
      expect(pinField4(v.pin!, fill)).toBe(v.expected_pin_field);
      checked++;
    }
    if (v.expected_intermediate_A && key) {
      const a = aesEncrypt(key, fromHex(pinField4(v.pin!, fill)));
      expect(toHex(a)).toBe(v.expected_intermediate_A);
      const b = a.map((x, i) => x ^ fromHex(panField4(v.pan!))[i]!);
      expect(toHex(b)).toBe(v.expected_intermediate_B);
      checked++;
    }
    if (v.expected_enciphered_pin_block && key) {
      const block = encipherPinBlock4(key, v.pin!, v.pan!, fill);
      expect(block).toBe(v.expected_enciphered_pin_block);
      expect(decipherPinBlock4(key, block, v.pan!)).toEqual({ ok: true, value: v.pin });
      checked++;
    }
    if (v.enciphered_pin_block && key) {
      expect(decipherPinBlock4(key, v.enciphered_pin_block, v.pan!)).toEqual({
        ok: true,
        value: v.expected_pin,
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('PIN block properties', () => {
  const key = fromHex('00112233445566778899AABBCCDDEEFF');

  it('format 4 round-trips any PIN and PAN, and a wrong PAN or key does not decode', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4,12}$/), fc.stringMatching(/^\d{12,19}$/), (pin, pan) => {
        const block = encipherPinBlock4(key, pin, pan);
        expect(decipherPinBlock4(key, block, pan)).toEqual({ ok: true, value: pin });
        const otherPan = (pan[0] === '9' ? '1' : '9') + pan.slice(1);
        expect(decipherPinBlock4(key, block, otherPan).ok).toBe(false);
      }),
      { numRuns: 50 },
    );
    const wrong = decipherPinBlock4(
      fromHex('FF'.repeat(16)),
      encipherPinBlock4(key, '1234', '4111111111111111'),
      '4111111111111111',
    );
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_pin_block' } });
  });

  it('format 4 is randomised: the same PIN gives different blocks', () => {
    expect(encipherPinBlock4(key, '1234', '4111111111111111')).not.toBe(
      encipherPinBlock4(key, '1234', '4111111111111111'),
    );
  });

  it('refuses PINs outside 4–12 digits', () => {
    expect(() => pinBlock0('123', '4111111111111111')).toThrow(RangeError);
    expect(() => pinBlock2('1234567890123')).toThrow(RangeError);
    expect(() => pinField4('12a4')).toThrow(RangeError);
  });
});
