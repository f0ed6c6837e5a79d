import { isValidGtin, normalizeGtin, parseBarcode, type Unit } from '@opentill/core';
import { auditQuery } from '../audit/audit';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isUniqueViolation } from '../../db/database';
import type {
  BarcodeTable,
  CategoryTable,
  DB,
  PriceTable,
  ProductTable,
  TaxClassTable,
  VariantTable,
} from '../../db/schema';
import { fail, type ApiError, type Result } from '../../http/errors';
import type { StoresService } from '../stores/service';
import * as store from './store';

// ---------------------------------------------------------------------------------------------
// Views and inputs
// ---------------------------------------------------------------------------------------------

export interface Actor {
  tenantId: string;
  staffId: string | null;
}

export interface VariantView {
  id: string;
  productId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: Unit;
  taxClassId: string;
  pluCode: string | null;
  active: boolean;
  /** GTINs in their shortest standard form (GTIN-8, UPC-A, EAN-13 or GTIN-14) */
  barcodes: string[];
  /** price in the store's minor units, by store ID */
  prices: Record<string, number>;
  updatedAt: string;
}

export interface ProductView {
  id: string;
  name: string;
  nameZh: string | null;
  categoryId: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  variants: VariantView[];
}

export interface VariantInput {
  sku: string;
  name?: string;
  nameZh?: string | null;
  unit?: Unit;
  taxClassId: string;
  pluCode?: string | null;
  barcodes?: string[];
  prices?: Record<string, number>;
}

export interface ProductInput {
  name: string;
  nameZh?: string | null;
  categoryId?: string | null;
  variants: VariantInput[];
}

export interface VariantPatch {
  /** an existing variant of the product; without it a new variant is added */
  id?: string;
  sku?: string;
  name?: string;
  nameZh?: string | null;
  unit?: Unit;
  taxClassId?: string;
  pluCode?: string | null;
  active?: boolean;
  /** replaces the variant's barcodes */
  barcodes?: string[];
  /** sets prices per store; null removes the store's price */
  prices?: Record<string, number | null>;
}

export interface ProductPatch {
  name?: string;
  nameZh?: string | null;
  categoryId?: string | null;
  active?: boolean;
  variants?: VariantPatch[];
}

export interface SearchQuery {
  q?: string;
  limit?: number;
  offset?: number;
  categoryId?: string;
  storeId?: string;
  includeInactive?: boolean;
}

export interface CategoryView {
  id: string;
  name: string;
  nameZh: string | null;
  parentId: string | null;
  sort: number;
}

export interface CategoryInput {
  name: string;
  nameZh?: string | null;
  parentId?: string | null;
  sort?: number;
}

export interface TaxClassView {
  id: string;
  code: string;
  name: string;
  rates: { storeId: string; ratePpm: number }[];
}

export interface TaxClassInput {
  code: string;
  name: string;
  rates: { storeId: string; ratePpm: number }[];
}

export interface ResolvedBarcode {
  code: string;
  kind: 'gtin' | 'embedded';
  product: { id: string; name: string; nameZh: string | null };
  variant: VariantView;
  /** price in the store when `storeId` was given */
  price: number | null;
  /** embedded price labels: the price printed in the code, minor units */
  embeddedPrice?: number;
  /** embedded weight labels: the weight in thousandths of a kg */
  embeddedWeightMilli?: number;
}

export interface ChangeItem extends VariantView {
  productName: string;
  productNameZh: string | null;
  productActive: boolean;
  categoryId: string | null;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Lower-cased names (both languages), SKU and barcodes: what product search matches against. */
export function searchText(parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .join(' ')
    .toLowerCase();
}

/** The shortest standard form of a stored (14-digit) GTIN: 8, 12, 13 or 14 digits. */
export function displayGtin(code14: string): string {
  for (const len of [8, 12, 13]) {
    if (/^0*$/.test(code14.slice(0, 14 - len))) return code14.slice(14 - len);
  }
  return code14;
}

function variantSearchText(
  v: Pick<VariantTable, 'name' | 'name_zh' | 'sku'>,
  p: Pick<ProductTable, 'name' | 'name_zh'>,
  codes: string[],
) {
  return searchText([v.name, v.name_zh, p.name, p.name_zh, v.sku, ...codes.map(displayGtin)]);
}

function variantView(v: VariantTable, codes: string[], prices: PriceTable[]): VariantView {
  return {
    id: v.id,
    productId: v.product_id,
    sku: v.sku,
    name: v.name,
    nameZh: v.name_zh,
    unit: v.unit,
    taxClassId: v.tax_class_id,
    pluCode: v.plu_code,
    active: v.active === 1,
    barcodes: codes.map(displayGtin),
    prices: Object.fromEntries(prices.map((p) => [p.store_id, p.price])),
    updatedAt: v.updated_at,
  };
}

function categoryView(c: CategoryTable): CategoryView {
  return { id: c.id, name: c.name, nameZh: c.name_zh, parentId: c.parent_id, sort: c.sort };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** An expected failure found inside a transaction: thrown to roll back, returned as a value. */
class Abort extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

export function createCatalogService(deps: Deps, services: { stores: StoresService }) {
  const { database, clock, ids } = deps;
  const db = database.db;

  /** Records an audit entry inside the caller's transaction. */
  async function audit(
    trx: Transaction<DB>,
    actor: Actor,
    action: string,
    entity: string,
    entityId: string | null,
    data: unknown,
    now: string,
  ): Promise<void> {
    await trx.executeQuery(
      auditQuery(
        trx,
        ids,
        {
          tenantId: actor.tenantId,
          staffId: actor.staffId,
          action: action,
          entity: entity,
          entityId: entityId,
          data: data,
        },
        now,
      ),
    );
  }

  /** Runs `fn` in a transaction; an `Abort` rolls back and becomes a failure value. */
  async function inTransaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<Result<T>> {
    try {
      return ok(await db.transaction().execute(fn));
    } catch (e) {
      if (e instanceof Abort) return { ok: false, error: e.error };
      if (isUniqueViolation(e)) {
        const text =
          String((e as { message?: unknown }).message ?? '') +
          String((e as { constraint?: unknown }).constraint ?? '');
        if (/barcode/i.test(text))
          return fail('duplicate_barcode', 'One of the barcodes already belongs to another item.');
        if (/sku/i.test(text))
          return fail('duplicate_sku', 'One of the SKUs already belongs to another item.');
        return fail('conflict', 'The change conflicts with existing data; reload and try again.');
      }
      throw e;
    }
  }

  async function loadProducts(
    tenantId: string,
    productIds: readonly string[],
    storeId?: string,
  ): Promise<ProductView[]> {
    if (productIds.length === 0) return [];
    // four independent queries at once: on PostgreSQL that is one round trip of latency
    const [products, variants, codes, prices] = await Promise.all([
      store.productsByIds(db, tenantId, productIds),
      store.variantsOfProducts(db, tenantId, productIds),
      store.barcodesOfProducts(db, tenantId, productIds),
      store.pricesOfProducts(db, tenantId, productIds),
    ]);
    const codesBy = groupBy(codes, (c) => c.variant_id);
    const pricesBy = groupBy(
      storeId === undefined ? prices : prices.filter((p) => p.store_id === storeId),
      (p) => p.variant_id,
    );
    const variantsBy = groupBy(variants, (v) => v.product_id);
    const byId = new Map(products.map((p) => [p.id, p]));
    const out: ProductView[] = [];
    for (const id of productIds) {
      const p = byId.get(id);
      if (!p) continue;
      out.push({
        id: p.id,
        name: p.name,
        nameZh: p.name_zh,
        categoryId: p.category_id,
        active: p.active === 1,
        createdAt: p.created_at,
        updatedAt: p.updated_at,
        variants: (variantsBy.get(p.id) ?? []).map((v) =>
          variantView(
            v,
            (codesBy.get(v.id) ?? []).map((c) => c.code),
            pricesBy.get(v.id) ?? [],
          ),
        ),
      });
    }
    return out;
  }

  async function loadVariant(tenantId: string, v: VariantTable): Promise<VariantView> {
    const [codes, prices] = await Promise.all([
      store.barcodesOf(db, tenantId, [v.id]),
      store.pricesOf(db, tenantId, [v.id]),
    ]);
    return variantView(
      v,
      codes.map((c) => c.code),
      prices,
    );
  }

  /** Checks barcodes (format, duplicates in the request) and returns them normalized. */
  function normalizeCodes(codes: readonly string[], seen: Set<string>): Result<string[]> {
    const out: string[] = [];
    for (const raw of codes) {
      const code = raw.trim();
      if (!isValidGtin(code)) {
        return fail(
          'invalid_barcode',
          `${raw} is not a valid GTIN-8, UPC-A, EAN-13 or GTIN-14 (digits and check digit).`,
          { code: raw },
        );
      }
      const n = normalizeGtin(code);
      if (seen.has(n)) return fail('duplicate_barcode', `Barcode ${raw} is given twice.`, { code: raw });
      seen.add(n);
      out.push(n);
    }
    return ok(out);
  }

  async function checkRefs(
    tenantId: string,
    refs: { taxClassIds: string[]; storeIds: string[]; categoryId?: string | null | undefined },
  ): Promise<Result<null>> {
    const taxIds = [...new Set(refs.taxClassIds)];
    const foundTax = await store.existingIds(db, 'tax_classes', tenantId, taxIds);
    const missingTax = taxIds.find((t) => !foundTax.has(t));
    if (missingTax !== undefined)
      return fail('unknown_tax_class', `Tax class ${missingTax} does not exist.`, { taxClassId: missingTax });
    if (refs.storeIds.length > 0) {
      const stores = new Set((await services.stores.list(tenantId)).map((s) => s.id));
      const missing = refs.storeIds.find((s) => !stores.has(s));
      if (missing !== undefined)
        return fail('unknown_store', `Store ${missing} does not exist.`, { storeId: missing });
    }
    if (refs.categoryId) {
      const found = await store.existingIds(db, 'categories', tenantId, [refs.categoryId]);
      if (!found.has(refs.categoryId))
        return fail('unknown_category', `Category ${refs.categoryId} does not exist.`);
    }
    return ok(null);
  }

  /** Fails when any of the normalized codes or SKUs already belong to a variant other than `own`. */
  async function checkTaken(
    tenantId: string,
    codes: string[],
    skus: string[],
    own: ReadonlySet<string>,
  ): Promise<Result<null>> {
    const takenCodes = (await store.barcodesTaken(db, tenantId, codes)).filter((b) => !own.has(b.variant_id));
    const firstCode = takenCodes[0];
    if (firstCode) {
      return fail(
        'duplicate_barcode',
        `Barcode ${displayGtin(firstCode.code)} already belongs to another item.`,
        {
          code: displayGtin(firstCode.code),
          variantId: firstCode.variant_id,
        },
      );
    }
    const takenSkus = (await store.skusTaken(db, tenantId, skus)).filter((v) => !own.has(v.id));
    const firstSku = takenSkus[0];
    if (firstSku)
      return fail('duplicate_sku', `SKU ${firstSku.sku} already belongs to another item.`, {
        sku: firstSku.sku,
        variantId: firstSku.id,
      });
    return ok(null);
  }

  function newVariantRows(
    tenantId: string,
    product: Pick<ProductTable, 'id' | 'name' | 'name_zh'>,
    input: VariantInput,
    codes: string[],
    now: string,
  ): { variant: VariantTable; barcodes: BarcodeTable[]; prices: PriceTable[] } {
    const id = ids.newId('var');
    const base = {
      name: input.name ?? product.name,
      name_zh: input.nameZh ?? (input.name === undefined ? product.name_zh : null),
      sku: input.sku,
    };
    const variant: VariantTable = {
      id,
      tenant_id: tenantId,
      product_id: product.id,
      sku: input.sku,
      name: base.name,
      name_zh: base.name_zh,
      unit: input.unit ?? 'each',
      tax_class_id: input.taxClassId,
      plu_code: input.pluCode ?? null,
      active: 1,
      search_text: variantSearchText(base, product, codes),
      created_at: now,
      updated_at: now,
    };
    return {
      variant,
      barcodes: codes.map((code) => ({ tenant_id: tenantId, code, variant_id: id })),
      prices: Object.entries(input.prices ?? {}).map(([storeId, price]) => ({
        tenant_id: tenantId,
        variant_id: id,
        store_id: storeId,
        price,
      })),
    };
  }

  async function getProduct(tenantId: string, id: string): Promise<Result<ProductView>> {
    const [p] = await loadProducts(tenantId, [id]);
    return p ? ok(p) : fail('unknown_product', `Product ${id} does not exist.`);
  }

  return {
    searchText,

    async searchProducts(
      tenantId: string,
      query: SearchQuery,
    ): Promise<Result<{ items: ProductView[]; limit: number; offset: number; hasMore: boolean }>> {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
      const offset = Math.max(query.offset ?? 0, 0);
      if (query.storeId !== undefined && !(await services.stores.get(tenantId, query.storeId)).ok) {
        return fail('unknown_store', `Store ${query.storeId} does not exist.`);
      }
      const raw = query.q?.trim() ?? '';
      const filter = {
        categoryId: query.categoryId,
        storeId: query.storeId,
        includeInactive: query.includeInactive ?? false,
      };
      let page: string[];
      if (raw === '') page = await store.listProductIds(db, tenantId, filter, limit + 1, offset);
      else {
        // An exact barcode (any GTIN form) or SKU answers alone: that is what a scan means.
        const exact = await store.exactProductIds(
          db,
          tenantId,
          /^\d{8,14}$/.test(raw) ? normalizeGtin(raw) : null,
          raw,
          filter,
        );
        if (exact.length > 0) page = exact.slice(offset, offset + limit + 1);
        else {
          // Substring matches in catalogue order; a product with several matching variants counts once.
          const want = offset + limit + 1;
          let fetch = want * 2;
          let distinct: string[] = [];
          for (;;) {
            const rows = await store.matchingProductIds(
              db,
              database.kind,
              tenantId,
              raw.toLowerCase(),
              filter,
              fetch,
            );
            distinct = [...new Set(rows)];
            if (distinct.length >= want || rows.length < fetch) break;
            fetch *= 4;
          }
          page = distinct.slice(offset, want);
        }
      }
      const hasMore = page.length > limit;
      const items = await loadProducts(tenantId, page.slice(0, limit), query.storeId);
      return ok({ items, limit, offset, hasMore });
    },

    getProduct,

    async getVariant(tenantId: string, id: string): Promise<Result<VariantView>> {
      const v = await store.findVariant(db, tenantId, id);
      return v ? ok(await loadVariant(tenantId, v)) : fail('not_found', `Variant ${id} does not exist.`);
    },

    async createProduct(actor: Actor, input: ProductInput): Promise<Result<ProductView>> {
      const { tenantId } = actor;
      const seen = new Set<string>();
      const codesPer: string[][] = [];
      for (const v of input.variants) {
        const codes = normalizeCodes(v.barcodes ?? [], seen);
        if (!codes.ok) return codes;
        codesPer.push(codes.value);
      }
      const skus = input.variants.map((v) => v.sku);
      const dupSku = skus.find((s, i) => skus.indexOf(s) !== i);
      if (dupSku !== undefined)
        return fail('duplicate_sku', `SKU ${dupSku} is given twice.`, { sku: dupSku });
      const refs = await checkRefs(tenantId, {
        taxClassIds: input.variants.map((v) => v.taxClassId),
        storeIds: [...new Set(input.variants.flatMap((v) => Object.keys(v.prices ?? {})))],
        categoryId: input.categoryId,
      });
      if (!refs.ok) return refs;
      const taken = await checkTaken(tenantId, codesPer.flat(), skus, new Set());
      if (!taken.ok) return taken;

      const now = clock.now().toISOString();
      const product: ProductTable = {
        id: ids.newId('prd'),
        tenant_id: tenantId,
        name: input.name,
        name_zh: input.nameZh ?? null,
        category_id: input.categoryId ?? null,
        active: 1,
        created_at: now,
        updated_at: now,
      };
      const rows = input.variants.map((v, i) => newVariantRows(tenantId, product, v, codesPer[i] ?? [], now));
      const done = await inTransaction(async (trx) => {
        await store.insertProduct(trx, product);
        await store.insertVariants(
          trx,
          rows.map((r) => r.variant),
        );
        await store.insertBarcodes(
          trx,
          rows.flatMap((r) => r.barcodes),
        );
        for (const price of rows.flatMap((r) => r.prices)) await store.upsertPrice(trx, price);
        await audit(trx, actor, 'product.create', 'product', product.id, input, now);
      });
      if (!done.ok) return done;
      return getProduct(tenantId, product.id);
    },

    async updateProduct(actor: Actor, id: string, patch: ProductPatch): Promise<Result<ProductView>> {
      const { tenantId } = actor;
      const existing = await store.findProduct(db, tenantId, id);
      if (!existing) return fail('unknown_product', `Product ${id} does not exist.`);
      const variants = await store.variantsOfProducts(db, tenantId, [id]);
      const own = new Map(variants.map((v) => [v.id, v]));
      const patches = patch.variants ?? [];
      for (const vp of patches) {
        if (vp.id !== undefined && !own.has(vp.id)) {
          return fail('unknown_variant', `Variant ${vp.id} is not part of product ${id}.`, {
            variantId: vp.id,
          });
        }
        if (vp.id === undefined && (vp.sku === undefined || vp.taxClassId === undefined)) {
          return fail('validation_failed', 'A new variant needs at least sku and taxClassId.');
        }
      }
      const patchedIds = patches.map((vp) => vp.id).filter((v): v is string => v !== undefined);
      if (new Set(patchedIds).size !== patchedIds.length)
        return fail('validation_failed', 'A variant is listed twice.');

      // barcodes: the new lists of patched variants, plus the unchanged lists of the others
      const seen = new Set<string>();
      const newCodes = new Map<VariantPatch, string[]>();
      const currentCodes = groupBy(
        await store.barcodesOf(db, tenantId, [...own.keys()]),
        (b) => b.variant_id,
      );
      for (const vp of patches) {
        if (vp.barcodes === undefined) continue;
        const codes = normalizeCodes(vp.barcodes, seen);
        if (!codes.ok) return codes;
        newCodes.set(vp, codes.value);
      }
      for (const v of variants) {
        const replaced = patches.some((vp) => vp.id === v.id && vp.barcodes !== undefined);
        if (replaced) continue;
        for (const b of currentCodes.get(v.id) ?? []) {
          if (seen.has(b.code))
            return fail(
              'duplicate_barcode',
              `Barcode ${displayGtin(b.code)} already belongs to another variant.`,
            );
          seen.add(b.code);
        }
      }
      const finalSkus = new Map(variants.map((v) => [v.id as string | VariantPatch, v.sku]));
      for (const vp of patches) if (vp.sku !== undefined) finalSkus.set(vp.id ?? vp, vp.sku);
      const skuList = [...finalSkus.values()];
      const dupSku = skuList.find((s, i) => skuList.indexOf(s) !== i);
      if (dupSku !== undefined)
        return fail('duplicate_sku', `SKU ${dupSku} is given twice.`, { sku: dupSku });

      const refs = await checkRefs(tenantId, {
        taxClassIds: patches.map((vp) => vp.taxClassId).filter((t): t is string => t !== undefined),
        storeIds: [...new Set(patches.flatMap((vp) => Object.keys(vp.prices ?? {})))],
        categoryId: patch.categoryId,
      });
      if (!refs.ok) return refs;
      const taken = await checkTaken(
        tenantId,
        [...newCodes.values()].flat(),
        patches.map((vp) => vp.sku).filter((s): s is string => s !== undefined),
        new Set(own.keys()),
      );
      if (!taken.ok) return taken;

      const now = clock.now().toISOString();
      const productPatch: Partial<ProductTable> = { updated_at: now };
      if (patch.name !== undefined) productPatch.name = patch.name;
      if (patch.nameZh !== undefined) productPatch.name_zh = patch.nameZh;
      if (patch.categoryId !== undefined) productPatch.category_id = patch.categoryId;
      if (patch.active !== undefined) productPatch.active = patch.active ? 1 : 0;
      const product = { ...existing, ...productPatch };
      const namesChanged = patch.name !== undefined || patch.nameZh !== undefined;

      const done = await inTransaction(async (trx) => {
        await store.updateProduct(trx, tenantId, id, productPatch);
        // every variant changes when the product does: registers learn names and active state
        await store.touchVariantsOfProduct(trx, tenantId, id, now);
        for (const v of variants) {
          const vp = patches.find((x) => x.id === v.id);
          if (!vp && !namesChanged) continue;
          const vPatch: Partial<VariantTable> = {};
          if (vp) {
            if (vp.sku !== undefined) vPatch.sku = vp.sku;
            if (vp.name !== undefined) vPatch.name = vp.name;
            if (vp.nameZh !== undefined) vPatch.name_zh = vp.nameZh;
            if (vp.unit !== undefined) vPatch.unit = vp.unit;
            if (vp.taxClassId !== undefined) vPatch.tax_class_id = vp.taxClassId;
            if (vp.pluCode !== undefined) vPatch.plu_code = vp.pluCode;
            if (vp.active !== undefined) vPatch.active = vp.active ? 1 : 0;
          }
          const codes = (vp && newCodes.get(vp)) ?? (currentCodes.get(v.id) ?? []).map((b) => b.code);
          vPatch.search_text = variantSearchText({ ...v, ...vPatch }, product, codes);
          await store.updateVariant(trx, tenantId, v.id, vPatch);
          if (vp && newCodes.has(vp)) {
            await store.deleteBarcodesOf(trx, tenantId, v.id);
            await store.insertBarcodes(
              trx,
              codes.map((code) => ({ tenant_id: tenantId, code, variant_id: v.id })),
            );
          }
          for (const [storeId, price] of Object.entries(vp?.prices ?? {})) {
            if (price === null) await store.deletePrice(trx, tenantId, v.id, storeId);
            else
              await store.upsertPrice(trx, {
                tenant_id: tenantId,
                variant_id: v.id,
                store_id: storeId,
                price,
              });
          }
        }
        const added = patches.filter((vp) => vp.id === undefined);
        const rows = added.map((vp) =>
          newVariantRows(
            tenantId,
            product,
            {
              sku: vp.sku ?? '',
              taxClassId: vp.taxClassId ?? '',
              ...(vp.name !== undefined ? { name: vp.name } : {}),
              ...(vp.nameZh !== undefined ? { nameZh: vp.nameZh } : {}),
              ...(vp.unit !== undefined ? { unit: vp.unit } : {}),
              ...(vp.pluCode !== undefined ? { pluCode: vp.pluCode } : {}),
              prices: Object.fromEntries(
                Object.entries(vp.prices ?? {}).filter((e): e is [string, number] => e[1] !== null),
              ),
            },
            newCodes.get(vp) ?? [],
            now,
          ),
        );
        await store.insertVariants(
          trx,
          rows.map((r) => r.variant),
        );
        await store.insertBarcodes(
          trx,
          rows.flatMap((r) => r.barcodes),
        );
        for (const price of rows.flatMap((r) => r.prices)) await store.upsertPrice(trx, price);
        await audit(trx, actor, 'product.update', 'product', id, patch, now);
      });
      if (!done.ok) return done;
      return getProduct(tenantId, id);
    },

    async deleteProduct(actor: Actor, id: string): Promise<Result<ProductView>> {
      const existing = await store.findProduct(db, actor.tenantId, id);
      if (!existing) return fail('unknown_product', `Product ${id} does not exist.`);
      const now = clock.now().toISOString();
      const done = await inTransaction(async (trx) => {
        await store.updateProduct(trx, actor.tenantId, id, { active: 0, updated_at: now });
        await store.touchVariantsOfProduct(trx, actor.tenantId, id, now);
        await audit(trx, actor, 'product.deactivate', 'product', id, {}, now);
      });
      if (!done.ok) return done;
      return getProduct(actor.tenantId, id);
    },

    /** Resolves a scanned code: a GTIN, or a store's price/weight-embedded label. */
    async resolveBarcode(tenantId: string, code: string, storeId?: string): Promise<Result<ResolvedBarcode>> {
      let rules: Parameters<typeof parseBarcode>[1] = [];
      if (storeId !== undefined) {
        const s = await services.stores.get(tenantId, storeId);
        if (!s.ok) return s;
        rules = s.value.embeddedBarcodes;
      }
      const parsed = parseBarcode(code, rules);
      if (!parsed.ok)
        return fail('invalid_barcode', `${code} is not a valid barcode: ${parsed.error.message}.`, { code });
      const scanned = parsed.value;
      // a code registered as a GTIN wins over an in-store label rule with the same prefix
      const direct = await store.findBarcode(db, tenantId, normalizeGtin(code));
      let variant: VariantTable | undefined;
      let extra: Pick<ResolvedBarcode, 'embeddedPrice' | 'embeddedWeightMilli'> = {};
      if (direct) variant = await store.findVariant(db, tenantId, direct.variant_id);
      else if (scanned.kind === 'embedded') {
        [variant] = await store.variantsByPlu(db, tenantId, scanned.itemCode);
        extra =
          scanned.priceMinor !== undefined
            ? { embeddedPrice: scanned.priceMinor }
            : scanned.weightMilli !== undefined
              ? { embeddedWeightMilli: scanned.weightMilli }
              : {};
      }
      if (!variant) return fail('unknown_barcode', `No item has the barcode ${code}.`, { code });
      const product = await store.findProduct(db, tenantId, variant.product_id);
      const view = await loadVariant(tenantId, variant);
      return ok({
        code: code.trim(),
        kind: direct ? 'gtin' : scanned.kind,
        product: {
          id: variant.product_id,
          name: product?.name ?? variant.name,
          nameZh: product?.name_zh ?? null,
        },
        variant: view,
        price: storeId === undefined ? null : (view.prices[storeId] ?? null),
        ...(direct ? {} : extra),
      });
    },

    /** Variants changed after a cursor (`<iso>` or `<iso>|<variantId>`), for offline registers. */
    async changes(
      tenantId: string,
      since: string | undefined,
      limit = 500,
    ): Promise<Result<{ items: ChangeItem[]; nextCursor: string }>> {
      let at = '';
      let afterId = '';
      if (since) {
        const [instant = '', id = ''] = since.split('|');
        const t = Date.parse(instant);
        if (Number.isNaN(t))
          return fail(
            'validation_failed',
            `since must be an ISO instant or a cursor from nextCursor: ${since}.`,
          );
        at = new Date(t).toISOString();
        afterId = id;
        // a bare instant means "changes strictly after it"
        if (id === '') afterId = '\uffff';
      }
      const rows = await store.variantsChangedSince(
        db,
        tenantId,
        at,
        afterId,
        Math.min(Math.max(limit, 1), 1000),
      );
      const variantIds = rows.map((r) => r.id);
      const [codes, prices] = await Promise.all([
        store.barcodesOf(db, tenantId, variantIds),
        store.pricesOf(db, tenantId, variantIds),
      ]);
      const codesBy = groupBy(codes, (c) => c.variant_id);
      const pricesBy = groupBy(prices, (p) => p.variant_id);
      const items = rows.map((r) => ({
        ...variantView(
          r,
          (codesBy.get(r.id) ?? []).map((c) => c.code),
          pricesBy.get(r.id) ?? [],
        ),
        productName: r.product_name,
        productNameZh: r.product_name_zh,
        productActive: r.product_active === 1,
        categoryId: r.category_id,
      }));
      const last = rows[rows.length - 1];
      const nextCursor = last ? `${last.updated_at}|${last.id}` : (since ?? '');
      return ok({ items, nextCursor });
    },

    // categories

    async listCategories(tenantId: string): Promise<CategoryView[]> {
      return (await store.listCategories(db, tenantId)).map(categoryView);
    },

    async createCategory(actor: Actor, input: CategoryInput): Promise<Result<CategoryView>> {
      if (input.parentId && !(await store.findCategory(db, actor.tenantId, input.parentId))) {
        return fail('unknown_category', `Parent category ${input.parentId} does not exist.`);
      }
      const now = clock.now().toISOString();
      const row: CategoryTable = {
        id: ids.newId('cat'),
        tenant_id: actor.tenantId,
        name: input.name,
        name_zh: input.nameZh ?? null,
        parent_id: input.parentId ?? null,
        sort: input.sort ?? 0,
        created_at: now,
        updated_at: now,
      };
      const done = await inTransaction(async (trx) => {
        await store.insertCategory(trx, row);
        await audit(trx, actor, 'category.create', 'category', row.id, input, now);
      });
      return done.ok ? ok(categoryView(row)) : done;
    },

    async updateCategory(
      actor: Actor,
      id: string,
      input: Partial<CategoryInput>,
    ): Promise<Result<CategoryView>> {
      const { tenantId } = actor;
      const existing = await store.findCategory(db, tenantId, id);
      if (!existing) return fail('not_found', `Category ${id} does not exist.`);
      if (input.parentId) {
        // walk up from the new parent: reaching `id` would make a cycle
        let cursor: string | null = input.parentId;
        for (let depth = 0; cursor !== null; depth++) {
          if (cursor === id || depth > 100)
            return fail('validation_failed', 'A category cannot be its own ancestor.');
          const parent: CategoryTable | undefined = await store.findCategory(db, tenantId, cursor);
          if (!parent) return fail('unknown_category', `Parent category ${cursor} does not exist.`);
          cursor = parent.parent_id;
        }
      }
      const now = clock.now().toISOString();
      const patch: Partial<CategoryTable> = { updated_at: now };
      if (input.name !== undefined) patch.name = input.name;
      if (input.nameZh !== undefined) patch.name_zh = input.nameZh;
      if (input.parentId !== undefined) patch.parent_id = input.parentId;
      if (input.sort !== undefined) patch.sort = input.sort;
      const done = await inTransaction(async (trx) => {
        await store.updateCategory(trx, tenantId, id, patch);
        await audit(trx, actor, 'category.update', 'category', id, input, now);
      });
      return done.ok ? ok(categoryView({ ...existing, ...patch })) : done;
    },

    // tax classes

    async listTaxClasses(tenantId: string): Promise<TaxClassView[]> {
      const [classes, rates] = await Promise.all([
        store.listTaxClasses(db, tenantId),
        store.taxRatesOf(db, tenantId),
      ]);
      const ratesBy = groupBy(rates, (r) => r.tax_class_id);
      return classes.map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        rates: (ratesBy.get(c.id) ?? []).map((r) => ({ storeId: r.store_id, ratePpm: r.rate_ppm })),
      }));
    },

    async getTaxClass(tenantId: string, id: string): Promise<Result<TaxClassView>> {
      const c = await store.findTaxClass(db, tenantId, id);
      if (!c) return fail('not_found', `Tax class ${id} does not exist.`);
      const rates = await store.taxRatesOf(db, tenantId, [id]);
      return ok({
        id: c.id,
        code: c.code,
        name: c.name,
        rates: rates.map((r) => ({ storeId: r.store_id, ratePpm: r.rate_ppm })),
      });
    },

    async createTaxClass(actor: Actor, input: TaxClassInput): Promise<Result<TaxClassView>> {
      const { tenantId } = actor;
      const storeIds = input.rates.map((r) => r.storeId);
      if (new Set(storeIds).size !== storeIds.length)
        return fail('validation_failed', 'A store is listed twice in rates.');
      const refs = await checkRefs(tenantId, { taxClassIds: [], storeIds });
      if (!refs.ok) return refs;
      if (await store.findTaxClassByCode(db, tenantId, input.code)) {
        return fail('conflict', `A tax class with code ${input.code} already exists.`, { code: input.code });
      }
      const now = clock.now().toISOString();
      const row: TaxClassTable = {
        id: ids.newId('tax'),
        tenant_id: tenantId,
        code: input.code,
        name: input.name,
        created_at: now,
      };
      const done = await inTransaction(async (trx) => {
        await store.insertTaxClass(trx, row);
        for (const r of input.rates) {
          await store.upsertTaxRate(trx, {
            tenant_id: tenantId,
            tax_class_id: row.id,
            store_id: r.storeId,
            rate_ppm: r.ratePpm,
          });
        }
        await audit(trx, actor, 'tax_class.create', 'tax_class', row.id, input, now);
      });
      return done.ok ? ok({ id: row.id, code: row.code, name: row.name, rates: input.rates }) : done;
    },

    async updateTaxClass(
      actor: Actor,
      id: string,
      input: Partial<TaxClassInput>,
    ): Promise<Result<TaxClassView>> {
      const { tenantId } = actor;
      const existing = await store.findTaxClass(db, tenantId, id);
      if (!existing) return fail('not_found', `Tax class ${id} does not exist.`);
      const storeIds = (input.rates ?? []).map((r) => r.storeId);
      if (new Set(storeIds).size !== storeIds.length)
        return fail('validation_failed', 'A store is listed twice in rates.');
      const refs = await checkRefs(tenantId, { taxClassIds: [], storeIds });
      if (!refs.ok) return refs;
      if (
        input.code !== undefined &&
        input.code !== existing.code &&
        (await store.findTaxClassByCode(db, tenantId, input.code))
      ) {
        return fail('conflict', `A tax class with code ${input.code} already exists.`, { code: input.code });
      }
      const now = clock.now().toISOString();
      const patch: Partial<TaxClassTable> = {};
      if (input.code !== undefined) patch.code = input.code;
      if (input.name !== undefined) patch.name = input.name;
      const done = await inTransaction(async (trx) => {
        if (Object.keys(patch).length > 0) await store.updateTaxClass(trx, tenantId, id, patch);
        for (const r of input.rates ?? []) {
          await store.upsertTaxRate(trx, {
            tenant_id: tenantId,
            tax_class_id: id,
            store_id: r.storeId,
            rate_ppm: r.ratePpm,
          });
        }
        await audit(trx, actor, 'tax_class.update', 'tax_class', id, input, now);
      });
      if (!done.ok) return done;
      const rates = await store.taxRatesOf(db, tenantId, [id]);
      return ok({
        id,
        code: patch.code ?? existing.code,
        name: patch.name ?? existing.name,
        rates: rates.map((r) => ({ storeId: r.store_id, ratePpm: r.rate_ppm })),
      });
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
