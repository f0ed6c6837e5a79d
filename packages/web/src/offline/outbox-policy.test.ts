import { describe, expect, it } from 'vitest';
import { classifyPush, nextBackoff, pushOrder } from './outbox-policy';

describe('outbox policy', () => {
  it('classifies server answers: synced, rejected with reason, retried, or waiting for sign-in', () => {
    expect(classifyPush(201)).toEqual({ kind: 'synced' });
    expect(classifyPush(200)).toEqual({ kind: 'synced' });
    expect(classifyPush(409, { code: 'price_mismatch', message: 'differs' })).toEqual({
      kind: 'rejected',
      code: 'price_mismatch',
      message: 'differs',
    });
    expect(classifyPush(422, { code: 'unknown_variant', message: 'x' }).kind).toBe('rejected');
    expect(classifyPush(400).kind).toBe('rejected');
    expect(classifyPush(0).kind).toBe('retry');
    expect(classifyPush(500).kind).toBe('retry');
    expect(classifyPush(503).kind).toBe('retry');
    expect(classifyPush(429).kind).toBe('retry');
    expect(classifyPush(401).kind).toBe('auth');
  });

  it('backs off from 1 s doubling to 60 s', () => {
    const waits: number[] = [];
    let w = 0;
    for (let i = 0; i < 9; i++) waits.push((w = nextBackoff(w)));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('pushes pending sales in HLC order', () => {
    const rows = [
      { orderId: 'ord_c', hlc: '1700000000002-0000-dev', status: 'pending' },
      { orderId: 'ord_a', hlc: '1700000000001-0001-dev', status: 'pending' },
      { orderId: 'ord_s', hlc: '1700000000000-0000-dev', status: 'synced' },
      { orderId: 'ord_b', hlc: '1700000000001-0000-dev', status: 'pending' },
      { orderId: 'ord_r', hlc: '1700000000000-0001-dev', status: 'rejected' },
    ];
    expect(pushOrder(rows).map((r) => r.orderId)).toEqual(['ord_b', 'ord_a', 'ord_c']);
  });
});
