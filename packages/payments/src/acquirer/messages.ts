/**
 * The ISO 8583 messages of the acquirer link (profile `opentill-link`), as pure functions used by
 * both ends: the connector builds requests and reads responses, the sandbox host the reverse.
 *
 * | use | request | response | key fields |
 * |---|---|---|---|
 * | sale | 0200, DE 3 `000000` | 0210 | 2/14 or 35, 4, 22, 49, [52 PIN block + 53 KSN], [55 ICC] |
 * | refund | 0200, DE 3 `200000` | 0210 | as sale, no PIN |
 * | reversal | 0400 (0401 repeat) | 0410 | 3, 4, 37 of the original, 90 = orig MTI + STAN + DE 7 |
 * | sign-on / echo | 0800, DE 70 `001` / `301` | 0810 | 7, 11, 70 |
 *
 * Responses echo DE 11 (STAN) and DE 37 (RRN); the connector matches on them. DE 4 of a 0210
 * carries the approved amount (less than requested with response code 10, partial approval).
 */
import { parseTrack2 } from '../cards';
import { currencyAlpha, currencyNumeric } from '../currency-numeric';
import type { Iso8583Message } from '../iso8583/spec';
import {
  describeResponseCode,
  type CardInput,
  type CardResult,
  type EncryptedPin,
  type EntryMode,
  type OriginalTransaction,
  type TransactionRef,
} from './types';

export interface TerminalIdentity {
  /** DE 41, up to 8 characters. */
  terminalId: string;
  /** DE 42, up to 15 characters. */
  merchantId: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** DE 7: MMDDhhmmss in UTC. */
export function transmissionTime(now: Date): string {
  return (
    pad2(now.getUTCMonth() + 1) +
    pad2(now.getUTCDate()) +
    pad2(now.getUTCHours()) +
    pad2(now.getUTCMinutes()) +
    pad2(now.getUTCSeconds())
  );
}

/** A reference for STAN `stan` (1–999999): RRN = last digit of the year, day of year, hour, STAN. */
export function makeRef(stan: number, now: Date): TransactionRef {
  const start = Date.UTC(now.getUTCFullYear(), 0, 0);
  const day = Math.floor((now.getTime() - start) / 86_400_000);
  const stanText = String(stan).padStart(6, '0');
  const rrn = `${now.getUTCFullYear() % 10}${String(day).padStart(3, '0')}${pad2(now.getUTCHours())}${stanText}`;
  return { stan: stanText, rrn, transmittedAt: transmissionTime(now) };
}

const ENTRY_MODES: Record<EntryMode, string> = { manual: '01', swipe: '90', chip: '05', contactless: '07' };

/** DE 22: entry mode (2 digits) and PIN entry capability (1 = can accept online PIN). */
export function entryModeCode(mode: EntryMode): string {
  return `${ENTRY_MODES[mode]}1`;
}

export function entryModeOf(code: string | undefined): EntryMode | undefined {
  const head = code?.slice(0, 2);
  return (Object.entries(ENTRY_MODES).find(([, v]) => v === head)?.[0] as EntryMode | undefined) ?? undefined;
}

function money(amount: number, currency: string): { 4: string; 49: string } {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > 999_999_999_999) {
    throw new RangeError(`amount must be 0…999999999999 minor units, got ${amount}`);
  }
  const numeric = currencyNumeric(currency);
  if (!numeric) throw new RangeError(`no ISO 4217 numeric code for ${currency}`);
  return { 4: String(amount).padStart(12, '0'), 49: numeric };
}

function cardFields(card: CardInput): Record<number, string> {
  const fields: Record<number, string> = { 22: entryModeCode(card.entryMode) };
  if (card.entryMode !== 'manual' && card.track2) {
    fields[35] = card.track2;
  } else {
    if (!card.pan || !card.expiry) throw new RangeError('manual entry needs the PAN and expiry');
    fields[2] = card.pan;
    fields[14] = card.expiry;
  }
  if (card.icc) fields[55] = card.icc;
  return fields;
}

function header(ref: TransactionRef, who: TerminalIdentity, processingCode: string, now: Date) {
  return {
    3: processingCode,
    7: ref.transmittedAt,
    11: ref.stan,
    12: pad2(now.getUTCHours()) + pad2(now.getUTCMinutes()) + pad2(now.getUTCSeconds()),
    13: pad2(now.getUTCMonth() + 1) + pad2(now.getUTCDate()),
    25: '00',
    37: ref.rrn,
    41: who.terminalId,
    42: who.merchantId,
  };
}

export function saleMessage(
  request: { amount: number; currency: string; card: CardInput; pin?: EncryptedPin },
  ref: TransactionRef,
  who: TerminalIdentity,
  now: Date,
  processingCode = '000000',
): Iso8583Message {
  const fields: Record<number, string> = {
    ...header(ref, who, processingCode, now),
    ...money(request.amount, request.currency),
    ...cardFields(request.card),
  };
  if (request.pin) {
    fields[52] = request.pin.block;
    fields[53] = request.pin.ksn;
  }
  return { mti: '0200', fields };
}

export function refundMessage(
  request: { amount: number; currency: string; card: CardInput },
  ref: TransactionRef,
  who: TerminalIdentity,
  now: Date,
): Iso8583Message {
  return saleMessage({ ...request, pin: undefined }, ref, who, now, '200000');
}

/** DE 90: original MTI, STAN and DE 7, then acquirer and forwarder IDs (zeros: not used on this link). */
export function originalDataElements(original: OriginalTransaction): string {
  return original.mti + original.ref.stan + original.ref.transmittedAt + '0'.repeat(22);
}

export function reversalMessage(
  original: OriginalTransaction,
  ref: TransactionRef,
  who: TerminalIdentity,
  now: Date,
  repeat = false,
): Iso8583Message {
  const fields: Record<number, string> = {
    ...header(ref, who, original.processingCode, now),
    ...money(original.amount, original.currency),
    37: original.ref.rrn,
    90: originalDataElements(original),
  };
  return { mti: repeat ? '0401' : '0400', fields };
}

/** 0800 network management: `001` sign-on, `002` sign-off, `301` echo. */
export function networkMessage(code: '001' | '002' | '301', ref: TransactionRef): Iso8583Message {
  return { mti: '0800', fields: { 7: ref.transmittedAt, 11: ref.stan, 70: code } };
}

/** The response MTI of a request MTI: 0200 → 0210, 0401 → 0410. */
export function responseMti(requestMti: string): string {
  return `${requestMti.slice(0, 2)}10`;
}

/** PAN and expiry (YYMM) of a request, from DE 2/14 or track 2 (DE 35). */
export function requestCard(message: Iso8583Message): { pan?: string; expiry?: string } {
  const track = message.fields[35] ? parseTrack2(message.fields[35]) : undefined;
  return { pan: message.fields[2] ?? track?.pan, expiry: message.fields[14] ?? track?.expiry };
}

/** Reads a 0210/0410/0810 into a result of the connector contract. */
export function readResponse(
  response: Iso8583Message,
  ref: TransactionRef,
  requested: number,
  maskedPan?: string,
): CardResult {
  const code = response.fields[39];
  if (!code) {
    return { status: 'error', code: 'bad_response', message: 'response has no DE 39', sent: true, ref };
  }
  const meaning = describeResponseCode(code);
  if (meaning.status === 'approved') {
    const amountText = response.fields[4];
    const approvedAmount = amountText === undefined ? requested : Number(amountText);
    const result: CardResult = {
      status: 'approved',
      responseCode: code,
      authCode: (response.fields[38] ?? '').trim(),
      approvedAmount,
      partial: approvedAmount < requested,
      ref,
    };
    if (maskedPan) result.maskedPan = maskedPan;
    return result;
  }
  if (meaning.status === 'declined')
    return { status: 'declined', responseCode: code, reason: meaning.reason, ref };
  return {
    status: 'error',
    code: meaning.code,
    message: meaning.reason,
    responseCode: code,
    sent: true,
    ref,
  };
}

/** Currency of a message's DE 49 as an alphabetic code. */
export function messageCurrency(message: Iso8583Message): string | undefined {
  const numeric = message.fields[49];
  return numeric ? currencyAlpha(numeric) : undefined;
}
