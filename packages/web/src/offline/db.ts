/**
 * The register's IndexedDB (Dexie). Everything the till needs to sell offline lives here and
 * survives reloads and browser restarts: reference data (refreshed by delta sync), the session,
 * PIN verifiers, the sales outbox, parked tickets and the sync cursor.
 */
import Dexie, { type Table } from 'dexie';
import type { EmbeddedBarcodeRule, Unit } from '@opentill/core';
import type { Category, LocalSale, ParkedTicket, RegisterInfo, StaffInfo, StoreInfo } from './contract';

export interface StoreRow extends StoreInfo {
  embeddedBarcodes: EmbeddedBarcodeRule[];
  negativeStock: 'block' | 'allow';
}

export interface TaxClassRow {
  id: string;
  name: string;
  /** storeId → rate in parts per million */
  rates: Record<string, number>;
}

export interface CategoryRow extends Category {
  parentId: string | null;
  sort: number;
}

/** A sellable variant with its prices in every store (the till picks the session store's). */
export interface ItemRow {
  variantId: string;
  productId: string;
  name: string;
  nameZh: string | null;
  sku: string;
  barcodes: string[];
  unit: Unit;
  taxClassId: string;
  categoryId: string | null;
  pluCode: string | null;
  /** storeId → price in minor units */
  prices: Record<string, number>;
  updatedAt: string;
}

/**
 * A verifier for offline PIN switches: PBKDF2-SHA-256(pin, salt) made at the last successful
 * online PIN use on this device. The PIN itself is never stored.
 */
export interface PinVerifierRow {
  username: string;
  staff: StaffInfo;
  salt: string;
  hash: string;
  iterations: number;
  /** failed offline attempts since the last success; at the limit offline PIN use is refused */
  failures: number;
  updatedAt: string;
}

/** An outbox row: the contract's LocalSale plus the token it was made under (to push as that staff). */
export interface OutboxRow extends LocalSale {
  token?: string | null;
  syncedAt?: string;
  attempts?: number;
}

/**
 * A card the simulated payment terminal read while the register was offline (terminal.ts): the
 * test card's name and the entry mode, never a number; deleted once handed to the server.
 */
export interface TerminalReadRow {
  reference: string;
  terminalId: string;
  card: string;
  entryMode: 'chip' | 'contactless' | 'swipe' | 'manual';
  createdAt: string;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class TillDb extends Dexie {
  meta!: Table<MetaRow, string>;
  stores!: Table<StoreRow, string>;
  registers!: Table<RegisterInfo, string>;
  taxClasses!: Table<TaxClassRow, string>;
  categories!: Table<CategoryRow, string>;
  items!: Table<ItemRow, string>;
  pins!: Table<PinVerifierRow, string>;
  outbox!: Table<OutboxRow, string>;
  parked!: Table<ParkedTicket, string>;
  terminalReads!: Table<TerminalReadRow, string>;

  constructor(name = 'opentill-register') {
    super(name);
    this.version(1).stores({
      meta: 'key',
      stores: 'id',
      registers: 'id, storeId',
      taxClasses: 'id',
      categories: 'id, sort',
      items: 'variantId, sku, *barcodes, pluCode, categoryId, updatedAt',
      pins: 'username',
      outbox: 'orderId, hlc, status, [status+hlc]',
      parked: 'id, parkedAt',
    });
    this.version(2).stores({ terminalReads: 'reference, createdAt' });
  }
}

/** Meta keys. */
export const META = {
  session: 'session',
  deviceId: 'deviceId',
  hlc: 'hlc',
  catalogCursor: 'catalogCursor',
  lastSyncAt: 'lastSyncAt',
  lastRegister: 'lastRegister',
  /** the tenant's approval policy as last read online (the offline rule for hand-made changes) */
  approvalPolicy: 'approvalPolicy',
} as const;

export async function getMeta<T>(db: TillDb, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export async function setMeta(db: TillDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}
