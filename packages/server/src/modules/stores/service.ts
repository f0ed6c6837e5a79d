import { currencyInfo, type EmbeddedBarcodeRule, type RoundingMode } from '@opentill/core';
import type { Deps } from '../../deps';
import type { RegisterTable, StoreTable } from '../../db/schema';
import { fail, type Result } from '../../http/errors';
import * as store from './store';

export interface StoreView {
  id: string;
  name: string;
  nameZh: string | null;
  currency: string;
  timeZone: string;
  country: string | null;
  address: string | null;
  taxMode: 'inclusive' | 'exclusive';
  taxRounding: 'per_line' | 'per_order';
  roundingMode: RoundingMode;
  cashIncrement: number;
  negativeStock: 'block' | 'allow';
  embeddedBarcodes: EmbeddedBarcodeRule[];
}

export interface RegisterView {
  id: string;
  storeId: string;
  name: string;
  active: boolean;
  /** card sales allowed offline up to this amount per sale (minor units); 0 = none */
  offlineCardLimit: number;
}

export type StoreInput = {
  name: string;
  nameZh?: string | null;
  currency: string;
  timeZone: string;
  country?: string | null;
  address?: string | null;
  taxMode: 'inclusive' | 'exclusive';
  taxRounding?: 'per_line' | 'per_order';
  roundingMode?: RoundingMode;
  cashIncrement?: number;
  negativeStock?: 'block' | 'allow';
  embeddedBarcodes?: EmbeddedBarcodeRule[];
};

export function storeView(s: StoreTable): StoreView {
  return {
    id: s.id,
    name: s.name,
    nameZh: s.name_zh,
    currency: s.currency,
    timeZone: s.time_zone,
    country: s.country,
    address: s.address,
    taxMode: s.tax_mode,
    taxRounding: s.tax_rounding,
    roundingMode: s.rounding_mode,
    cashIncrement: s.cash_increment,
    negativeStock: s.negative_stock,
    embeddedBarcodes: JSON.parse(s.embedded_barcodes) as EmbeddedBarcodeRule[],
  };
}

export function registerView(r: RegisterTable): RegisterView {
  return {
    id: r.id,
    storeId: r.store_id,
    name: r.name,
    active: r.active === 1,
    offlineCardLimit: Number(r.offline_card_limit ?? 0),
  };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The usual in-store scale-label layout: prefix 2x, 5-digit item code, 5-digit value, check digit. */
export const defaultEmbeddedBarcodes: EmbeddedBarcodeRule[] = [
  { prefix: '20', kind: 'price', itemDigits: 5, valueDigits: 5 },
  { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5, weightScale: 1000 },
  { prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5, weightScale: 1000 },
  { prefix: '23', kind: 'price', itemDigits: 5, valueDigits: 5 },
];

export function createStoresService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  function validate(input: Partial<StoreInput>): Result<null> {
    if (input.currency !== undefined && !currencyInfo(input.currency)) {
      return fail('invalid_currency', `${input.currency} is not an ISO 4217 currency code.`);
    }
    if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
      return fail('invalid_time_zone', `${input.timeZone} is not an IANA time zone.`);
    }
    return { ok: true, value: null };
  }

  return {
    async list(tenantId: string): Promise<StoreView[]> {
      return (await store.listStores(db, tenantId)).map(storeView);
    },
    async get(tenantId: string, id: string): Promise<Result<StoreView>> {
      const s = await store.findStore(db, tenantId, id);
      return s ? { ok: true, value: storeView(s) } : fail('unknown_store', `Store ${id} does not exist.`);
    },
    async create(tenantId: string, input: StoreInput, id = ids.newId('sto')): Promise<Result<StoreView>> {
      const v = validate(input);
      if (!v.ok) return v;
      const now = clock.now().toISOString();
      const row: StoreTable = {
        id,
        tenant_id: tenantId,
        name: input.name,
        name_zh: input.nameZh ?? null,
        currency: input.currency,
        time_zone: input.timeZone,
        country: input.country ?? null,
        address: input.address ?? null,
        tax_mode: input.taxMode,
        tax_rounding: input.taxRounding ?? 'per_line',
        rounding_mode: input.roundingMode ?? 'half_up',
        cash_increment: input.cashIncrement ?? currencyInfo(input.currency)?.cashIncrement ?? 1,
        negative_stock: input.negativeStock ?? 'allow',
        embedded_barcodes: JSON.stringify(input.embeddedBarcodes ?? defaultEmbeddedBarcodes),
        created_at: now,
        updated_at: now,
      };
      await store.insertStore(db, row);
      return { ok: true, value: storeView(row) };
    },
    async update(tenantId: string, id: string, input: Partial<StoreInput>): Promise<Result<StoreView>> {
      const existing = await store.findStore(db, tenantId, id);
      if (!existing) return fail('unknown_store', `Store ${id} does not exist.`);
      const v = validate(input);
      if (!v.ok) return v;
      const patch: Partial<StoreTable> = { updated_at: clock.now().toISOString() };
      if (input.name !== undefined) patch.name = input.name;
      if (input.nameZh !== undefined) patch.name_zh = input.nameZh;
      if (input.currency !== undefined) patch.currency = input.currency;
      if (input.timeZone !== undefined) patch.time_zone = input.timeZone;
      if (input.country !== undefined) patch.country = input.country;
      if (input.address !== undefined) patch.address = input.address;
      if (input.taxMode !== undefined) patch.tax_mode = input.taxMode;
      if (input.taxRounding !== undefined) patch.tax_rounding = input.taxRounding;
      if (input.roundingMode !== undefined) patch.rounding_mode = input.roundingMode;
      if (input.cashIncrement !== undefined) patch.cash_increment = input.cashIncrement;
      if (input.negativeStock !== undefined) patch.negative_stock = input.negativeStock;
      if (input.embeddedBarcodes !== undefined)
        patch.embedded_barcodes = JSON.stringify(input.embeddedBarcodes);
      await store.updateStore(db, tenantId, id, patch);
      return { ok: true, value: storeView({ ...existing, ...patch }) };
    },
    async listRegisters(tenantId: string, storeId?: string): Promise<RegisterView[]> {
      return (await store.listRegisters(db, tenantId, storeId)).map(registerView);
    },
    async getRegister(tenantId: string, id: string): Promise<Result<RegisterView>> {
      const r = await store.findRegister(db, tenantId, id);
      return r
        ? { ok: true, value: registerView(r) }
        : fail('unknown_register', `Register ${id} does not exist.`);
    },
    async createRegister(
      tenantId: string,
      input: { storeId: string; name: string; offlineCardLimit?: number },
      id = ids.newId('reg'),
    ): Promise<Result<RegisterView>> {
      if (!(await store.findStore(db, tenantId, input.storeId))) {
        return fail('unknown_store', `Store ${input.storeId} does not exist.`);
      }
      const now = clock.now().toISOString();
      const row: RegisterTable = {
        id,
        tenant_id: tenantId,
        store_id: input.storeId,
        name: input.name,
        active: 1,
        offline_card_limit: input.offlineCardLimit ?? 0,
        created_at: now,
        updated_at: now,
      };
      await store.insertRegister(db, row);
      return { ok: true, value: registerView(row) };
    },
    async updateRegister(
      tenantId: string,
      id: string,
      input: { name?: string; active?: boolean; offlineCardLimit?: number },
    ): Promise<Result<RegisterView>> {
      const existing = await store.findRegister(db, tenantId, id);
      if (!existing) return fail('unknown_register', `Register ${id} does not exist.`);
      const patch: Partial<RegisterTable> = { updated_at: clock.now().toISOString() };
      if (input.name !== undefined) patch.name = input.name;
      if (input.active !== undefined) patch.active = input.active ? 1 : 0;
      if (input.offlineCardLimit !== undefined) patch.offline_card_limit = input.offlineCardLimit;
      await store.updateRegister(db, tenantId, id, patch);
      return { ok: true, value: registerView({ ...existing, ...patch }) };
    },
  };
}

export type StoresService = ReturnType<typeof createStoresService>;
