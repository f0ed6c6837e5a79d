import { afterEach, describe, expect, it } from 'vitest';
import {
  engines,
  openTestDb,
  startTestApp,
  testDeps,
  type TestApp,
  type TestDb,
} from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import { encryptStaffNames, ERASED_NAME, isSealed, openStaffName } from './staff-names';

const CLEAR = {
  owner: 'Olivia Owner',
  manager: 'Max Manager 王经理',
  cashier: 'Chen Cashier 陈收银',
  auditor: 'Ada Auditor',
} as const;

describe.each(engines)('staff names through the keyring on %s', (engine) => {
  let t: TestDb | null = null;
  let app: TestApp | null = null;
  afterEach(async () => {
    await t?.cleanup();
    await app?.close();
    t = null;
    app = null;
  });

  it('converts names an earlier version stored in clear, once, and reads erased ones as a dash', async () => {
    t = await openTestDb(engine);
    const deps = testDeps(t.database);
    const seed = await seedDemo(deps, { usernamePrefix: 'sn_' });
    const seeded = await t.database.db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    // new rows are written encrypted
    expect(seeded.every((s) => isSealed(s.display_name))).toBe(true);
    // rows as an earlier version wrote them: the name in clear
    for (const s of seeded)
      await t.database.db
        .updateTable('staff')
        .set({ display_name: CLEAR[s.role] })
        .where('tenant_id', '=', s.tenant_id)
        .where('id', '=', s.id)
        .execute();
    expect(await encryptStaffNames(t.database, deps.cipher)).toBe(4);
    expect(await encryptStaffNames(t.database, deps.cipher)).toBe(0);
    const after = await t.database.db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    for (const s of after) {
      expect(isSealed(s.display_name)).toBe(true);
      expect(await openStaffName(deps.cipher, s.tenant_id, s.id, s.display_name)).toBe(CLEAR[s.role]);
    }
    expect(await openStaffName(deps.cipher, seed.tenantId, 'stf_x', 'Written Before')).toBe('Written Before');
    const cashier = after.find((s) => s.role === 'cashier');
    if (!cashier) throw new Error('no cashier');
    await deps.cipher.shred(cashier.tenant_id, cashier.id);
    expect(await openStaffName(deps.cipher, cashier.tenant_id, cashier.id, cashier.display_name)).toBe(
      ERASED_NAME,
    );
  });

  it('shows names decrypted in the API while the database holds ciphertext; erasing shreds the name', async () => {
    app = await startTestApp(engine);
    const a = app;
    const db = a.deps.database.db;
    const list = await a.app.inject({ method: 'GET', url: '/api/v1/staff', headers: a.auth('owner') });
    expect(list.statusCode, list.body).toBe(200);
    const names = (list.json() as { items: { id: string; role: string; displayName: string }[] }).items;
    expect(names.find((s) => s.role === 'cashier')?.displayName).toBe(CLEAR.cashier);
    const me = await a.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: a.auth('manager') });
    expect(me.json()).toMatchObject({ displayName: CLEAR.manager });

    // a new staff member's name is stored encrypted and answered in clear
    const created = await a.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: a.auth('owner'),
      payload: {
        username: `sn_${Date.now()}`,
        displayName: 'Lin Temp 林临时',
        role: 'cashier',
        password: 'a-long-password-1',
        pin: '8642',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const temp = created.json() as { id: string; displayName: string };
    expect(temp.displayName).toBe('Lin Temp 林临时');
    const row = await db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', a.seed.tenantId)
      .where('id', '=', temp.id)
      .executeTakeFirstOrThrow();
    expect(isSealed(row.display_name)).toBe(true);
    expect(row.display_name).not.toContain('Lin');

    // nobody may erase themselves; another tenant's (or a missing) id is 404
    const self = await a.app.inject({
      method: 'POST',
      url: `/api/v1/staff/${names.find((s) => s.role === 'owner')?.id ?? ''}/erase`,
      headers: a.auth('owner'),
    });
    expect(self.statusCode).toBe(403);
    const missing = await a.app.inject({
      method: 'POST',
      url: '/api/v1/staff/stf_missing/erase',
      headers: a.auth('owner'),
    });
    expect(missing.statusCode).toBe(404);
    // a cashier may not erase anyone
    const byCashier = await a.app.inject({
      method: 'POST',
      url: `/api/v1/staff/${temp.id}/erase`,
      headers: a.auth('cashier'),
    });
    expect(byCashier.statusCode).toBe(403);

    const erased = await a.app.inject({
      method: 'POST',
      url: `/api/v1/staff/${temp.id}/erase`,
      headers: a.auth('owner'),
    });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ displayName: ERASED_NAME, active: false, hasPin: false });
    const key = await db
      .selectFrom('key_subject_keys')
      .selectAll()
      .where('tenant_id', '=', a.seed.tenantId)
      .where('subject_id', '=', temp.id)
      .executeTakeFirstOrThrow();
    expect(key.wrapped).toBeNull();
    expect(key.shredded_at).not.toBeNull();
    const gone = await db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', a.seed.tenantId)
      .where('id', '=', temp.id)
      .executeTakeFirstOrThrow();
    // the ciphertext stays (the row is a fact of sales and audit) but nobody can read it
    expect(gone.display_name).toBe(row.display_name);
    expect(gone.username).toBe(`erased.${temp.id}`);
    const again = await a.app.inject({ method: 'GET', url: '/api/v1/staff', headers: a.auth('owner') });
    const listed = (again.json() as { items: { id: string; displayName: string }[] }).items;
    expect(listed.find((s) => s.id === temp.id)?.displayName).toBe(ERASED_NAME);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('tenant_id', '=', a.seed.tenantId)
      .where('action', '=', 'staff.erase')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).not.toContain('Lin');
  });
});
