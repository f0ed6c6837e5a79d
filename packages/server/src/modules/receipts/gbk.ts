/**
 * Minimal GBK (code page 936) encoder for Chinese ESC/POS printers.
 *
 * `@point-of-sale/receipt-printer-encoder` only knows single-byte code pages, and
 * `TextEncoder` only produces UTF-8, so we derive the encoding table from the
 * WHATWG `gbk` *decoder* that ships with Node's ICU: every GBK double-byte
 * sequence (lead 0x81–0xFE, trail 0x40–0xFE except 0x7F) is decoded once and
 * the result inverted. The table is built lazily on first use (~24k entries,
 * ~10 ms) and cached for the life of the process.
 *
 * If the runtime has no `gbk` decoder (a small-icu Node build), `gbkAvailable()`
 * returns false and every non-ASCII character encodes as `?`.
 */

const QUESTION_MARK = 0x3f;

/** Index: UTF-16 code unit (BMP only) → (lead << 8) | trail; 0 = not encodable. */
let table: Uint16Array | null | undefined;

function buildTable(): Uint16Array | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder('gbk', { fatal: true });
  } catch {
    return null;
  }
  const result = new Uint16Array(0x10000);
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let decoded: string;
      try {
        decoded = decoder.decode(pair);
      } catch {
        continue;
      }
      if (decoded.length !== 1) continue;
      const unit = decoded.charCodeAt(0);
      // Keep the first (canonical) sequence if a code point appears twice.
      if (unit >= 0x80 && result[unit] === 0) result[unit] = (lead << 8) | trail;
    }
  }
  return result;
}

function getTable(): Uint16Array | null {
  if (table === undefined) table = buildTable();
  return table;
}

/** True when the runtime can provide a GBK mapping (Node with full ICU). */
export function gbkAvailable(): boolean {
  return getTable() !== null;
}

function lookup(codePoint: number): number {
  if (codePoint > 0xffff) return 0;
  return getTable()?.[codePoint] ?? 0;
}

/**
 * Printed width of a string on a GBK printer in Chinese character mode: ASCII is
 * one column, every double-byte character is two columns (full width), and any
 * character that cannot be encoded is printed as a one-column `?`.
 */
export function gbkWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? QUESTION_MARK;
    width += cp < 0x80 ? 1 : lookup(cp) !== 0 ? 2 : 1;
  }
  return width;
}

/** Encodes text as GBK bytes; characters outside GBK become `?`. */
export function encodeGbk(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? QUESTION_MARK;
    if (cp < 0x80) {
      bytes.push(cp);
      continue;
    }
    const seq = lookup(cp);
    if (seq === 0) bytes.push(QUESTION_MARK);
    else bytes.push(seq >> 8, seq & 0xff);
  }
  return Uint8Array.from(bytes);
}
