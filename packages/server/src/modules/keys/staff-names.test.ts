import { afterEach, describe, expect, it } from 'vitest';
import { engines, openTestDb, testDeps, type TestDb } from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import { encryptStaffNames, ERASED_NAME, isSealed, openStaffName } from './staff-names';

describe.each(engines)('staff names through the keyring on %s', (engine) => {
  let t: TestDb;
  afterEach(async () => {
    await t.cleanup();
  });

  it('encrypts clear names in place once, reads them back, and reads erased ones as a dash', async () => {
    t = await openTestDb(engine);
    const deps = testDeps(t.database);
    const seed = await seedDemo(deps, { usernamePrefix: 'sn_' });
    const before = await t.database.db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    expect(before.some((s) => s.display_name === 'Chen Cashier 陈收银')).toBe(true);
    expect(await encryptStaffNames(t.database, deps.cipher)).toBe(4);
    expect(await encryptStaffNames(t.database, deps.cipher)).toBe(0);
    const after = await t.database.db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    for (const s of after) {
      expect(isSealed(s.display_name)).toBe(true);
      const clear = before.find((b) => b.id === s.id)?.display_name;
      expect(await openStaffName(deps.cipher, s.tenant_id, s.id, s.display_name)).toBe(clear);
    }
    expect(await openStaffName(deps.cipher, seed.tenantId, 'stf_x', 'Written Before')).toBe('Written Before');
    const cashier = after.find((s) => s.role === 'cashier');
    if (!cashier) throw new Error('no cashier');
    await deps.cipher.shred(cashier.tenant_id, cashier.id);
    expect(await openStaffName(deps.cipher, cashier.tenant_id, cashier.id, cashier.display_name)).toBe(
      ERASED_NAME,
    );
  });
});
