import { describe, expect, it } from 'vitest';
import * as core from './index';

describe('public API', () => {
  it('exports the agreed names', () => {
    const functions = [
      'ok',
      'err',
      'currencyInfo',
      'isCurrency',
      'isSafeMinor',
      'toMinor',
      'formatMinor',
      'formatMoney',
      'divRound',
      'roundToIncrement',
      'allocate',
      'toMilli',
      'unitAllowsFraction',
      'gtinCheckDigit',
      'isValidGtin',
      'parseBarcode',
      'normalizeGtin',
      'makeEmbeddedBarcode',
      'priceCart',
      'settleTenders',
      'transition',
      'transitionsToMarkdown',
      'planRefund',
    ] as const;
    for (const name of functions) expect(typeof core[name], name).toBe('function');
    expect(core.MAX_MINOR).toBe(Number.MAX_SAFE_INTEGER);
    expect(core.QTY_SCALE).toBe(1000);
    expect(core.orderTransitions.open).toEqual(['paid', 'voided']);
    expect(core.paymentTransitions.pending).toEqual(['authorized', 'captured', 'declined', 'reversed']);
  });
});
