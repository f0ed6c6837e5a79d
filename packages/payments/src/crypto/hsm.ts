/**
 * The HSM contract: key material stays behind it, callers name keys by ID and get results, never
 * keys or clear PINs. `SoftwareHsm` implements it in memory for development, the sandbox
 * acquirer and tests; production uses a hardware HSM or a cloud payment-cryptography service
 * behind the same interface.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Result } from '@opentill/core';
import { fromHex, isHex, toHex } from '../bytes';
import {
  AES_KEY_USAGE,
  aesInitialKey,
  aesTransactionKey,
  aesWorkingKey,
  tdesCurrentKey,
  tdesIpek,
  tdesPinKey,
} from './dukpt';
import { decipherPinBlock4, encipherPinBlock4, pinBlock0, readPinBlock } from './pinblock';
import { keyCheckValue, tdesDecrypt, tdesEncrypt } from './primitives';

export type HsmProblemCode = 'unknown_key' | 'wrong_key_type' | 'invalid_ksn' | 'invalid_pin_block';

export interface HsmProblem {
  code: HsmProblemCode;
  message: string;
}

/** A PIN block encrypted by a terminal under DUKPT: format 0 for a TDES BDK, format 4 for an AES BDK. */
export interface DukptPinBlock {
  bdkId: string;
  /** Hex: 20 characters (TDES) or 24 (AES). */
  ksn: string;
  /** Hex: 16 characters (format 0) or 32 (format 4). */
  pinBlock: string;
  pan: string;
}

export interface Hsm {
  /** Key check value (3 bytes, hex) of a stored key: proves which key is loaded without showing it. */
  keyCheckValue(keyId: string): Promise<Result<string, HsmProblem>>;
  /** Derives the transaction key for a BDK and KSN inside the HSM and returns only its check value. */
  transactionKeyCheckValue(bdkId: string, ksn: string): Promise<Result<string, HsmProblem>>;
  /** Issues the PIN verification value of a card (at issuance): the only call that takes a clear PIN. */
  pinVerificationValue(pvkId: string, pan: string, pin: string): Promise<Result<string, HsmProblem>>;
  /** Decrypts a DUKPT PIN block inside the HSM and compares it with the card's verification value. */
  verifyPin(
    block: DukptPinBlock,
    pvkId: string,
    pvv: string,
  ): Promise<Result<{ verified: boolean }, HsmProblem>>;
  /** Re-encrypts a DUKPT PIN block under a zone PIN key for the next network hop. */
  translatePin(
    block: DukptPinBlock,
    zpkId: string,
  ): Promise<Result<{ pinBlock: string; format: 0 | 4 }, HsmProblem>>;
}

type KeyType = 'bdk-tdes' | 'bdk-aes' | 'pvk' | 'zpk-tdes' | 'zpk-aes';

export interface SoftwareKey {
  type: KeyType;
  /** Hex. */
  key: string;
}

const fail = (code: HsmProblemCode, message: string) => ({ ok: false as const, error: { code, message } });

/** In-memory HSM for development and tests. Never load a production key into it. */
export class SoftwareHsm implements Hsm {
  readonly #keys = new Map<string, { type: KeyType; key: Uint8Array }>();
  // IPEK / initial key per device: derivation from the BDK is the slow part of a host lookup
  readonly #deviceKeys = new Map<string, Uint8Array>();

  constructor(keys: Record<string, SoftwareKey>) {
    for (const [id, { type, key }] of Object.entries(keys)) {
      if (!isHex(key)) throw new RangeError(`key ${id} is not hex`);
      this.#keys.set(id, { type, key: fromHex(key) });
    }
  }

  #key(id: string, types: KeyType[]): Result<{ type: KeyType; key: Uint8Array }, HsmProblem> {
    const entry = this.#keys.get(id);
    if (!entry) return fail('unknown_key', `no key ${id}`);
    if (!types.includes(entry.type))
      return fail('wrong_key_type', `key ${id} is a ${entry.type}, not ${types.join(' or ')}`);
    return { ok: true, value: entry };
  }

  /** The PIN key of a DUKPT transaction, derived from the BDK. */
  #pinKey(bdkId: string, ksnHex: string): Result<{ type: 'tdes' | 'aes'; key: Uint8Array }, HsmProblem> {
    const bdk = this.#key(bdkId, ['bdk-tdes', 'bdk-aes']);
    if (!bdk.ok) return bdk;
    const tdes = bdk.value.type === 'bdk-tdes';
    if (!isHex(ksnHex) || ksnHex.length !== (tdes ? 20 : 24)) {
      return fail('invalid_ksn', `a ${tdes ? 'TDES' : 'AES'} DUKPT KSN is ${tdes ? 20 : 24} hex characters`);
    }
    const ksn = fromHex(ksnHex);
    const deviceId = `${bdkId}:${tdes ? ksnHex.slice(0, 15) + (parseInt(ksnHex[15]!, 16) & 0xe).toString(16) : ksnHex.slice(0, 16)}`;
    let deviceKey = this.#deviceKeys.get(deviceId);
    if (!deviceKey) {
      deviceKey = tdes ? tdesIpek(bdk.value.key, ksn) : aesInitialKey(bdk.value.key, ksn.subarray(0, 8));
      this.#deviceKeys.set(deviceId, deviceKey);
    }
    return {
      ok: true,
      value: tdes
        ? { type: 'tdes', key: tdesPinKey(deviceKey, ksn) }
        : { type: 'aes', key: aesWorkingKey(deviceKey, ksn, AES_KEY_USAGE.pinEncryption) },
    };
  }

  /** Clear PIN, inside the HSM only. */
  #clearPin(block: DukptPinBlock): Result<string, HsmProblem> {
    const pinKey = this.#pinKey(block.bdkId, block.ksn);
    if (!pinKey.ok) return pinKey;
    if (!/^\d{12,19}$/.test(block.pan)) return fail('invalid_pin_block', 'the PAN is 12 to 19 digits');
    if (pinKey.value.type === 'tdes') {
      if (!/^[0-9A-Fa-f]{16}$/.test(block.pinBlock))
        return fail('invalid_pin_block', 'a format 0 PIN block is 16 hex characters');
      const clear = toHex(tdesDecrypt(pinKey.value.key, fromHex(block.pinBlock)));
      const pin = readPinBlock(clear, block.pan);
      return pin.ok ? pin : fail('invalid_pin_block', pin.error.message);
    }
    const pin = decipherPinBlock4(pinKey.value.key, block.pinBlock, block.pan);
    return pin.ok ? pin : fail('invalid_pin_block', pin.error.message);
  }

  #pvv(pvk: Uint8Array, pan: string, pin: string): string {
    // sandbox scheme (not Visa PVV): HMAC-SHA-256 over PAN and PIN, 16 hex characters
    return createHmac('sha256', pvk).update(`${pan}:${pin}`).digest('hex').slice(0, 16).toUpperCase();
  }

  async keyCheckValue(keyId: string) {
    const entry = this.#key(keyId, ['bdk-tdes', 'bdk-aes', 'pvk', 'zpk-tdes', 'zpk-aes']);
    if (!entry.ok) return entry;
    const aes = entry.value.type.endsWith('aes');
    return { ok: true as const, value: toHex(keyCheckValue(entry.value.key, aes ? 'aes' : 'tdes')) };
  }

  async transactionKeyCheckValue(bdkId: string, ksn: string) {
    const bdk = this.#key(bdkId, ['bdk-tdes', 'bdk-aes']);
    if (!bdk.ok) return bdk;
    const tdes = bdk.value.type === 'bdk-tdes';
    if (!isHex(ksn) || ksn.length !== (tdes ? 20 : 24))
      return fail('invalid_ksn', 'KSN does not fit the BDK type');
    const device = fromHex(ksn);
    const key = tdes
      ? tdesCurrentKey(tdesIpek(bdk.value.key, device), device)
      : aesTransactionKey(aesInitialKey(bdk.value.key, device.subarray(0, 8)), device);
    return { ok: true as const, value: toHex(keyCheckValue(key, tdes ? 'tdes' : 'aes')) };
  }

  async pinVerificationValue(pvkId: string, pan: string, pin: string) {
    const pvk = this.#key(pvkId, ['pvk']);
    if (!pvk.ok) return pvk;
    if (!/^\d{4,12}$/.test(pin)) return fail('invalid_pin_block', 'a PIN is 4 to 12 digits');
    return { ok: true as const, value: this.#pvv(pvk.value.key, pan, pin) };
  }

  async verifyPin(block: DukptPinBlock, pvkId: string, pvv: string) {
    const pvk = this.#key(pvkId, ['pvk']);
    if (!pvk.ok) return pvk;
    const pin = this.#clearPin(block);
    // a block that does not decode is a wrong PIN entry as far as the card is concerned
    if (!pin.ok)
      return pin.error.code === 'invalid_pin_block' ? { ok: true as const, value: { verified: false } } : pin;
    const expected = Buffer.from(pvv.toUpperCase());
    const actual = Buffer.from(this.#pvv(pvk.value.key, block.pan, pin.value));
    return {
      ok: true as const,
      value: { verified: expected.length === actual.length && timingSafeEqual(expected, actual) },
    };
  }

  async translatePin(block: DukptPinBlock, zpkId: string) {
    const zpk = this.#key(zpkId, ['zpk-tdes', 'zpk-aes']);
    if (!zpk.ok) return zpk;
    const pin = this.#clearPin(block);
    if (!pin.ok) return pin;
    if (zpk.value.type === 'zpk-tdes') {
      const encrypted = tdesEncrypt(zpk.value.key, fromHex(pinBlock0(pin.value, block.pan)));
      return { ok: true as const, value: { pinBlock: toHex(encrypted), format: 0 as const } };
    }
    return {
      ok: true as const,
      value: { pinBlock: encipherPinBlock4(zpk.value.key, pin.value, block.pan), format: 4 as const },
    };
  }
}
