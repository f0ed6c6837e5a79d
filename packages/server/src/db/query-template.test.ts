import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { templateQuery } from './query-template';
import { openDatabase } from './database';
import type { DB } from './schema';
import { saleLookupQueries } from '../modules/catalog/lookup';

describe('templateQuery', () => {
  it('gives the same SQL and parameters as compiling from scratch, on both dialects', async () => {
    const sqlite = await openDatabase({ sqlitePath: ':memory:' });
    const postgres = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
    const ids = fc.array(fc.string({ minLength: 1 }), { maxLength: 4 });
    // one key for both dialects: the cache must still keep their SQL apart
    for (const [, db] of [
      ['sqlite', sqlite.db],
      ['postgres', postgres],
    ] as const) {
      fc.assert(
        fc.property(fc.string(), fc.string(), ids, ids, ids, (tenantId, storeId, variantIds, gtins, plus) => {
          const args = { tenantId, storeId, variantIds, gtins, plus };
          const direct = saleLookupQueries(db, tenantId, storeId, { variantIds, gtins, plus }).variants;
          const templated = templateQuery(
            db,
            `test.${variantIds.length}|${gtins.length}|${plus.length}`,
            (m) => ({
              compile: () =>
                saleLookupQueries(db, m.value('tenantId'), m.value('storeId'), {
                  variantIds: m.list('variantIds', variantIds.length),
                  gtins: m.list('gtins', gtins.length),
                  plus: m.list('plus', plus.length),
                }).variants,
            }),
            args,
          );
          expect(templated.sql).toBe(direct.sql);
          expect(templated.parameters).toEqual(direct.parameters);
        }),
        { numRuns: 200 },
      );
    }
    await sqlite.close();
    await postgres.destroy();
  });
});
