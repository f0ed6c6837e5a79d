import { describe, expect, it } from 'vitest';
import type { OrderState, PaymentState } from './lifecycle';
import {
  canTransition,
  finalStates,
  orderTransitions,
  paymentTransitions,
  transition,
  transitionsToMarkdown,
} from './lifecycle';

describe('order lifecycle', () => {
  it('allows the documented moves', () => {
    expect(transition(orderTransitions, 'open', 'paid')).toEqual({ ok: true, value: 'paid' });
    expect(transition(orderTransitions, 'paid', 'partially_refunded')).toEqual({
      ok: true,
      value: 'partially_refunded',
    });
    expect(transition(orderTransitions, 'partially_refunded', 'partially_refunded').ok).toBe(true);
    expect(transition(orderTransitions, 'partially_refunded', 'refunded').ok).toBe(true);
  });

  it('refuses the rest, never silently staying put', () => {
    const result = transition(orderTransitions, 'refunded', 'paid');
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'illegal_transition',
        message: 'cannot go from refunded to paid',
        details: { from: 'refunded', to: 'paid', allowed: [] },
      },
    });
    expect(transition(orderTransitions, 'open', 'open').ok).toBe(false);
    expect(transition(orderTransitions, 'voided', 'open').ok).toBe(false);
    expect(transition(orderTransitions, 'partially_refunded', 'voided').ok).toBe(false);
    expect(finalStates(orderTransitions).sort()).toEqual<OrderState[]>(['refunded', 'voided']);
  });
});

describe('payment lifecycle', () => {
  it('matches the table', () => {
    const allowed: [PaymentState, PaymentState][] = [
      ['pending', 'authorized'],
      ['pending', 'captured'],
      ['pending', 'declined'],
      ['pending', 'reversed'],
      ['authorized', 'captured'],
      ['authorized', 'voided'],
      ['authorized', 'reversed'],
      ['captured', 'partially_refunded'],
      ['captured', 'refunded'],
      ['captured', 'voided'],
      ['captured', 'reversed'],
      ['partially_refunded', 'partially_refunded'],
      ['partially_refunded', 'refunded'],
    ];
    const states = Object.keys(paymentTransitions) as PaymentState[];
    for (const from of states) {
      for (const to of states) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(paymentTransitions, from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
    expect(finalStates(paymentTransitions).sort()).toEqual<PaymentState[]>([
      'declined',
      'refunded',
      'reversed',
      'voided',
    ]);
  });
});

describe('transitionsToMarkdown', () => {
  it('renders a table for the docs', () => {
    expect(transitionsToMarkdown('Order', orderTransitions)).toBe(
      [
        '### Order',
        '',
        '| From | May move to |',
        '| --- | --- |',
        '| `open` | `paid`, `voided` |',
        '| `paid` | `partially_refunded`, `refunded`, `voided` |',
        '| `partially_refunded` | `partially_refunded`, `refunded` |',
        '| `refunded` | — (final) |',
        '| `voided` | — (final) |',
        '',
      ].join('\n'),
    );
  });
});
