/**
 * A payment terminal simulator for tests, benchmarks and the sandbox: reads a test card by chip,
 * contactless, swipe or manual entry, takes a PIN and encrypts it at once under the device's
 * DUKPT key (ISO format 0 under TDES DUKPT, format 4 under AES DUKPT), handing over only the KSN
 * and the encrypted block, as a PCI PTS device would.
 */
import { fromHex, toHex } from '../bytes';
import { formatTrack2 } from '../cards';
import type { CardInput, EncryptedPin, EntryMode } from '../acquirer/types';
import {
  aesEncryptPin,
  aesInitialKey,
  aesKsn,
  nextAesCounter,
  nextTdesCounter,
  tdesCounter,
  tdesEncryptPin,
  tdesIpek,
  tdesKsnWithCounter,
} from '../crypto/dukpt';

export interface TestCard {
  pan: string;
  /** YYMM */
  expiry: string;
  /** Track 2 service code, default 201 (international, chip, normal authorization). */
  serviceCode?: string;
}

export interface CardRead {
  card: CardInput;
  pin?: EncryptedPin;
}

type DeviceKey =
  | { kind: 'tdes'; ipek: Uint8Array; ksn: Uint8Array; counter: number }
  | { kind: 'aes'; initialKey: Uint8Array; initialKeyId: Uint8Array; counter: number };

export class TerminalSimulator {
  #key: DeviceKey;

  private constructor(key: DeviceKey) {
    this.#key = key;
  }

  /** Injects a TDES DUKPT IPEK derived from `bdk` for the device's initial KSN (20 hex characters). */
  static tdes(bdk: string, initialKsn: string): TerminalSimulator {
    const ksn = fromHex(initialKsn);
    return new TerminalSimulator({
      kind: 'tdes',
      ipek: tdesIpek(fromHex(bdk), ksn),
      ksn,
      counter: tdesCounter(ksn),
    });
  }

  /** Injects an AES DUKPT initial key derived from `bdk` for the device's initial key ID (16 hex characters). */
  static aes(bdk: string, initialKeyId: string): TerminalSimulator {
    const ikid = fromHex(initialKeyId);
    return new TerminalSimulator({
      kind: 'aes',
      initialKey: aesInitialKey(fromHex(bdk), ikid),
      initialKeyId: ikid,
      counter: 0,
    });
  }

  /** Current key serial number (hex). */
  get ksn(): string {
    const key = this.#key;
    return key.kind === 'tdes'
      ? toHex(tdesKsnWithCounter(key.ksn, key.counter))
      : toHex(aesKsn(key.initialKeyId, key.counter));
  }

  /** Reads a card; with a PIN, encrypts it under the next DUKPT key. */
  read(card: TestCard, entryMode: EntryMode, pin?: string): CardRead {
    const input: CardInput =
      entryMode === 'manual'
        ? { entryMode, pan: card.pan, expiry: card.expiry }
        : {
            entryMode,
            track2: formatTrack2({
              pan: card.pan,
              expiry: card.expiry,
              serviceCode: card.serviceCode ?? '201',
              discretionary: '',
            }),
          };
    if (pin === undefined) return { card: input };
    return { card: input, pin: this.encryptPin(pin, card.pan) };
  }

  /** Encrypts a PIN for `pan` under the next transaction key. */
  encryptPin(pin: string, pan: string): EncryptedPin {
    const key = this.#key;
    if (key.kind === 'tdes') {
      key.counter = nextTdesCounter(key.counter);
      const ksn = tdesKsnWithCounter(key.ksn, key.counter);
      return { format: 'iso0-tdes', ksn: toHex(ksn), block: tdesEncryptPin(key.ipek, ksn, pin, pan) };
    }
    key.counter = nextAesCounter(key.counter);
    const ksn = aesKsn(key.initialKeyId, key.counter);
    return { format: 'iso4-aes', ksn: toHex(ksn), block: aesEncryptPin(key.initialKey, ksn, pin, pan) };
  }
}
