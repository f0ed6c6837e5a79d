/**
 * Offline PIN verifiers. Rule: a PIN can be checked offline only on a device where that staff
 * member last used it successfully online; the device then keeps PBKDF2-SHA-256(PIN, random
 * 16-byte salt, 210,000 iterations) through WebCrypto, never the PIN. A 4–8 digit PIN has few
 * combinations, so the verifier slows down but cannot stop someone holding the device's storage;
 * it is also dropped after 5 wrong offline attempts (until the next online PIN use), and the
 * server remains the authority: offline switches only change who is recorded on the till.
 */

export const PIN_ITERATIONS = 210_000;
export const PIN_MAX_OFFLINE_FAILURES = 5;

const toB64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromB64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

export interface PinVerifier {
  salt: string;
  hash: string;
  iterations: number;
}

export async function makePinVerifier(pin: string, iterations = PIN_ITERATIONS): Promise<PinVerifier> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: toB64(salt), hash: toB64(await derive(pin, salt, iterations)), iterations };
}

/** Constant-time comparison of the derived bits. */
export async function checkPin(pin: string, verifier: PinVerifier): Promise<boolean> {
  const got = await derive(pin, fromB64(verifier.salt), verifier.iterations);
  const want = fromB64(verifier.hash);
  if (got.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff |= (got[i] ?? 0) ^ (want[i] ?? 0);
  return diff === 0;
}
