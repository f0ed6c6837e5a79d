import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Kysely,
  PostgresDialect,
  sql,
  type CompiledQuery,
  type InsertQueryBuilder,
  type InsertResult,
} from 'kysely';
import pg from 'pg';
import { insertRows } from './insert-rows';
import type { DB } from './schema';
import { openDatabase } from './database';

const movement = fc.record({
  id: fc.string(),
  tenant_id: fc.string(),
  store_id: fc.string(),
  variant_id: fc.string(),
  kind: fc.constantFrom('sale' as const, 'return' as const),
  qty_milli: fc.integer(),
  reason: fc.option(fc.string(), { nil: null }),
  ref_id: fc.option(fc.string(), { nil: null }),
  staff_id: fc.option(fc.string(), { nil: null }),
  went_negative: fc.constantFrom(0, 1),
  created_at: fc.string(),
});

describe('insertRows', () => {
  it('compiles exactly what Kysely compiles, on both dialects, with and without an upsert', async () => {
    const sqlite = await openDatabase({ sqlitePath: ':memory:' });
    const postgres = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
    const same = (a: CompiledQuery, b: CompiledQuery) => {
      expect(a.sql).toBe(b.sql);
      expect(a.parameters).toEqual(b.parameters);
    };
    for (const db of [sqlite.db, postgres]) {
      fc.assert(
        fc.property(fc.array(movement, { minLength: 1, maxLength: 6 }), (rows) => {
          same(
            insertRows(db, 'stock_movements', rows),
            db.insertInto('stock_movements').values(rows).compile(),
          );
          const upsert = (q: InsertQueryBuilder<DB, 'stock_movements', InsertResult>) =>
            q.onConflict((oc) => oc.column('id').doUpdateSet({ qty_milli: sql`excluded.qty_milli` }));
          same(
            insertRows(db, 'stock_movements', rows, { variant: 'upsert', finish: upsert }),
            upsert(db.insertInto('stock_movements').values(rows)).compile(),
          );
        }),
        { numRuns: 100 },
      );
    }
    await sqlite.close();
    await postgres.destroy();
  });
});
