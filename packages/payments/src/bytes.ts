/**
 * Hex and byte helpers shared by the codecs. Uint8Array only (no Buffer) so the pure part of
 * the package runs in the browser too.
 */

const HEX = '0123456789ABCDEF';
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function isHex(text: string): boolean {
  return HEX_RE.test(text);
}

/** Upper-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** Bytes of an even-length hex string (either case); throws on anything else (a programmer error). */
export function fromHex(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) throw new RangeError(`not an even-length hex string: ${JSON.stringify(hex)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xor of ${a.length} and ${b.length} bytes`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** ASCII (Latin-1 for bytes above 0x7F) text to bytes, one byte per character. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`character outside Latin-1 at ${i}: ${JSON.stringify(text)}`);
    out[i] = c;
  }
  return out;
}

export function latin1Text(bytes: Uint8Array): string {
  let out = '';
  // chunks keep String.fromCharCode's argument list small
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}
