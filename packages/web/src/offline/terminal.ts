/**
 * The register's local link to its payment terminal, for card sales while the network is down
 * (store-and-forward). Online, the server drives the terminal (a `terminalId` tender). Offline,
 * the register asks the terminal here: the terminal reads the card and keeps the card data; the
 * register only gets the terminal's reference (the token of that stored read), the masked number
 * and the brand, and records the sale with them. When the network returns the terminal hands its
 * stored reads to the server, the register's outbox sends the sale, and the server forwards it to
 * the acquirer; declines land on the back office's exception list.
 *
 * OpenTill ships a simulated terminal: it reads the sandbox's named test cards (the next one
 * presented, else a contactless Visa) and keeps, per stored read, only the card's NAME and the
 * entry mode in IndexedDB — never a card number. A real terminal implements the same interface
 * over its own local link.
 */
import {
  cardBrand,
  maskPan,
  TERMINAL_TEST_CARDS,
  type EntryMode,
  type TerminalTestCardName,
} from '@opentill/payments';
import { fail, ok } from '@opentill/core';
import { api } from '../api/client';
import type { TillResult } from './contract';
import type { TillDb } from './db';

/** What the register keeps of a card read offline. */
export interface OfflineCardRead {
  /** the terminal's reference of its stored read: the sale's card token until it is forwarded */
  reference: string;
  maskedPan: string;
  brand: string;
  entryMode: EntryMode;
}

export interface TerminalLink {
  /** Reads a card on the terminal without the network; the terminal keeps the card data. */
  readOffline(req: {
    terminalId: string;
    amount: number;
    currency: string;
  }): Promise<TillResult<OfflineCardRead>>;
  /** Hands the terminal's stored reads to the server (online); resolves when there are none left or the server is unreachable. */
  handOver(): Promise<void>;
}

/** The simulated terminal's next card (the demo, the browser tests). */
export interface PresentedCard {
  card: TerminalTestCardName;
  entryMode: EntryMode;
}

const isTestCard = (name: string): name is TerminalTestCardName => name in TERMINAL_TEST_CARDS;

/** 96 random bits, base64url, prefixed: the terminal's reference of one stored read. */
function newReference(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `sf_${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export class SimulatedTerminal implements TerminalLink {
  private readonly presented: PresentedCard[] = [];
  private handing: Promise<void> | null = null;

  constructor(private readonly db: TillDb) {}

  /** The next card the terminal reads (the shopper taps or inserts it). */
  present(next: PresentedCard): void {
    if (!isTestCard(next.card)) throw new Error(`unknown test card ${String(next.card)}`);
    this.presented.push(next);
  }

  async readOffline(req: {
    terminalId: string;
    amount: number;
    currency: string;
  }): Promise<TillResult<OfflineCardRead>> {
    if (req.amount <= 0) return fail('validation_failed', 'Nothing to charge.');
    const next = this.presented.shift() ?? { card: 'visa', entryMode: 'contactless' };
    const pan = TERMINAL_TEST_CARDS[next.card].card.pan;
    const read: OfflineCardRead = {
      reference: newReference(),
      maskedPan: maskPan(pan),
      brand: cardBrand(pan)?.brand ?? 'unknown',
      entryMode: next.entryMode,
    };
    await this.db.terminalReads.add({
      reference: read.reference,
      terminalId: req.terminalId,
      card: next.card,
      entryMode: next.entryMode,
      createdAt: new Date().toISOString(),
    });
    return ok(read);
  }

  handOver(): Promise<void> {
    this.handing ??= this.doHandOver().finally(() => {
      this.handing = null;
    });
    return this.handing;
  }

  private async doHandOver(): Promise<void> {
    const rows = await this.db.terminalReads.orderBy('createdAt').toArray();
    for (const row of rows) {
      const r = await api('POST', `/payments/terminals/${encodeURIComponent(row.terminalId)}/offline-reads`, {
        reference: row.reference,
        card: row.card,
        entryMode: row.entryMode,
      });
      // unreachable or not signed in: keep it for the next round
      if (!r.ok && (r.error.status === 0 || r.error.status === 401)) return;
      await this.db.terminalReads.delete(row.reference);
    }
  }
}
