import { createHash } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../../db/database';
import type { AuditTable } from '../../db/schema';
import type { Clock } from '../../lib/ids';

/**
 * The per-tenant audit hash chain.
 *
 * Callers insert audit rows unsealed inside their own transactions (`auditQuery`), so a checkout
 * never waits for the chain. The sealer is the chain's single writer: it takes a tenant's
 * unsealed rows in (created_at, id) order and gives each its `seq`, the previous entry's hash,
 * and its own hash = SHA-256(prev_hash ‖ canonical JSON of the entry). It runs every second in
 * the server and before every verification and export, so the unsealed window is about a second.
 * On PostgreSQL an advisory lock keeps one sealer per tenant across API nodes; on SQLite the
 * write transaction does. The last link is kept in `audit_chain_heads`, so entries cut off the
 * end show as well as entries edited, removed or reordered in the middle.
 */
export const GENESIS_HASH = '0'.repeat(64);
// rows per sealing transaction: on SQLite the transaction holds the one connection, so checkouts
// wait for it; a few hundred rows (a few milliseconds) keeps that wait short
const SEAL_BATCH = { sqlite: 250, postgres: 2000 } as const;

/** JSON with object keys sorted at every depth: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i] ?? null);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

type ChainFields = Pick<
  AuditTable,
  'id' | 'tenant_id' | 'staff_id' | 'action' | 'entity' | 'entity_id' | 'data' | 'created_at'
>;

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a row whose data is not JSON still hashes (and verifies) as its text
  }
}

/** What an entry's hash covers: everything recorded about it, plus its place in the chain. */
export function entryHash(row: ChainFields, seq: number, prevHash: string): string {
  // canonicalJson of { v: 1, seq, id, tenantId, staffId, action, entity, entityId, data,
  // createdAt }, written out in its sorted key order (the sealer's hot loop; a test keeps the
  // two identical)
  const str = JSON.stringify;
  const canonical =
    `{"action":${str(row.action)},"createdAt":${str(row.created_at)},"data":${canonicalJson(parseData(row.data))}` +
    `,"entity":${str(row.entity)},"entityId":${str(row.entity_id)},"id":${str(row.id)},"seq":${seq}` +
    `,"staffId":${str(row.staff_id)},"tenantId":${str(row.tenant_id)},"v":1}`;
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** The canonical JSON an entry's hash covers (for verifiers outside OpenTill). */
export function entryCanonical(row: ChainFields, seq: number): string {
  return canonicalJson({
    v: 1,
    seq,
    id: row.id,
    tenantId: row.tenant_id,
    staffId: row.staff_id,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    data: parseData(row.data),
    createdAt: row.created_at,
  });
}

/** Seals every unsealed entry (of one tenant, or all); returns how many it sealed. */
export async function sealAudit(database: Database, clock: Clock, tenantId?: string): Promise<number> {
  const db = database.db;
  let tenants: string[];
  if (tenantId) tenants = [tenantId];
  else {
    const rows = await db
      .selectFrom('audit_log')
      .select('tenant_id')
      .distinct()
      .where('hash', 'is', null)
      .execute();
    tenants = rows.map((r) => r.tenant_id);
  }
  let sealed = 0;
  for (const t of tenants) {
    for (;;) {
      const n = await sealBatch(database, clock, t);
      sealed += n;
      if (n < SEAL_BATCH[database.kind]) break;
      // let waiting requests run between batches
      await new Promise((r) => setImmediate(r));
    }
  }
  return sealed;
}

async function sealBatch(database: Database, clock: Clock, tenantId: string): Promise<number> {
  return database.db.transaction().execute(async (tx) => {
    if (database.kind === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext('opentill.audit.sealer'), hashtext(${tenantId}))`.execute(
        tx,
      );
    }
    const rows = await tx
      .selectFrom('audit_log')
      .select(['id', 'tenant_id', 'staff_id', 'action', 'entity', 'entity_id', 'data', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('hash', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(SEAL_BATCH[database.kind])
      .execute();
    if (rows.length === 0) return 0;
    const head = await tx
      .selectFrom('audit_chain_heads')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    let seq = head ? Number(head.seq) : 0;
    let prev = head?.hash ?? GENESIS_HASH;
    const links = rows.map((row) => {
      seq += 1;
      const hash = entryHash(row, seq, prev);
      const link = { id: row.id, seq, prev, hash };
      prev = hash;
      return link;
    });
    if (database.kind === 'postgres') {
      // one statement per batch: the sealer must keep up with thousands of checkouts a second
      for (let i = 0; i < links.length; i += 500) {
        const chunk = links.slice(i, i + 500);
        await sql`update audit_log as a set seq = v.seq, prev_hash = v.prev, hash = v.hash
          from (values ${sql.join(chunk.map((l) => sql`(${l.id}, ${l.seq}::bigint, ${l.prev}, ${l.hash})`))})
          as v(id, seq, prev, hash)
          where a.id = v.id and a.tenant_id = ${tenantId} and a.hash is null`.execute(tx);
      }
    } else {
      // one prepared statement reused for every row (building each through Kysely cost 3× more)
      for (const l of links) {
        await tx.executeQuery(
          CompiledQuery.raw(
            'update audit_log set seq = ?, prev_hash = ?, hash = ? where id = ? and tenant_id = ?',
            [l.seq, l.prev, l.hash, l.id, tenantId],
          ),
        );
      }
    }
    const sealedAt = clock.now().toISOString();
    await tx
      .insertInto('audit_chain_heads')
      .values({ tenant_id: tenantId, seq, hash: prev, sealed_at: sealedAt })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ seq, hash: prev, sealed_at: sealedAt }))
      .execute();
    return links.length;
  });
}

export interface VerifyResult {
  tenantId: string;
  ok: boolean;
  /** sealed entries checked */
  entries: number;
  /** entries not yet sealed (inserted after the seal that preceded this check) */
  unsealed: number;
  head: { seq: number; hash: string } | null;
  firstBroken: { seq: number; id: string | null; reason: string } | null;
}

/** Walks the tenant's chain from the genesis and names the first entry that does not hold. */
export async function verifyAudit(database: Database, tenantId: string): Promise<VerifyResult> {
  const db = database.db;
  const headRow = await db
    .selectFrom('audit_chain_heads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const head = headRow ? { seq: Number(headRow.seq), hash: headRow.hash } : null;
  const unsealedRow = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('hash', 'is', null)
    .executeTakeFirst();
  const result = (firstBroken: VerifyResult['firstBroken'], entries: number): VerifyResult => ({
    tenantId,
    ok: firstBroken === null,
    entries,
    unsealed: Number(unsealedRow?.n ?? 0),
    head,
    firstBroken,
  });

  let expected = 1;
  let prev = GENESIS_HASH;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('seq', 'is not', null)
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(2000)
      .execute();
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expected) {
        return result(
          { seq: expected, id: null, reason: `entry ${expected} is missing (next is ${seq}, ${row.id})` },
          expected - 1,
        );
      }
      if (row.prev_hash !== prev) {
        return result(
          {
            seq,
            id: row.id,
            reason: 'its previous hash does not match the entry before it (entries removed or reordered)',
          },
          expected - 1,
        );
      }
      if (row.hash !== entryHash(row, seq, prev)) {
        return result(
          { seq, id: row.id, reason: 'its content does not match its hash (the entry was changed)' },
          expected - 1,
        );
      }
      prev = row.hash;
      expected += 1;
    }
    if (page.length < 2000) break;
  }
  const last = expected - 1;
  if (head === null && last > 0) {
    return result({ seq: 1, id: null, reason: 'the chain head is missing' }, last);
  }
  if (head && (head.seq !== last || head.hash !== prev)) {
    return result(
      head.seq > last
        ? { seq: last + 1, id: null, reason: `entries ${last + 1}–${head.seq} are missing (cut off the end)` }
        : { seq: head.seq, id: null, reason: 'the chain head does not match the last entry' },
      last,
    );
  }
  return result(null, last);
}

/** Seals once a second until stopped; errors are logged and the next tick tries again. */
export function startAuditSealer(
  database: Database,
  clock: Clock,
  log: { error(obj: unknown, msg: string): void },
  intervalMs = 1000,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = sealAudit(database, clock)
      .catch((err: unknown) => log.error({ err }, 'audit sealer failed'))
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
