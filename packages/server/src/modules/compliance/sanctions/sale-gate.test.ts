import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVariants, engines, newOrderId, startTestApp, type TestApp } from '../../../../test/harness';
import { errorStatus } from '../../../http/errors';
import { createComplianceService } from '../service';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe.each(engines)('sanctions gate at checkout (%s)', (engine) => {
  let t: TestApp;
  const send = (url: string, payload: unknown) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: t.auth('owner'),
      payload: payload as object,
    });

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function sale(opts: { customerId?: string; large: boolean; id?: string; key?: string }) {
    const [item] = await demoVariants(t, { limit: 1 });
    const sh = t.seed.stores.sh;
    const price = item!.prices[sh.id]!;
    // the default screening amount for CNY is 5,000,000 minor units
    const quantity = opts.large ? Math.ceil(5_000_000 / price) : 1;
    const id = opts.id ?? newOrderId();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': opts.key ?? `sale-${id}` },
      payload: {
        id,
        storeId: sh.id,
        registerId: sh.registers[0],
        ...(opts.customerId ? { customerId: opts.customerId } : {}),
        lines: [{ variantId: item!.id, quantity }],
        tenders: [{ kind: 'cash', amount: price * quantity }],
      },
    });
    return { res, id };
  }
  const orderRow = (id: string) =>
    t.deps.database.db.selectFrom('orders').select('id').where('id', '=', id).executeTakeFirst();
  const screeningsOf = (subjectId: string) =>
    t.deps.database.db
      .selectFrom('sanctions_screenings')
      .select(['id', 'subject_type', 'status'])
      .where('subject_id', '=', subjectId)
      .execute();
  const decisionAudit = (screeningId: string) =>
    t.deps.database.db
      .selectFrom('audit_log')
      .select(['action', 'data', 'staff_id'])
      .where('entity_id', '=', screeningId)
      .where('action', '=', 'sanctions.clear')
      .execute();

  it('holds a sale to a matching customer until an officer clears the match, and screens large sales', async () => {
    // screened before the lists were imported: clear, so only a large sale screens this name
    const early = await send('/customers', { name: 'Minghui Zhao' });
    expect(early.statusCode).toBe(201);
    const earlyId = early.json().id as string;
    expect((await screeningsOf(earlyId)).map((s) => s.status)).toEqual(['clear']);

    const compliance = createComplianceService(t.deps);
    const ofac = await compliance.sanctions.importList(
      'ofac_sdn',
      { sdn: fixture('sdn.csv'), alt: fixture('alt.csv'), add: fixture('add.csv') },
      'fixtures',
    );
    expect(ofac.ok).toBe(true);
    const un = await compliance.sanctions.importList(
      'un_consolidated',
      { xml: fixture('un-consolidated.xml') },
      'fixtures',
    );
    expect(un.ok).toBe(true);

    // a customer saved as a potential match cannot buy, even a small sale; nothing is written
    const zhao = await send('/customers', { name: 'Zhao Minghui' });
    expect(zhao.statusCode).toBe(201);
    const zhaoId = zhao.json().id as string;
    const [held] = await screeningsOf(zhaoId);
    expect(held?.status).toBe('potential_match');
    const key = `held-${newOrderId()}`;
    const refused = await sale({ customerId: zhaoId, large: false, key });
    expect(refused.res.statusCode).toBe(errorStatus.sanctions_hold);
    expect(refused.res.statusCode).toBe(409);
    expect(refused.res.json().error.code).toBe('sanctions_hold');
    expect(refused.res.json().error.message).toMatch(/compliance officer must clear/);
    expect(refused.res.json().error.details).toMatchObject({ screeningId: held!.id });
    expect(await orderRow(refused.id)).toBeUndefined();

    // the officer clears it with a reason (audited); the same checkout then goes through
    const cleared = await send(`/compliance/sanctions/screenings/${held!.id}/decision`, {
      decision: 'clear',
      reason: 'different person: date of birth 1990, ID card checked',
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().status).toBe('cleared');
    const audit = await decisionAudit(held!.id);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.data)).toMatchObject({
      reason: 'different person: date of birth 1990, ID card checked',
    });
    const retried = await sale({ customerId: zhaoId, large: false, key, id: refused.id });
    expect(retried.res.statusCode, retried.res.body).toBe(201);
    expect(await orderRow(refused.id)).toBeDefined();
    // a large sale stands on the officer's decision for this name against the same lists
    const largeCleared = await sale({ customerId: zhaoId, large: true });
    expect(largeCleared.res.statusCode, largeCleared.res.body).toBe(201);
    expect(await screeningsOf(largeCleared.id)).toEqual([]);

    // a large sale screens the customer's name: a hit holds it until the officer clears that screening
    const bigKey = `big-${newOrderId()}`;
    const big = await sale({ customerId: earlyId, large: true, key: bigKey });
    expect(big.res.statusCode).toBe(409);
    expect(big.res.json().error.code).toBe('sanctions_hold');
    expect(await orderRow(big.id)).toBeUndefined();
    const [saleScreening] = await screeningsOf(big.id);
    expect(saleScreening).toMatchObject({ subject_type: 'sale', status: 'potential_match' });
    expect(big.res.json().error.details.screeningId).toBe(saleScreening!.id);
    const small = await sale({ customerId: earlyId, large: false });
    expect(small.res.statusCode, small.res.body).toBe(201); // the hold is on the large sale, not the customer
    const clearSale = await send(`/compliance/sanctions/screenings/${saleScreening!.id}/decision`, {
      decision: 'clear',
      reason: 'buyer verified in person',
    });
    expect(clearSale.json().status).toBe('cleared');
    expect(await decisionAudit(saleScreening!.id)).toHaveLength(1);
    const bigAgain = await sale({ customerId: earlyId, large: true, key: bigKey, id: big.id });
    expect(bigAgain.res.statusCode, bigAgain.res.body).toBe(201);
    expect((await screeningsOf(big.id)).map((s) => s.status)).toEqual(['cleared']);
  });

  it('screens a clean customer’s large sale and lets it through; a sale without a customer is untouched', async () => {
    const jane = await send('/customers', { name: 'Jane Ordinary' });
    expect(jane.statusCode).toBe(201);
    const large = await sale({ customerId: jane.json().id as string, large: true });
    expect(large.res.statusCode, large.res.body).toBe(201);
    expect(await screeningsOf(large.id)).toEqual([
      expect.objectContaining({ subject_type: 'sale', status: 'clear' }),
    ]);
    const small = await sale({ customerId: jane.json().id as string, large: false });
    expect(small.res.statusCode).toBe(201);
    expect(await screeningsOf(small.id)).toEqual([]);

    const anonymous = await sale({ large: true });
    expect(anonymous.res.statusCode, anonymous.res.body).toBe(201);
    expect(await screeningsOf(anonymous.id)).toEqual([]);
  });
});
