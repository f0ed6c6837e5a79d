import { describe, expect, it } from 'vitest';
import { pack, unpack } from '../iso8583/codec';
import { OPENTILL_LINK } from '../iso8583/profiles';
import {
  entryModeCode,
  entryModeOf,
  makeRef,
  networkMessage,
  originalDataElements,
  readResponse,
  reversalMessage,
  saleMessage,
  transmissionTime,
} from './messages';
import { decideSandbox, expired, SANDBOX_AMOUNT_RULES, SANDBOX_CARDS } from './sandbox-rules';

const now = new Date('2026-12-01T14:05:09Z');
const who = { terminalId: 'TERM0001', merchantId: 'MERCHANT0000001' };

describe('link messages', () => {
  it('references: DE 7 in UTC, RRN from year digit, day of year, hour and STAN', () => {
    expect(transmissionTime(now)).toBe('1201140509');
    expect(makeRef(42, now)).toEqual({ stan: '000042', rrn: '633514000042', transmittedAt: '1201140509' });
  });

  it('a chip sale with a PIN packs in the link profile', () => {
    const ref = makeRef(1, now);
    const message = saleMessage(
      {
        amount: 1234,
        currency: 'CNY',
        card: { entryMode: 'chip', track2: '4242424242424242=3012201' },
        pin: {
          format: 'iso4-aes',
          ksn: '123456789012345600000001',
          block: 'A912150391AB65A67E52883D81CE2D15',
        },
      },
      ref,
      who,
      now,
    );
    expect(message.fields).toMatchObject({
      3: '000000',
      4: '000000001234',
      22: '051',
      35: '4242424242424242=3012201',
      49: '156',
    });
    expect(message.fields[2]).toBeUndefined();
    const back = unpack(OPENTILL_LINK, pack(OPENTILL_LINK, message));
    expect(back.ok && back.value.fields).toEqual(message.fields);
  });

  it('manual entry needs PAN and expiry; amounts and currencies are checked', () => {
    const ref = makeRef(2, now);
    expect(() =>
      saleMessage(
        { amount: 1, currency: 'CNY', card: { entryMode: 'manual', pan: '4242424242424242' } },
        ref,
        who,
        now,
      ),
    ).toThrow(RangeError);
    const card = { entryMode: 'manual' as const, pan: '4242424242424242', expiry: '3012' };
    expect(() => saleMessage({ amount: 1.5, currency: 'CNY', card }, ref, who, now)).toThrow(RangeError);
    expect(() => saleMessage({ amount: 1, currency: 'XXX', card }, ref, who, now)).toThrow(RangeError);
    expect(saleMessage({ amount: 1, currency: 'JPY', card }, ref, who, now).fields).toMatchObject({
      2: card.pan,
      14: '3012',
      22: '011',
      49: '392',
    });
  });

  it('reversal names the original in DE 90 and keeps its RRN', () => {
    const original = {
      mti: '0200',
      processingCode: '000000',
      amount: 500,
      currency: 'USD',
      ref: makeRef(7, now),
    };
    const message = reversalMessage(original, makeRef(8, now), who, now, true);
    expect(message.mti).toBe('0401');
    expect(message.fields[90]).toBe(originalDataElements(original));
    expect(message.fields[90]).toHaveLength(42);
    expect(message.fields[90]!.slice(0, 20)).toBe('0200000007' + original.ref.transmittedAt);
    expect(message.fields).toMatchObject({ 11: '000008', 37: original.ref.rrn, 4: '000000000500' });
    expect(networkMessage('301', makeRef(9, now))).toEqual({
      mti: '0800',
      fields: { 7: '1201140509', 11: '000009', 70: '301' },
    });
  });

  it('responses become typed results', () => {
    const ref = makeRef(3, now);
    expect(
      readResponse({ mti: '0210', fields: { 39: '00', 38: '123456', 4: '000000000800' } }, ref, 1000),
    ).toMatchObject({
      status: 'approved',
      approvedAmount: 800,
      partial: true,
      authCode: '123456',
    });
    expect(readResponse({ mti: '0210', fields: { 39: '51' } }, ref, 1000)).toMatchObject({
      status: 'declined',
      reason: 'insufficient funds',
    });
    expect(readResponse({ mti: '0210', fields: { 39: '91' } }, ref, 1000)).toMatchObject({
      status: 'error',
      code: 'issuer_unavailable',
      sent: true,
    });
    expect(readResponse({ mti: '0210', fields: { 39: 'Q1' } }, ref, 1000)).toMatchObject({
      status: 'declined',
      responseCode: 'Q1',
    });
    expect(readResponse({ mti: '0210', fields: {} }, ref, 1000)).toMatchObject({
      status: 'error',
      code: 'bad_response',
    });
  });

  it('entry modes map both ways', () => {
    for (const mode of ['chip', 'contactless', 'swipe', 'manual'] as const)
      expect(entryModeOf(entryModeCode(mode))).toBe(mode);
  });
});

describe('sandbox rules', () => {
  const base = { kind: 'sale' as const, pan: '4242424242424242', expiry: '3012', hasPinBlock: false, now };

  it('card checks come before amount rules', () => {
    expect(decideSandbox({ ...base, pan: '4242424242424241', amount: 151 }).responseCode).toBe('14');
    expect(decideSandbox({ ...base, expiry: '2611', amount: 151 }).responseCode).toBe('54');
    expect(decideSandbox({ ...base, expiry: '2612', amount: 100 }).responseCode).toBe('00');
    expect(decideSandbox({ ...base, pan: '4000000000009995', amount: 100 }).responseCode).toBe('51');
    expect(decideSandbox({ ...base, pan: '4000056655665556', amount: 151 }).responseCode).toBe('65');
    const pin = decideSandbox({ ...base, pan: '4000056655665556', amount: 100, hasPinBlock: true });
    expect(pin.verifyPinOf?.pin).toBe('1234');
  });

  it('every amount rule, for sales and refunds', () => {
    for (const rule of SANDBOX_AMOUNT_RULES) {
      const sale = decideSandbox({ ...base, amount: 4200 + rule.ending });
      const refund = decideSandbox({ ...base, kind: 'refund', amount: 4200 + rule.ending });
      if (rule.effect === 'respond') expect(sale.responseCode).toBe(rule.responseCode);
      if (rule.effect === 'partial') expect(sale).toMatchObject({ responseCode: '10', approvedAmount: 2105 });
      if (rule.effect === 'delay') expect(sale.timing).toBe('delay');
      if (rule.effect === 'drop') expect(sale.timing).toBe('drop');
      expect(refund.responseCode).toBe(
        ['91', '96'].includes(rule.responseCode ?? '') ? rule.responseCode : '00',
      );
    }
  });

  it('test cards are Luhn-valid and expiry is by month', () => {
    expect(
      SANDBOX_CARDS.every((c) => decideSandbox({ ...base, pan: c.pan, amount: 100 }).responseCode !== '14'),
    ).toBe(true);
    expect(expired('2611', now)).toBe(true);
    expect(expired('2612', now)).toBe(false);
    expect(expired('12', now)).toBe(true);
  });
});
