import { describe, expect, it } from 'vitest';
import { readVectors } from '../../test/vectors';
import { fromHex, latin1Bytes, toHex } from '../bytes';
import { keyCheckValue, tdesDecrypt } from './primitives';
import { decipherPinBlock4, readPinBlock } from './pinblock';
import {
  AES_KEY_USAGE,
  aesDerivationData,
  aesEncryptData,
  aesEncryptPin,
  aesMac,
  aesInitialKey,
  aesKsn,
  aesTransactionKey,
  aesWorkingKey,
  nextTdesCounter,
  tdesCounter,
  tdesCurrentKey,
  tdesEncryptData,
  tdesEncryptPin,
  tdesMac,
  tdesIpek,
  tdesKsnWithCounter,
  tdesPinKey,
} from './dukpt';

interface DukptFile {
  tdes: {
    bdk: string;
    initial_ksn: string;
    expected_ipek: string;
    ipek_kcv: string;
    pin_block_inputs: { pin: string; pan: string; clear_pin_block: string };
    data_mac_input_ascii: string;
    sequence: {
      ksn: string;
      expected_current_key: string;
      expected_pin_key: string;
      expected_encrypted_pin_block: string;
      expected_data_request_enc: string;
      expected_data_response_enc: string;
      expected_mac_request: string;
      expected_mac_response: string;
    }[];
  };
  aes: {
    bdk: string;
    initial_key_id: string;
    initial_key_derivation_data: string;
    expected_initial_key: string;
    pin: string;
    pan: string;
    mac_data_ascii: string;
    sequence: {
      ksn: string;
      expected_transaction_derivation_key: string;
      expected_cmac_request: string;
      expected_cmac_response: string;
      expected_data_request_enc: string;
      expected_data_response_enc: string;
    }[];
    pin_working_keys: { counter: number; ksn: string; expected_pin_key: string }[];
  };
}

const { tdes, aes } = readVectors<DukptFile>('dukpt.json');

describe('TDES DUKPT (X9.24-1)', () => {
  const bdk = fromHex(tdes.bdk);
  const ipek = tdesIpek(bdk, fromHex(tdes.initial_ksn));

  it('IPEK and its check value', () => {
    expect(toHex(ipek)).toBe(tdes.expected_ipek);
    expect(toHex(keyCheckValue(ipek, 'tdes'))).toBe(tdes.ipek_kcv);
  });

  it.each(tdes.sequence)('$ksn: current key, PIN key, encrypted PIN block', (step) => {
    const ksn = fromHex(step.ksn);
    expect(toHex(tdesCurrentKey(ipek, ksn))).toBe(step.expected_current_key);
    expect(toHex(tdesPinKey(ipek, ksn))).toBe(step.expected_pin_key);
    const { pin, pan, clear_pin_block } = tdes.pin_block_inputs;
    const encrypted = tdesEncryptPin(ipek, ksn, pin, pan);
    expect(encrypted).toBe(step.expected_encrypted_pin_block);
    const clear = toHex(tdesDecrypt(tdesPinKey(ipek, ksn), fromHex(encrypted)));
    expect(clear).toBe(clear_pin_block);
    expect(readPinBlock(clear, pan)).toEqual({ ok: true, value: pin });
  });

  it.each(tdes.sequence)(
    '$ksn: data encryption and X9.19 MAC, request and response (published by moov-io)',
    (step) => {
      const ksn = fromHex(step.ksn);
      const data = latin1Bytes(tdes.data_mac_input_ascii);
      expect(tdesEncryptData(ipek, ksn, data, 'request')).toBe(step.expected_data_request_enc);
      expect(tdesEncryptData(ipek, ksn, data, 'response')).toBe(step.expected_data_response_enc);
      expect(tdesMac(ipek, ksn, data, 'request')).toBe(step.expected_mac_request);
      expect(tdesMac(ipek, ksn, data, 'response')).toBe(step.expected_mac_response);
    },
  );

  it('counters skip values with more than 10 one-bits', () => {
    expect(nextTdesCounter(0)).toBe(1);
    expect(nextTdesCounter(0b1111111111 - 1)).toBe(0b1111111111);
    expect(nextTdesCounter(0b1111111111)).toBe(0b10000000000);
    const ksn = tdesKsnWithCounter(fromHex(tdes.initial_ksn), 0x1abcd);
    expect(tdesCounter(ksn)).toBe(0x1abcd);
    expect(toHex(ksn).slice(0, 14)).toBe(tdes.initial_ksn.slice(0, 14));
  });
});

describe('AES DUKPT (X9.24-3-2017)', () => {
  const bdk = fromHex(aes.bdk);
  const ikid = fromHex(aes.initial_key_id);
  const ik = aesInitialKey(bdk, ikid);

  it('initial key derivation data and initial key', () => {
    expect(toHex(aesDerivationData(AES_KEY_USAGE.initialKey, 'AES-128', ikid, 'initial'))).toBe(
      aes.initial_key_derivation_data,
    );
    expect(toHex(ik)).toBe(aes.expected_initial_key);
  });

  it.each(aes.sequence)('$ksn: transaction-derivation key, data encryption and CMAC', (step) => {
    const ksn = fromHex(step.ksn);
    expect(toHex(aesTransactionKey(ik, ksn))).toBe(step.expected_transaction_derivation_key);
    const data = latin1Bytes(aes.mac_data_ascii);
    expect(aesEncryptData(ik, ksn, data, 'request')).toBe(step.expected_data_request_enc);
    expect(aesEncryptData(ik, ksn, data, 'response')).toBe(step.expected_data_response_enc);
    expect(aesMac(ik, ksn, data, 'request')).toBe(step.expected_cmac_request);
    expect(aesMac(ik, ksn, data, 'response')).toBe(step.expected_cmac_response);
  });

  it.each(aes.pin_working_keys)(
    'counter $counter: PIN encryption key, and a format-4 block under it',
    (step) => {
      const ksn = fromHex(step.ksn);
      expect(toHex(aesKsn(ikid, step.counter))).toBe(step.ksn);
      const pinKey = aesWorkingKey(ik, ksn, AES_KEY_USAGE.pinEncryption);
      expect(toHex(pinKey)).toBe(step.expected_pin_key);
      const block = aesEncryptPin(ik, ksn, aes.pin, aes.pan);
      expect(decipherPinBlock4(pinKey, block, aes.pan)).toEqual({ ok: true, value: aes.pin });
    },
  );

  it('PIN blocks under counters 1 and 2 equal the published X9.24-3 format 4 examples', () => {
    const pinVectors = readVectors<{
      vectors: {
        id: string;
        pin: string;
        pan: string;
        random_fill: string;
        expected_enciphered_pin_block: string;
      }[];
    }>('pinblock.json').vectors;
    for (const [counter, id] of [
      [1, 'ISO4-X924-3-WK1'],
      [2, 'ISO4-X924-3-WK2'],
    ] as const) {
      const v = pinVectors.find((x) => x.id === id)!;
      const block = aesEncryptPin(ik, aesKsn(ikid, counter), v.pin, v.pan, fromHex(v.random_fill));
      expect(block).toBe(v.expected_enciphered_pin_block);
    }
  });
});
