/**
 * ISO 9564-1 PIN blocks: format 0 (TDES, PIN XOR PAN), format 2 (ICC offline, no PAN) and
 * format 4 (AES, 16 bytes, enciphered in two passes around the PAN field).
 * Clear PINs exist here only in the terminal simulator, the software HSM and tests: never store
 * or log a PIN or a PIN block.
 */
import { randomBytes } from 'node:crypto';
import type { Result } from '@opentill/core';
import { fromHex, toHex, xor } from '../bytes';
import { aesDecrypt, aesEncrypt } from './primitives';

export interface PinBlockProblem {
  code: 'invalid_pin_block';
  message: string;
}

const problem = (message: string): { ok: false; error: PinBlockProblem } => ({
  ok: false,
  error: { code: 'invalid_pin_block', message },
});

function checkPin(pin: string): void {
  if (!/^\d{4,12}$/.test(pin)) throw new RangeError('a PIN is 4 to 12 digits');
}

function checkPan(pan: string): void {
  if (!/^\d{1,19}$/.test(pan)) throw new RangeError('a PAN is 1 to 19 digits');
}

/** Format 0 PAN field: `0000` and the 12 rightmost PAN digits before the check digit. */
export function panField0(pan: string): string {
  checkPan(pan);
  return `0000${pan.slice(0, -1).slice(-12).padStart(12, '0')}`;
}

/** Clear ISO format 0 block (hex): `0 L PIN F…` XOR the PAN field. */
export function pinBlock0(pin: string, pan: string): string {
  checkPin(pin);
  const pinField = `0${pin.length.toString(16)}${pin}`.padEnd(16, 'F');
  return toHex(xor(fromHex(pinField), fromHex(panField0(pan))));
}

/** Clear ISO format 2 block (hex): `2 L PIN F…`, no PAN (offline PIN to the chip). */
export function pinBlock2(pin: string): string {
  checkPin(pin);
  return `2${pin.length.toString(16)}${pin}`.padEnd(16, 'F').toUpperCase();
}

/** Reads the PIN out of a clear format 0 or 2 block. */
export function readPinBlock(block: string, pan?: string): Result<string, PinBlockProblem> {
  if (!/^[0-9A-Fa-f]{16}$/.test(block)) return problem('a format 0/2 PIN block is 16 hex characters');
  let field = block.toUpperCase();
  if (field[0] === '0') {
    if (pan === undefined) return problem('format 0 needs the PAN');
    field = toHex(xor(fromHex(field), fromHex(panField0(pan))));
  }
  const length = parseInt(field[1]!, 16);
  const pin = field.slice(2, 2 + length);
  const fill = field.slice(2 + length);
  if (
    (field[0] !== '0' && field[0] !== '2') ||
    length < 4 ||
    length > 12 ||
    !/^\d+$/.test(pin) ||
    /[^F]/.test(fill)
  ) {
    return problem('PIN block does not decode to a format 0/2 PIN (wrong key, PAN or format)');
  }
  return { ok: true, value: pin };
}

/** Format 4 PIN field (hex, 16 bytes): `4 L PIN A…` in 8 bytes, then 8 random bytes. */
export function pinField4(pin: string, randomFill?: Uint8Array): string {
  checkPin(pin);
  const fill = randomFill ?? randomBytes(8);
  if (fill.length !== 8) throw new RangeError('format 4 random fill is 8 bytes');
  return `4${pin.length.toString(16)}${pin}`.padEnd(16, 'A') + toHex(fill);
}

/** Format 4 PAN field (hex, 16 bytes): M = PAN length − 12, then the PAN, zero-filled; short PANs are left-padded to 12. */
export function panField4(pan: string): string {
  checkPan(pan);
  const digits = pan.length < 12 ? pan.padStart(12, '0') : pan;
  return `${digits.length - 12}${digits}`.padEnd(32, '0');
}

/** Enciphers a format 4 block under an AES key: A = E(PIN field), B = A ⊕ PAN field, C = E(B). */
export function encipherPinBlock4(
  key: Uint8Array,
  pin: string,
  pan: string,
  randomFill?: Uint8Array,
): string {
  const a = aesEncrypt(key, fromHex(pinField4(pin, randomFill)));
  const b = xor(a, fromHex(panField4(pan)));
  return toHex(aesEncrypt(key, b));
}

/** Deciphers a format 4 block and reads the PIN. */
export function decipherPinBlock4(
  key: Uint8Array,
  block: string,
  pan: string,
): Result<string, PinBlockProblem> {
  if (!/^[0-9A-Fa-f]{32}$/.test(block)) return problem('a format 4 PIN block is 32 hex characters');
  const b = aesDecrypt(key, fromHex(block));
  const field = toHex(aesDecrypt(key, xor(b, fromHex(panField4(pan)))));
  const length = parseInt(field[1]!, 16);
  const pin = field.slice(2, 2 + length);
  const fill = field.slice(2 + length, 16);
  if (field[0] !== '4' || length < 4 || length > 12 || !/^\d+$/.test(pin) || /[^A]/.test(fill)) {
    return problem('PIN block does not decode to a format 4 PIN (wrong key, PAN or format)');
  }
  return { ok: true, value: pin };
}
