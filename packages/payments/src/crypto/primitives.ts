/** Block-cipher primitives (ECB, one block or whole blocks, no padding) over node:crypto. */
import { createCipheriv, createDecipheriv } from 'node:crypto';

function ecb(algorithm: string, key: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const cipher = encrypt ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(data), cipher.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function tdesAlgorithm(key: Uint8Array): string {
  if (key.length === 16) return 'des-ede-ecb';
  if (key.length === 24) return 'des-ede3-ecb';
  throw new RangeError(`TDES keys are 16 or 24 bytes, got ${key.length}`);
}

/** Triple DES (2- or 3-key) ECB. */
export function tdesEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(tdesAlgorithm(key), key, data, true);
}

export function tdesDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(tdesAlgorithm(key), key, data, false);
}

/** Single DES as three-key TDES with K1 = K2 = K3 (OpenSSL 3 keeps plain DES in the legacy provider). */
export function desEncrypt(key8: Uint8Array, data: Uint8Array): Uint8Array {
  if (key8.length !== 8) throw new RangeError(`DES keys are 8 bytes, got ${key8.length}`);
  const key = new Uint8Array(24);
  key.set(key8, 0);
  key.set(key8, 8);
  key.set(key8, 16);
  return ecb('des-ede3-ecb', key, data, true);
}

function aesAlgorithm(key: Uint8Array): string {
  if (key.length === 16 || key.length === 24 || key.length === 32) return `aes-${key.length * 8}-ecb`;
  throw new RangeError(`AES keys are 16, 24 or 32 bytes, got ${key.length}`);
}

export function aesEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(aesAlgorithm(key), key, data, true);
}

export function aesDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(aesAlgorithm(key), key, data, false);
}

/** Key check value: the first 3 bytes of the key encrypting a zero block (TDES) / zero block (AES). */
export function keyCheckValue(key: Uint8Array, algorithm: 'tdes' | 'aes'): Uint8Array {
  const zero = new Uint8Array(algorithm === 'tdes' ? 8 : 16);
  return (algorithm === 'tdes' ? tdesEncrypt(key, zero) : aesEncrypt(key, zero)).subarray(0, 3);
}
