/**
 * The card-acquiring contract: what the server asks of an acquirer, whatever carries it (the
 * TCP ISO 8583 connector to the sandbox host here; a production adapter for a real acquirer
 * implements the same interface). Card data passes through and is never stored: results carry
 * only references (STAN, RRN, auth code) and the masked PAN.
 */

/** How the card was read; it decides DE 22 (POS entry mode) and which card data is sent. */
export type EntryMode = 'chip' | 'contactless' | 'swipe' | 'manual';

/** Card data from the terminal, for one request only (sensitive: never persist or log it). */
export interface CardInput {
  entryMode: EntryMode;
  /** PAN: required for manual entry, otherwise read from track 2. */
  pan?: string;
  /** YYMM: required for manual entry. */
  expiry?: string;
  /** Track 2 equivalent data (`PAN=YYMMSSS…`), for chip, contactless and swipe. */
  track2?: string;
  /** ICC (EMV) data, hex, sent as DE 55. */
  icc?: string;
}

/** A PIN block encrypted on the terminal under its DUKPT key: never a clear PIN. */
export interface EncryptedPin {
  /** `iso0-tdes`: 8-byte ISO 9564 format 0 under TDES DUKPT; `iso4-aes`: 16-byte format 4 under AES DUKPT. */
  format: 'iso0-tdes' | 'iso4-aes';
  /** Key serial number, hex (20 characters TDES, 24 AES). */
  ksn: string;
  /** Encrypted PIN block, hex. */
  block: string;
}

/**
 * Identifies one message to the acquirer. Made before sending so that a reversal can be queued
 * first (a crash between send and answer must still end in a reversal or a known result).
 */
export interface TransactionRef {
  /** DE 11, 6 digits. */
  stan: string;
  /** DE 37, 12 characters. */
  rrn: string;
  /** DE 7, MMDDhhmmss UTC. */
  transmittedAt: string;
}

interface Common {
  /** Minor units of `currency`. */
  amount: number;
  /** ISO 4217 alphabetic code. */
  currency: string;
  /** Given by the caller to record it before sending; made by the connector otherwise. */
  ref?: TransactionRef;
}

export interface SaleRequest extends Common {
  card: CardInput;
  pin?: EncryptedPin;
}

export interface RefundRequest extends Common {
  card: CardInput;
}

/** What a reversal needs of the original: no card data, so it can wait in an outbox. */
export interface OriginalTransaction {
  /** `0200` for a sale or refund. */
  mti: string;
  /** DE 3 of the original: `000000` sale, `200000` refund. */
  processingCode: string;
  amount: number;
  currency: string;
  ref: TransactionRef;
}

export interface ReversalRequest {
  original: OriginalTransaction;
  /** True for a repeat (MTI 0401) after an earlier reversal got no answer. */
  repeat?: boolean;
  ref?: TransactionRef;
}

interface ResultCommon {
  ref: TransactionRef;
}

export interface Approved extends ResultCommon {
  status: 'approved';
  responseCode: string;
  authCode: string;
  /** What the issuer approved, in minor units; less than requested on a partial approval (code 10). */
  approvedAmount: number;
  partial: boolean;
  maskedPan?: string;
}

export interface Declined extends ResultCommon {
  status: 'declined';
  responseCode: string;
  reason: string;
}

export interface Failed extends ResultCommon {
  status: 'error';
  /** `issuer_unavailable`, `system_error`, `not_connected`, `bad_response`, … */
  code: string;
  message: string;
  responseCode?: string;
  /** False when the request never left: nothing to reverse. */
  sent: boolean;
}

/** No answer in time (or the link dropped after sending): the outcome is unknown, reverse it. */
export interface TimedOut extends ResultCommon {
  status: 'timeout';
  elapsedMs: number;
}

export type CardResult = Approved | Declined | Failed | TimedOut;

/** The contract a card acquirer adapter implements. */
export interface AcquirerConnector {
  sale(request: SaleRequest): Promise<CardResult>;
  /** A refund (0200, processing code 20) to the card: no PIN. */
  refund(request: RefundRequest): Promise<CardResult>;
  /** Reverses a sale or refund whose answer did not arrive or that must be undone (0400/0401). */
  reversal(request: ReversalRequest): Promise<CardResult>;
  /** A network echo (0800, DE 70 = 301): approved when the host answers 00. */
  echo(): Promise<CardResult>;
  /** A reference for the next request, so the caller can record it before sending. */
  nextRef(): TransactionRef;
  close(): Promise<void>;
}

/** Response codes (DE 39) and how the connector reads them; schemes add more. */
export const RESPONSE_CODES: Readonly<
  Record<string, { status: 'approved' | 'declined' | 'error'; reason: string; code: string }>
> = {
  '00': { status: 'approved', reason: 'approved', code: 'approved' },
  '10': { status: 'approved', reason: 'partial approval', code: 'partial_approval' },
  '05': { status: 'declined', reason: 'do not honour', code: 'do_not_honour' },
  '14': { status: 'declined', reason: 'invalid card number', code: 'invalid_card_number' },
  '51': { status: 'declined', reason: 'insufficient funds', code: 'insufficient_funds' },
  '54': { status: 'declined', reason: 'expired card', code: 'expired_card' },
  '55': { status: 'declined', reason: 'incorrect PIN', code: 'incorrect_pin' },
  '57': { status: 'declined', reason: 'transaction not permitted to cardholder', code: 'not_permitted' },
  '61': { status: 'declined', reason: 'exceeds withdrawal amount limit', code: 'exceeds_limit' },
  '65': { status: 'declined', reason: 'PIN required', code: 'pin_required' },
  '75': { status: 'declined', reason: 'allowable number of PIN tries exceeded', code: 'pin_tries_exceeded' },
  '91': { status: 'error', reason: 'issuer or switch inoperative', code: 'issuer_unavailable' },
  '96': { status: 'error', reason: 'system malfunction', code: 'system_error' },
};

export function describeResponseCode(code: string): {
  status: 'approved' | 'declined' | 'error';
  reason: string;
  code: string;
} {
  return (
    RESPONSE_CODES[code] ?? {
      status: 'declined',
      reason: `declined (response code ${code})`,
      code: 'declined',
    }
  );
}
