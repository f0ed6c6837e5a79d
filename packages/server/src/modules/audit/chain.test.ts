import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Selectable } from 'kysely';
import { engines, startTestApp, type TestApp } from '../../../test/harness';
import type { AuditTable } from '../../db/schema';
import { auditQuery } from './audit';
import { canonicalJson, entryCanonical, entryHash, sealAudit, verifyAudit } from './chain';
import { createHash } from 'node:crypto';

const cliPath = fileURLToPath(new URL('../../../bin/opentill.js', import.meta.url));

/** Runs `opentill audit verify` against the test database in a child process. */
function cliVerify(t: TestApp): { status: number | null; out: string } {
  const o = t.db.options;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENTILL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  if (o.url)
    env.DATABASE_URL = `${o.url}${o.url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${o.schema}`;
  else env.OPENTILL_DB = o.sqlitePath;
  const r = spawnSync(process.execPath, [cliPath, 'audit', 'verify', '--tenant', t.seed.tenantId], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('canonical JSON', () => {
  it('the hash covers the previous hash and exactly the canonical JSON of the entry', () => {
    const row = {
      id: 'aud_1',
      tenant_id: 'ten_1',
      staff_id: null,
      action: 'store.update',
      entity: 'store',
      entity_id: 'sto_"1"',
      data: '{"z":[1,{"b":null,"a":"中"}],"a":true}',
      created_at: '2026-01-01T00:00:00.000Z',
    };
    const canonical = entryCanonical(row, 7);
    expect(canonical).toBe(
      '{"action":"store.update","createdAt":"2026-01-01T00:00:00.000Z","data":{"a":true,"z":[1,{"a":"中","b":null}]},' +
        '"entity":"store","entityId":"sto_\\"1\\"","id":"aud_1","seq":7,"staffId":null,"tenantId":"ten_1","v":1}',
    );
    const prev = 'ab'.repeat(32);
    expect(entryHash(row, 7, prev)).toBe(createHash('sha256').update(`${prev}\n${canonical}`).digest('hex'));
  });

  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 'é' }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[1,{"x":"é","y":2}]},"b":1}',
    );
  });
});

describe.each(engines)('audit hash chain on %s', (engine) => {
  let t: TestApp;
  const staff: Record<string, string> = {};
  const row = async (seq: number): Promise<Selectable<AuditTable>> =>
    t.deps.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
  const verify = () => verifyAudit(t.deps.database, t.seed.tenantId);

  beforeAll(async () => {
    t = await startTestApp(engine);
    // real entries through the routes: configuration changes by the manager
    const storeId = t.seed.stores.sh.id;
    for (const s of await t.deps.database.db
      .selectFrom('staff')
      .select(['id', 'role'])
      .where('tenant_id', '=', t.seed.tenantId)
      .execute())
      staff[s.role] = s.id;
    for (const name of ['Renamed 1', 'Renamed 2']) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/stores/${storeId}`,
        headers: t.auth('manager'),
        payload: { name },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    // and enough written the way modules write them (in batches) to cross a sealing batch
    const now = Date.now();
    for (let b = 0; b < 5; b++) {
      await t.deps.database.batch(
        Array.from({ length: 500 }, (_, i) =>
          auditQuery(
            t.deps.database.db,
            t.deps.ids,
            {
              tenantId: t.seed.tenantId,
              staffId: staff.cashier ?? null,
              action: 'order.checkout',
              entity: 'order',
              entityId: `ord_${b}_${i}`,
              data: { total: i * 100, note: '中文', nested: { z: 1, a: [i] } },
            },
            new Date(now + b * 1000 + i).toISOString(),
          ),
        ),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('seals everything in order, verifies, and names the first broken entry for edits, deletions, reorders and cuts', async () => {
    const sealed = await sealAudit(t.deps.database, t.deps.clock);
    expect(sealed).toBeGreaterThanOrEqual(2502);
    expect(await sealAudit(t.deps.database, t.deps.clock)).toBe(0);
    const ok = await verify();
    expect(ok).toMatchObject({ ok: true, unsealed: 0, firstBroken: null });
    expect(ok.entries).toBe(sealed);
    expect(ok.head?.seq).toBe(sealed);
    const configEntries = await t.deps.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .where('action', '=', 'store.update')
      .orderBy('seq')
      .execute();
    expect(configEntries.map((e) => [e.staff_id, JSON.parse(e.data)])).toEqual([
      [staff.manager, { name: 'Renamed 1' }],
      [staff.manager, { name: 'Renamed 2' }],
    ]);
    const db = t.deps.database.db;

    // 1. data edited
    const five = await row(5);
    await db.updateTable('audit_log').set({ data: '{"total":1}' }).where('id', '=', five.id).execute();
    expect((await verify()).firstBroken).toMatchObject({
      seq: 5,
      id: five.id,
      reason: expect.stringMatching(/content/),
    });
    const cli = cliVerify(t);
    expect(cli.status).toBe(1);
    expect(cli.out).toContain(`BROKEN at entry 5 (${five.id})`);
    await db.updateTable('audit_log').set({ data: five.data }).where('id', '=', five.id).execute();
    expect((await verify()).ok).toBe(true);

    // an edit to who did it is caught as well, and a re-hash of just that row does not hide it
    const six = await row(6);
    await db.updateTable('audit_log').set({ staff_id: staff.owner }).where('id', '=', six.id).execute();
    expect((await verify()).firstBroken?.seq).toBe(6);
    await db.updateTable('audit_log').set({ staff_id: six.staff_id }).where('id', '=', six.id).execute();

    // 2. an entry deleted from the middle
    const seven = await row(7);
    await db.deleteFrom('audit_log').where('id', '=', seven.id).execute();
    expect((await verify()).firstBroken).toMatchObject({ seq: 7, reason: expect.stringMatching(/missing/) });
    await db.insertInto('audit_log').values(seven).execute();
    expect((await verify()).ok).toBe(true);

    // 3. two entries swapped
    const [three, four] = [await row(3), await row(4)];
    await db.updateTable('audit_log').set({ seq: -1 }).where('id', '=', three.id).execute();
    await db.updateTable('audit_log').set({ seq: 3 }).where('id', '=', four.id).execute();
    await db.updateTable('audit_log').set({ seq: 4 }).where('id', '=', three.id).execute();
    expect((await verify()).firstBroken).toMatchObject({
      seq: 3,
      id: four.id,
      reason: expect.stringMatching(/reordered/),
    });
    await db.updateTable('audit_log').set({ seq: -1 }).where('id', '=', three.id).execute();
    await db.updateTable('audit_log').set({ seq: 4 }).where('id', '=', four.id).execute();
    await db.updateTable('audit_log').set({ seq: 3 }).where('id', '=', three.id).execute();
    expect((await verify()).ok).toBe(true);

    // 4. the newest entry cut off the end
    const last = await row(sealed);
    await db.deleteFrom('audit_log').where('id', '=', last.id).execute();
    expect((await verify()).firstBroken).toMatchObject({
      seq: sealed,
      reason: expect.stringMatching(/cut off/),
    });
    await db.insertInto('audit_log').values(last).execute();

    const good = cliVerify(t);
    expect(good.out).toContain(`${t.seed.tenantId}: ok, ${sealed} entries`);
    expect(good.status).toBe(0);
  }, 120_000);

  it('lists with filters, exports CSV and JSON (the export is audited), verifies over HTTP; cashiers may not read', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?action=store&staffId=${staff.manager}&limit=5`,
      headers: t.auth('auditor'),
    });
    expect(list.statusCode).toBe(200);
    const body = list.json() as { items: { action: string; username: string; hash: string | null }[] };
    expect(body.items.map((i) => i.action)).toEqual(['store.update', 'store.update']);
    expect(body.items[0]?.username).toMatch(/manager$/);

    const page1 = (
      await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=3', headers: t.auth('owner') })
    ).json() as { items: { id: string }[]; nextBefore: string };
    const page2 = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/audit?limit=3&before=${page1.nextBefore}`,
        headers: t.auth('owner'),
      })
    ).json() as { items: { id: string }[] };
    expect((page2.items[0]?.id ?? '') < (page1.items[2]?.id ?? '')).toBe(true);
    expect(page2.items).toHaveLength(3);

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?from=${encodeURIComponent(future)}`,
      headers: t.auth('owner'),
    });
    expect((none.json() as { items: unknown[] }).items).toEqual([]);

    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export?format=csv&action=store.update',
      headers: t.auth('auditor'),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="audit-.*\.csv"/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('seq,created_at,action,staff_id,username,entity,entity_id,data,prev_hash,hash');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"{""name"":""Renamed 2""}"');

    const json = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export?format=json',
      headers: t.auth('auditor'),
    });
    const exported = json.json() as {
      chainHead: { seq: number; hash: string };
      items: { action: string; seq: number; hash: string }[];
    };
    // the JSON export already holds both exports, sealed: the newest entry is the head
    expect(exported.items.filter((i) => i.action === 'audit.export')).toHaveLength(2);
    expect(exported.items[0]).toMatchObject({
      action: 'audit.export',
      seq: exported.chainHead.seq,
      hash: exported.chainHead.hash,
    });

    const v = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: t.auth('auditor') });
    expect(v.json()).toMatchObject({ ok: true, unsealed: 0 });

    for (const url of ['/api/v1/audit', '/api/v1/audit/export', '/api/v1/audit/verify']) {
      const denied = await t.app.inject({ method: 'GET', url, headers: t.auth('cashier') });
      expect(denied.statusCode).toBe(403);
    }
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=DROP%20TABLE',
      headers: t.auth('owner'),
    });
    expect(bad.statusCode).toBe(400);
  });
});
