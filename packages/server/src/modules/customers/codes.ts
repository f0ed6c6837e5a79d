import { randomInt } from 'node:crypto';

// Unambiguous alphabet: no 0/O, 1/I/L, 2/Z, 5/S, 8/B
export const CODE_ALPHABET = '34679ACDEFGHJKMNPQRTUVWXY';

/** A crypto-random code over CODE_ALPHABET (25 symbols: 4.64 bits each). */
export function randomCode(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}
