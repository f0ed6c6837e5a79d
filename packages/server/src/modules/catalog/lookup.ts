import type { CompiledQuery, Kysely } from 'kysely';
import type { DB } from '../../db/schema';

/**
 * The catalog facts a sale needs, as compiled queries the checkout runs inside its own single
 * read round trip: barcode → variant, and each variant with its price, tax rate and on-hand
 * in the selling store. The catalog module owns these tables; this file is its read-only
 * window for the checkout hot path.
 */
export interface SaleVariantRow {
  id: string;
  /** for promotion conditions */
  product_id: string;
  category_id: string | null;
  name: string;
  name_zh: string | null;
  unit: string;
  tax_class_id: string;
  plu_code: string | null;
  active: number;
  price: number | null;
  rate_ppm: number | null;
  on_hand_milli: number | null;
}

export function saleLookupQueries(
  db: Kysely<DB>,
  tenantId: string,
  storeId: string,
  refs: { variantIds: string[]; gtins: string[]; plus: string[] },
): { barcodes: CompiledQuery; variants: CompiledQuery } {
  const none = [''];
  const barcodes = db
    .selectFrom('barcodes')
    .select(['code', 'variant_id'])
    .where('tenant_id', '=', tenantId)
    .where('code', 'in', refs.gtins.length ? refs.gtins : none)
    .compile();
  const variants = db
    .selectFrom('variants as v')
    .leftJoin('prices as p', (j) =>
      j.onRef('p.variant_id', '=', 'v.id').on('p.tenant_id', '=', tenantId).on('p.store_id', '=', storeId),
    )
    .leftJoin('tax_rates as r', (j) =>
      j
        .onRef('r.tax_class_id', '=', 'v.tax_class_id')
        .on('r.tenant_id', '=', tenantId)
        .on('r.store_id', '=', storeId),
    )
    .leftJoin('stock_levels as s', (j) =>
      j.onRef('s.variant_id', '=', 'v.id').on('s.tenant_id', '=', tenantId).on('s.store_id', '=', storeId),
    )
    .innerJoin('products as pd', 'pd.id', 'v.product_id')
    .select([
      'v.id',
      'v.product_id',
      'pd.category_id',
      'v.name',
      'v.name_zh',
      'v.unit',
      'v.tax_class_id',
      'v.plu_code',
      'v.active',
      'p.price',
      'r.rate_ppm',
      's.on_hand_milli',
    ])
    // One indexed lookup per kind of reference, unioned (an OR of IN-lists would scan the
    // tenant's variants). Every branch is tenant-filtered, and IDs are globally unique, so the
    // outer query needs no tenant filter of its own — one would tempt SQLite to scan by tenant.
    .where('v.id', 'in', (eb) =>
      eb
        .selectFrom('barcodes')
        .select('variant_id')
        .where('tenant_id', '=', tenantId)
        .where('code', 'in', refs.gtins.length ? refs.gtins : none)
        .unionAll(
          eb
            .selectFrom('variants')
            .select('id as variant_id')
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', refs.variantIds.length ? refs.variantIds : none),
        )
        .unionAll(
          eb
            .selectFrom('variants')
            .select('id as variant_id')
            .where('tenant_id', '=', tenantId)
            .where('plu_code', 'in', refs.plus.length ? refs.plus : none),
        ),
    )
    .compile();
  return { barcodes, variants };
}
