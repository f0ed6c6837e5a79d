import { createHmac, randomBytes } from 'node:crypto';

/** HOTP (RFC 4226) and TOTP (RFC 6238) over node:crypto; the clock is always passed in. */
export type OtpHash = 'SHA1' | 'SHA256' | 'SHA512';

export function hotp(secret: Buffer, counter: number, digits = 6, hash: OtpHash = 'SHA1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash.toLowerCase(), secret).update(msg).digest();
  // dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return bin.toString().padStart(digits, '0');
}

export interface TotpOptions {
  step?: number;
  digits?: number;
  hash?: OtpHash;
}

export function timeStep(unixSeconds: number, step = 30): number {
  return Math.floor(unixSeconds / step);
}

export function totp(secret: Buffer, unixSeconds: number, opts: TotpOptions = {}): string {
  return hotp(secret, timeStep(unixSeconds, opts.step ?? 30), opts.digits ?? 6, opts.hash ?? 'SHA1');
}

/**
 * The time-step a code belongs to, searching the current step and `window` steps either side
 * (clock drift), or null. Steps at or below `lastStep` are never accepted: a code works once.
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  unixSeconds: number,
  lastStep: number | null,
  opts: TotpOptions & { window?: number } = {},
): number | null {
  const digits = opts.digits ?? 6;
  if (!new RegExp(`^[0-9]{${digits}}$`).test(code)) return null;
  const now = timeStep(unixSeconds, opts.step ?? 30);
  const window = opts.window ?? 1;
  for (let d = -window; d <= window; d += 1) {
    const step = now + d;
    if (lastStep !== null && step <= lastStep) continue;
    if (constantTimeEqual(hotp(secret, step, digits, opts.hash ?? 'SHA1'), code)) return step;
  }
  return null;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error('not base32');
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new 160-bit TOTP seed (the RFC 4226 recommended length). */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The `otpauth://` URI authenticator apps scan from a QR code. */
export function otpauthUri(secret: Buffer, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const q = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  });
  return `otpauth://totp/${label}?${q.toString()}`;
}
