/** Ids made on the device: UUIDv7 (time-ordered, 74 random bits) with the domain prefixes. */

/** A UUIDv7 from a time (ms) and 10 random bytes; pure. */
export function uuidv7(ms: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`bad time ${ms}`);
  if (random.length < 10) throw new RangeError('uuidv7 needs 10 random bytes');
  const b = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b.set(random.subarray(0, 10), 6);
  b[6] = 0x70 | ((b[6] ?? 0) & 0x0f); // version 7
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f); // variant 10
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${uuidv7(now, crypto.getRandomValues(new Uint8Array(10)))}`;
}

export const idempotencyKeyFor = (orderId: string): string => `sale-${orderId}`;
