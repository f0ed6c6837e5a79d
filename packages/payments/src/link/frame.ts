/**
 * Framing of the acquirer link: each ISO 8583 message is preceded by its length as 2 bytes,
 * big-endian (at most 65,535 bytes).
 */

export function frame(message: Uint8Array): Buffer {
  if (message.length > 0xffff)
    throw new RangeError(`a frame holds at most 65535 bytes, got ${message.length}`);
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/** Splits a byte stream into frames; keeps partial frames until the rest arrives. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Adds received bytes and returns every complete frame body. */
  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    let at = 0;
    while (this.#pending.length - at >= 2) {
      const length = this.#pending.readUInt16BE(at);
      if (this.#pending.length - at - 2 < length) break;
      frames.push(this.#pending.subarray(at + 2, at + 2 + length));
      at += 2 + length;
    }
    this.#pending = at === 0 ? this.#pending : Buffer.from(this.#pending.subarray(at));
    return frames;
  }
}
