/**
 * DUKPT key derivation: TDES (ANSI X9.24-1) and AES (ANSI X9.24-3-2017).
 *
 * For the terminal simulator, the software HSM and tests only: a production BDK lives in an HSM
 * or a cloud payment-cryptography service (PCI DSS 3.6.1.2), never in this process.
 */
import { fromHex, toHex, xor } from '../bytes';
import { aesCmac, aesEncrypt, cbcEncryptZeroPadded, desEncrypt, retailMac, tdesEncrypt } from './primitives';
import { encipherPinBlock4, pinBlock0 } from './pinblock';

// ---------------------------------------------------------------------------------------------
// TDES DUKPT (X9.24-1): 10-byte KSN = key set ID + TRSM ID + 21-bit transaction counter.

const KEY_MASK = fromHex('C0C0C0C000000000C0C0C0C000000000');
const COUNTER_BITS = 0x1fffff;

/** Variant masks applied to the current key for each key usage. */
export const TDES_VARIANTS = {
  pin: fromHex('00000000000000FF00000000000000FF'),
  macRequest: fromHex('000000000000FF00000000000000FF00'),
  macResponse: fromHex('00000000FF00000000000000FF000000'),
  dataRequest: fromHex('0000000000FF00000000000000FF0000'),
  dataResponse: fromHex('000000FF00000000000000FF00000000'),
} as const;

/** Which way a message goes: terminal → host (`request`) or host → terminal (`response`). */
export type Direction = 'request' | 'response';

function checkTdesKsn(ksn: Uint8Array): void {
  if (ksn.length !== 10) throw new RangeError(`a TDES DUKPT KSN is 10 bytes, got ${ksn.length}`);
}

/** The 21-bit transaction counter of a TDES KSN. */
export function tdesCounter(ksn: Uint8Array): number {
  checkTdesKsn(ksn);
  return ((ksn[7]! & 0x1f) << 16) | (ksn[8]! << 8) | ksn[9]!;
}

/** IPEK from the BDK (16 bytes) and any KSN of the device (its counter is ignored). */
export function tdesIpek(bdk: Uint8Array, ksn: Uint8Array): Uint8Array {
  checkTdesKsn(ksn);
  const base = ksn.slice(0, 8);
  base[7]! &= 0xe0;
  const left = tdesEncrypt(bdk, base);
  const right = tdesEncrypt(xor(bdk, KEY_MASK), base);
  const out = new Uint8Array(16);
  out.set(left, 0);
  out.set(right, 8);
  return out;
}

/** The X9.24-1 non-reversible key generation process. */
function nonReversible(key: Uint8Array, data: Uint8Array): Uint8Array {
  const half = (k: Uint8Array) => {
    const left = k.subarray(0, 8);
    const right = k.subarray(8, 16);
    return xor(desEncrypt(left, xor(data, right)), right);
  };
  const out = new Uint8Array(16);
  out.set(half(xor(key, KEY_MASK)), 0);
  out.set(half(key), 8);
  return out;
}

/** The current transaction key for a KSN, from the IPEK (the host-side derivation). */
export function tdesCurrentKey(ipek: Uint8Array, ksn: Uint8Array): Uint8Array {
  const counter = tdesCounter(ksn);
  const register = ksn.slice(2, 10);
  register[5]! &= 0xe0;
  register[6] = 0;
  register[7] = 0;
  let key = ipek;
  for (let bit = 0x100000; bit > 0; bit >>= 1) {
    if ((counter & bit) === 0) continue;
    register[5]! |= (bit >> 16) & 0x1f;
    register[6]! |= (bit >> 8) & 0xff;
    register[7]! |= bit & 0xff;
    key = nonReversible(key, register);
  }
  return key;
}

/** PIN encryption key of a KSN: current key XOR the PIN variant. */
export function tdesPinKey(ipek: Uint8Array, ksn: Uint8Array): Uint8Array {
  return xor(tdesCurrentKey(ipek, ksn), TDES_VARIANTS.pin);
}

/** ISO format 0 PIN block encrypted under the TDES DUKPT PIN key of `ksn` (hex). */
export function tdesEncryptPin(ipek: Uint8Array, ksn: Uint8Array, pin: string, pan: string): string {
  return toHex(tdesEncrypt(tdesPinKey(ipek, ksn), fromHex(pinBlock0(pin, pan))));
}

/** Data encryption key: the data variant of the current key, passed through TDES with itself. */
export function tdesDataKey(ipek: Uint8Array, ksn: Uint8Array, direction: Direction): Uint8Array {
  const variant = xor(
    tdesCurrentKey(ipek, ksn),
    direction === 'request' ? TDES_VARIANTS.dataRequest : TDES_VARIANTS.dataResponse,
  );
  const out = new Uint8Array(16);
  out.set(tdesEncrypt(variant, variant.subarray(0, 8)), 0);
  out.set(tdesEncrypt(variant, variant.subarray(8, 16)), 8);
  return out;
}

/** Data encrypted under the TDES DUKPT data key: TDES-CBC, zero IV, zero padding (hex). */
export function tdesEncryptData(
  ipek: Uint8Array,
  ksn: Uint8Array,
  data: Uint8Array,
  direction: Direction = 'request',
): string {
  return toHex(cbcEncryptZeroPadded('tdes', tdesDataKey(ipek, ksn, direction), data));
}

/** ANSI X9.19 MAC under the MAC variant of the current key (hex, 8 bytes). */
export function tdesMac(
  ipek: Uint8Array,
  ksn: Uint8Array,
  data: Uint8Array,
  direction: Direction = 'request',
): string {
  const key = xor(
    tdesCurrentKey(ipek, ksn),
    direction === 'request' ? TDES_VARIANTS.macRequest : TDES_VARIANTS.macResponse,
  );
  return toHex(retailMac(key, data));
}

/** Next usable TDES counter after `counter`: X9.24-1 skips counters with more than 10 one-bits. */
export function nextTdesCounter(counter: number): number {
  let next = counter + 1;
  while (next <= COUNTER_BITS && popcount(next) > 10) next += 1;
  if (next > COUNTER_BITS) throw new RangeError('TDES DUKPT counter exhausted: the device needs a new key');
  return next;
}

/** KSN with its counter replaced. */
export function tdesKsnWithCounter(ksn: Uint8Array, counter: number): Uint8Array {
  checkTdesKsn(ksn);
  const out = ksn.slice();
  out[7] = (out[7]! & 0xe0) | ((counter >> 16) & 0x1f);
  out[8] = (counter >> 8) & 0xff;
  out[9] = counter & 0xff;
  return out;
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
}

// ---------------------------------------------------------------------------------------------
// AES DUKPT (X9.24-3-2017): 12-byte KSN = 8-byte initial key ID + 32-bit transaction counter.

/** Key usage indicators of the derivation data. */
export const AES_KEY_USAGE = {
  keyEncryptionKey: 0x0002,
  pinEncryption: 0x1000,
  macGeneration: 0x2000,
  macVerification: 0x2001,
  macBoth: 0x2002,
  dataEncrypt: 0x3000,
  dataDecrypt: 0x3001,
  dataBoth: 0x3002,
  keyDerivation: 0x8000,
  initialKey: 0x8001,
} as const;

export type AesKeyType = 'AES-128' | 'AES-192' | 'AES-256' | '2TDEA' | '3TDEA';

const KEY_TYPES: Record<AesKeyType, { algorithm: number; bits: number }> = {
  '2TDEA': { algorithm: 0x0000, bits: 128 },
  '3TDEA': { algorithm: 0x0001, bits: 192 },
  'AES-128': { algorithm: 0x0002, bits: 128 },
  'AES-192': { algorithm: 0x0003, bits: 192 },
  'AES-256': { algorithm: 0x0004, bits: 256 },
};

function aesKeyType(key: Uint8Array): AesKeyType {
  if (key.length === 16) return 'AES-128';
  if (key.length === 24) return 'AES-192';
  if (key.length === 32) return 'AES-256';
  throw new RangeError(`AES DUKPT keys are 16, 24 or 32 bytes, got ${key.length}`);
}

/**
 * The 16-byte derivation data: version 01, block counter, key usage, algorithm, length in bits,
 * then the initial key ID (for the initial key) or its right half and the transaction counter.
 */
export function aesDerivationData(
  usage: number,
  keyType: AesKeyType,
  initialKeyId: Uint8Array,
  counter: number | 'initial',
  blockCounter = 1,
): Uint8Array {
  if (initialKeyId.length !== 8) throw new RangeError('the initial key ID is 8 bytes');
  const { algorithm, bits } = KEY_TYPES[keyType];
  const data = new Uint8Array(16);
  data[0] = 0x01;
  data[1] = blockCounter;
  data[2] = usage >> 8;
  data[3] = usage & 0xff;
  data[4] = algorithm >> 8;
  data[5] = algorithm & 0xff;
  data[6] = bits >> 8;
  data[7] = bits & 0xff;
  if (counter === 'initial') {
    data.set(initialKeyId, 8);
  } else {
    data.set(initialKeyId.subarray(4, 8), 8);
    new DataView(data.buffer).setUint32(12, counter >>> 0);
  }
  return data;
}

/** Derives a key of `keyType` under `key` from derivation data (one AES block per 128 bits). */
function deriveKey(
  key: Uint8Array,
  usage: number,
  keyType: AesKeyType,
  ikid: Uint8Array,
  counter: number | 'initial',
) {
  const bytes = KEY_TYPES[keyType].bits / 8;
  const out = new Uint8Array(bytes);
  for (let block = 1; (block - 1) * 16 < bytes; block++) {
    const part = aesEncrypt(key, aesDerivationData(usage, keyType, ikid, counter, block));
    out.set(part.subarray(0, Math.min(16, bytes - (block - 1) * 16)), (block - 1) * 16);
  }
  return out;
}

function checkAesKsn(ksn: Uint8Array): void {
  if (ksn.length !== 12) throw new RangeError(`an AES DUKPT KSN is 12 bytes, got ${ksn.length}`);
}

export function aesCounter(ksn: Uint8Array): number {
  checkAesKsn(ksn);
  return new DataView(ksn.buffer, ksn.byteOffset, ksn.length).getUint32(8);
}

export function aesKsn(initialKeyId: Uint8Array, counter: number): Uint8Array {
  const ksn = new Uint8Array(12);
  ksn.set(initialKeyId, 0);
  new DataView(ksn.buffer).setUint32(8, counter >>> 0);
  return ksn;
}

/** The device's initial key from the BDK and its 8-byte initial key ID. */
export function aesInitialKey(bdk: Uint8Array, initialKeyId: Uint8Array): Uint8Array {
  return deriveKey(bdk, AES_KEY_USAGE.initialKey, aesKeyType(bdk), initialKeyId, 'initial');
}

/** The transaction-derivation key of a KSN, from the initial key (the host-side derivation). */
export function aesTransactionKey(initialKey: Uint8Array, ksn: Uint8Array): Uint8Array {
  const counter = aesCounter(ksn);
  const ikid = ksn.subarray(0, 8);
  const type = aesKeyType(initialKey);
  let key = initialKey;
  let working = 0;
  for (let bit = 0x80000000; bit > 0; bit = bit >>> 1) {
    if ((counter & bit) === 0) continue;
    working = (working | bit) >>> 0;
    key = deriveKey(key, AES_KEY_USAGE.keyDerivation, type, ikid, working);
  }
  return key;
}

/** A working key of the transaction (e.g. PIN encryption), AES-128 unless told otherwise. */
export function aesWorkingKey(
  initialKey: Uint8Array,
  ksn: Uint8Array,
  usage: number,
  keyType: AesKeyType = 'AES-128',
): Uint8Array {
  const tdk = aesTransactionKey(initialKey, ksn);
  return deriveKey(tdk, usage, keyType, ksn.subarray(0, 8), aesCounter(ksn));
}

/** ISO format 4 PIN block encrypted under the AES DUKPT PIN key of `ksn` (hex). */
export function aesEncryptPin(
  initialKey: Uint8Array,
  ksn: Uint8Array,
  pin: string,
  pan: string,
  randomFill?: Uint8Array,
): string {
  return encipherPinBlock4(aesWorkingKey(initialKey, ksn, AES_KEY_USAGE.pinEncryption), pin, pan, randomFill);
}

/** Data encrypted under the AES DUKPT data key (usage 3000 request, 3001 response): AES-CBC, zero IV, zero padding (hex). */
export function aesEncryptData(
  initialKey: Uint8Array,
  ksn: Uint8Array,
  data: Uint8Array,
  direction: Direction = 'request',
): string {
  const usage = direction === 'request' ? AES_KEY_USAGE.dataEncrypt : AES_KEY_USAGE.dataDecrypt;
  return toHex(cbcEncryptZeroPadded('aes', aesWorkingKey(initialKey, ksn, usage), data));
}

/** AES-CMAC under the AES DUKPT MAC key (usage 2000 request, 2001 response), hex. */
export function aesMac(
  initialKey: Uint8Array,
  ksn: Uint8Array,
  data: Uint8Array,
  direction: Direction = 'request',
): string {
  const usage = direction === 'request' ? AES_KEY_USAGE.macGeneration : AES_KEY_USAGE.macVerification;
  return toHex(aesCmac(aesWorkingKey(initialKey, ksn, usage), data));
}

/** Next usable AES counter: X9.24-3 allows at most 16 one-bits. */
export function nextAesCounter(counter: number): number {
  let next = counter + 1;
  while (next <= 0xffffffff && popcount(next) > 16) next += 1;
  if (next > 0xffffffff) throw new RangeError('AES DUKPT counter exhausted: the device needs a new key');
  return next;
}
