import { describe, expect, it } from 'vitest';
import { findPans, maskPan } from './pci';

describe('card number scan', () => {
  it('finds Luhn-valid card numbers, bare or printed in groups', () => {
    expect(findPans('pan=4111111111111111;')).toEqual(['4111111111111111']);
    expect(findPans('card 5555 5555 5555 4444 ok')).toEqual(['5555555555554444']);
    expect(findPans('amex 3782-822463-10005')).toEqual(['378282246310005']);
    expect(findPans('unionpay 6212345678901265')).toEqual(['6212345678901265']);
  });
  it('ignores barcodes, Luhn failures, ids and timestamps', () => {
    expect(findPans('4111111111111112')).toEqual([]); // Luhn fails
    expect(findPans('EAN 6901234567892 and 4901234567894')).toEqual([]); // 13-digit barcodes
    expect(findPans('ord_19ada1b2c35-000001-41111111')).toEqual([]);
    expect(findPans('2026-12-01T14:33:00.000Z 01a23202-1f22-7f27-91f4-2b3ce7f061bd')).toEqual([]);
    // a hex hash that holds a Luhn-valid Visa-shaped run by chance
    expect(findPans('9f3c4111111111111111ab07e2d1')).toEqual([]);
    expect(findPans('hash 4111111111111111e9')).toEqual([]);
    // next to punctuation or an underscore it is still a card number
    expect(findPans('"4111111111111111"')).toEqual(['4111111111111111']);
    expect(findPans('tok_4111111111111111')).toEqual(['4111111111111111']);
  });
  it('masks to first 6 and last 4', () => {
    expect(maskPan('4111111111111111')).toBe('411111••••••1111');
  });
});
