/**
 * How the sandbox acquirer answers: by test card, then by the last two digits of the amount in
 * minor units (the cents: 12.51 → 51). Pure data and one pure function, so the table in the
 * README and the host's behaviour cannot drift apart.
 */
import { luhnValid } from '../cards';

export interface SandboxCard {
  pan: string;
  /** What the host does with a sale on this card, before the amount rules. */
  behaviour: 'approve' | 'online-pin' | 'decline';
  /** The response code a `decline` card gets. */
  responseCode?: string;
  /** The card's PIN, for `online-pin` cards (the host stores only its verification value in the HSM). */
  pin?: string;
  note: string;
}

/** Test cards with special behaviour; any other Luhn-valid, unexpired card is approved. */
export const SANDBOX_CARDS: readonly SandboxCard[] = [
  {
    pan: '4000056655665556',
    behaviour: 'online-pin',
    pin: '1234',
    note: 'Visa debit: online PIN 1234 (55 wrong PIN, 65 no PIN)',
  },
  {
    pan: '6200000000000005',
    behaviour: 'online-pin',
    pin: '1234',
    note: 'UnionPay: online PIN 1234 (55 wrong PIN, 65 no PIN)',
  },
  { pan: '6200000000000047', behaviour: 'online-pin', pin: '8888', note: 'UnionPay debit: online PIN 8888' },
  {
    pan: '4000000000000002',
    behaviour: 'decline',
    responseCode: '05',
    note: 'always declined: 05 do not honour',
  },
  {
    pan: '4000000000009995',
    behaviour: 'decline',
    responseCode: '51',
    note: 'always declined: 51 insufficient funds',
  },
  {
    pan: '4000000000000069',
    behaviour: 'decline',
    responseCode: '54',
    note: 'always declined: 54 expired card',
  },
];

/** What the last two digits of a sale amount (minor units) trigger. */
export interface AmountRule {
  ending: number;
  effect: 'respond' | 'partial' | 'delay' | 'drop';
  responseCode?: string;
  note: string;
}

export const SANDBOX_AMOUNT_RULES: readonly AmountRule[] = [
  { ending: 5, effect: 'respond', responseCode: '05', note: 'declined: 05 do not honour' },
  {
    ending: 10,
    effect: 'partial',
    responseCode: '10',
    note: 'partial approval of half the amount (rounded down)',
  },
  { ending: 51, effect: 'respond', responseCode: '51', note: 'declined: 51 insufficient funds' },
  { ending: 61, effect: 'respond', responseCode: '61', note: 'declined: 61 exceeds amount limit' },
  { ending: 91, effect: 'respond', responseCode: '91', note: 'error: 91 issuer unavailable' },
  { ending: 96, effect: 'respond', responseCode: '96', note: 'error: 96 system malfunction' },
  {
    ending: 98,
    effect: 'delay',
    note: 'answered after the slow delay (default 2 s): use it to hit timeouts',
  },
  { ending: 99, effect: 'drop', note: 'never answered: use it to test timeout and reversal' },
];

export interface SandboxDecision {
  responseCode: string;
  /** Approved amount for 00/10. */
  approvedAmount?: number;
  /** Answer late or never. */
  timing: 'now' | 'delay' | 'drop';
  /** The PIN must be verified (through the HSM) before answering; a wrong PIN turns into 55. */
  verifyPinOf?: SandboxCard;
}

export function sandboxCard(pan: string): SandboxCard | undefined {
  return SANDBOX_CARDS.find((c) => c.pan === pan);
}

/** True when the YYMM expiry is before the month of `now`. */
export function expired(expiry: string, now: Date): boolean {
  if (!/^\d{4}$/.test(expiry)) return true;
  const year = 2000 + Number(expiry.slice(0, 2));
  const month = Number(expiry.slice(2));
  return year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
}

/**
 * The host's decision for a sale or refund, before any PIN check. Order: card number (14),
 * expiry (54), declining test cards, PIN requirement (65 without a PIN block), amount endings.
 * Refunds skip the card and PIN rules but keep the timing and error endings.
 */
export function decideSandbox(input: {
  kind: 'sale' | 'refund';
  pan: string | undefined;
  expiry: string | undefined;
  amount: number;
  hasPinBlock: boolean;
  now: Date;
}): SandboxDecision {
  const ending = input.amount % 100;
  const rule = SANDBOX_AMOUNT_RULES.find((r) => r.ending === ending);
  const timing = rule?.effect === 'delay' ? 'delay' : rule?.effect === 'drop' ? 'drop' : 'now';
  if (!input.pan || !luhnValid(input.pan)) return { responseCode: '14', timing };
  if (!input.expiry || expired(input.expiry, input.now)) return { responseCode: '54', timing };
  if (input.kind === 'refund') {
    if (rule?.effect === 'respond' && (rule.responseCode === '91' || rule.responseCode === '96')) {
      return { responseCode: rule.responseCode, timing };
    }
    return { responseCode: '00', approvedAmount: input.amount, timing };
  }
  const card = sandboxCard(input.pan);
  if (card?.behaviour === 'decline') return { responseCode: card.responseCode ?? '05', timing };
  if (card?.behaviour === 'online-pin' && !input.hasPinBlock) return { responseCode: '65', timing };
  const decision: SandboxDecision =
    rule?.effect === 'respond'
      ? { responseCode: rule.responseCode!, timing }
      : rule?.effect === 'partial'
        ? { responseCode: '10', approvedAmount: Math.floor(input.amount / 2), timing }
        : { responseCode: '00', approvedAmount: input.amount, timing };
  if (card?.behaviour === 'online-pin') decision.verifyPinOf = card;
  return decision;
}

/**
 * Named test cards the simulated payment terminals read (the demo, the browser tests): callers
 * choose a card by name, so no card number ever crosses the API. Public test numbers only.
 */
export const TERMINAL_TEST_CARDS = {
  visa: { card: { pan: '4242424242424242', expiry: '3012' }, pin: undefined },
  visa_debit_pin: { card: { pan: '4000056655665556', expiry: '3012' }, pin: '1234' },
  unionpay_pin: { card: { pan: '6200000000000005', expiry: '3012' }, pin: '1234' },
  mastercard: { card: { pan: '5555555555554444', expiry: '3012' }, pin: undefined },
  declined: { card: { pan: '4000000000000002', expiry: '3012' }, pin: undefined },
  insufficient_funds: { card: { pan: '4000000000009995', expiry: '3012' }, pin: undefined },
} as const;

export type TerminalTestCardName = keyof typeof TERMINAL_TEST_CARDS;
