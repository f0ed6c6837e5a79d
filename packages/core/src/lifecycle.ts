import type { DomainError, Result } from './result';
import { fail, ok } from './result';

/** A lifecycle as a table: each state lists the states it may move to. */
export type Transitions<S extends string> = { readonly [K in S]: readonly S[] };

export type OrderState = 'open' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';

export const orderTransitions: Transitions<OrderState> = {
  open: ['paid', 'voided'],
  paid: ['partially_refunded', 'refunded', 'voided'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
};

export type PaymentState =
  | 'pending'
  | 'authorized'
  | 'captured'
  | 'refunded'
  | 'partially_refunded'
  | 'voided'
  | 'reversed'
  | 'declined';

export const paymentTransitions: Transitions<PaymentState> = {
  pending: ['authorized', 'captured', 'declined', 'reversed'],
  authorized: ['captured', 'voided', 'reversed'],
  // a captured payment can still be voided until its batch is settled (end of day)
  captured: ['partially_refunded', 'refunded', 'voided', 'reversed'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
  reversed: [],
  declined: [],
};

export function canTransition<S extends string>(table: Transitions<S>, from: S, to: S): boolean {
  return Object.hasOwn(table, from) && table[from].includes(to);
}

/** States with no way out. */
export function finalStates<S extends string>(table: Transitions<S>): S[] {
  return (Object.keys(table) as S[]).filter((state) => table[state].length === 0);
}

/** Moves `from` to `to` if the table allows it; never silently stays put. */
export function transition<S extends string>(
  table: Transitions<S>,
  from: S,
  to: S,
): Result<S, DomainError<'illegal_transition'>> {
  if (canTransition(table, from, to)) return ok(to);
  return fail('illegal_transition', `cannot go from ${from} to ${to}`, {
    from,
    to,
    allowed: Object.hasOwn(table, from) ? [...table[from]] : [],
  });
}

/** Renders a lifecycle table as Markdown for the docs. */
export function transitionsToMarkdown<S extends string>(name: string, table: Transitions<S>): string {
  const rows = (Object.keys(table) as S[]).map((state) => {
    const next = table[state];
    const cell = next.length === 0 ? '— (final)' : next.map((s) => `\`${s}\``).join(', ');
    return `| \`${state}\` | ${cell} |`;
  });
  return [`### ${name}`, '', '| From | May move to |', '| --- | --- |', ...rows, ''].join('\n');
}
