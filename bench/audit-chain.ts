/**
 * Audit chain benchmark: audit rows written the way checkouts write them (one per batch, many
 * batches in flight), then the sealer gives them their place in the chain, then the verifier
 * walks the chain from the genesis. Also the field cipher: encrypt/decrypt per second with warm
 * caches.
 *
 *   node --import tsx bench/audit-chain.ts            # SQLite in a temp file
 *   OPENTILL_TEST_PG_URL=postgres://… node --import tsx bench/audit-chain.ts   # and PostgreSQL
 *
 * Prints a table; never a timed test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createPgSchema,
  dropPgSchema,
  migrate,
  openDatabase,
  type Database,
} from '../packages/server/src/db/database';
import { systemClock, systemIds } from '../packages/server/src/lib/ids';
import { auditQuery } from '../packages/server/src/modules/audit/audit';
import { sealAudit, verifyAudit } from '../packages/server/src/modules/audit/chain';
import { createStaticKeyProvider } from '../packages/server/src/modules/keys/key-provider';
import { createKeyring } from '../packages/server/src/modules/keys/keyring';

const ENTRIES = Number(process.env.ENTRIES ?? 50_000);
const IN_FLIGHT = 50;

async function run(engine: string, database: Database) {
  const ids = systemIds(systemClock);
  const tenantId = `ten_bench_${randomBytes(3).toString('hex')}`;
  let written = 0;
  const t0 = performance.now();
  // IN_FLIGHT writers, each batch one checkout-like audit row, as the checkout path issues them
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (written < ENTRIES) {
        written += 1;
        await database.batch([
          auditQuery(
            database.db,
            ids,
            {
              tenantId,
              staffId: 'stf_bench',
              action: 'order.create',
              entity: 'order',
              entityId: `ord_${written}`,
              data: { total: written, lines: 3, tenders: ['cash'] },
            },
            new Date().toISOString(),
          ),
        ]);
      }
    }),
  );
  const insertMs = performance.now() - t0;
  const t1 = performance.now();
  const sealed = await sealAudit(database, systemClock, tenantId);
  const sealMs = performance.now() - t1;
  const t2 = performance.now();
  const verified = await verifyAudit(database, tenantId);
  const verifyMs = performance.now() - t2;

  const ring = createKeyring(database, createStaticKeyProvider([{ key: randomBytes(32) }]), systemClock);
  const subjects = Array.from({ length: 200 }, (_, i) => `cus_${i}`);
  const cts: { s: string; c: string }[] = [];
  for (const s of subjects) cts.push({ s, c: await ring.encrypt(tenantId, s, '+86 138 0013 8000') });
  const N = 20_000;
  const t3 = performance.now();
  for (let i = 0; i < N; i++)
    await ring.encrypt(tenantId, subjects[i % subjects.length] ?? '', 'Wang Fang 王芳');
  const encMs = performance.now() - t3;
  const t4 = performance.now();
  for (let i = 0; i < N; i++) {
    const x = cts[i % cts.length];
    if (x) await ring.decrypt(tenantId, x.s, x.c);
  }
  const decMs = performance.now() - t4;
  return {
    engine,
    entries: written,
    'insert rows/s (50 in flight)': Math.round(written / (insertMs / 1000)),
    'seal rows/s': Math.round(sealed / (sealMs / 1000)),
    'verify rows/s': Math.round(verified.entries / (verifyMs / 1000)),
    'chain ok': verified.ok,
    'encrypt/s': Math.round(N / (encMs / 1000)),
    'decrypt/s': Math.round(N / (decMs / 1000)),
  };
}

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'opentill-bench-audit-'));
try {
  const sqlite = await openDatabase({ sqlitePath: join(dir, 'bench.db') });
  await migrate(sqlite);
  rows.push(await run('SQLite', sqlite));
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const pgUrl = process.env.OPENTILL_TEST_PG_URL;
if (pgUrl) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await createPgSchema(pgUrl, schema);
  try {
    const pg = await openDatabase({ url: pgUrl, schema, poolSize: 16 });
    await migrate(pg);
    rows.push(await run('PostgreSQL', pg));
    await pg.close();
  } finally {
    await dropPgSchema(pgUrl, schema);
  }
}
console.table(rows);
