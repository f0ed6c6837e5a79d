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

/** CBC with a zero IV over data zero-padded to whole blocks (the DUKPT data-encryption convention). */
export function cbcEncryptZeroPadded(
  algorithm: 'tdes' | 'aes',
  key: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const block = algorithm === 'tdes' ? 8 : 16;
  const padded = new Uint8Array(Math.max(1, Math.ceil(data.length / block)) * block);
  padded.set(data);
  const name =
    algorithm === 'tdes'
      ? tdesAlgorithm(key).replace('-ecb', '-cbc')
      : aesAlgorithm(key).replace('-ecb', '-cbc');
  const cipher = createCipheriv(name, key, new Uint8Array(block));
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(padded), cipher.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3, zero padding) under a 16-byte TDES key. */
export function retailMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.max(1, Math.ceil(data.length / 8)) * 8);
  padded.set(data);
  let chain: Uint8Array = new Uint8Array(8);
  const left = key.subarray(0, 8);
  for (let i = 0; i < padded.length - 8; i += 8) {
    const block = padded.subarray(i, i + 8).map((b, j) => b ^ chain[j]!);
    chain = desEncrypt(left, block);
  }
  // the last block goes through the full TDES: E_L(D_R(E_L(x)))
  return tdesEncrypt(
    key,
    padded.subarray(padded.length - 8).map((b, j) => b ^ chain[j]!),
  );
}

/** AES-CMAC (NIST SP 800-38B / RFC 4493). */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const double = (b: Uint8Array) => {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
    if (b[0]! & 0x80) out[15]! ^= 0x87;
    return out;
  };
  const k1 = double(aesEncrypt(key, new Uint8Array(16)));
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = message.subarray((blocks - 1) * 16);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const subkey = complete ? k1 : k2;
  let chain: Uint8Array = new Uint8Array(16);
  for (let i = 0; i < blocks - 1; i++) {
    chain = aesEncrypt(
      key,
      message.subarray(i * 16, i * 16 + 16).map((b, j) => b ^ chain[j]!),
    );
  }
  return aesEncrypt(
    key,
    last.map((b, j) => b ^ subkey[j]! ^ chain[j]!),
  );
}
