import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, type TestApp } from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import { errorStatus } from '../../http/errors';
import type { OrderTable, PaymentTable } from '../../db/schema';
import { createStoresService } from '../stores/service';
import { createCashService } from './service';

interface OrderSpec {
  status: OrderTable['status'];
  total: number;
  cashRounding?: number;
  changeGiven?: number;
  payments: { kind: PaymentTable['kind']; amount: number; status?: PaymentTable['status'] }[];
}

/**
 * Checkout is not wired yet: orders, payments and refunds are inserted directly, the way the
 * orders module stores them (payment amount = what was applied to the sale).
 */
async function insertOrder(
  t: TestApp,
  sessionId: string | null,
  storeId: string,
  registerId: string,
  spec: OrderSpec,
) {
  const { db } = t.deps.database;
  const now = new Date().toISOString();
  const id = t.deps.ids.newId('ord');
  await db
    .insertInto('orders')
    .values({
      id,
      tenant_id: t.seed.tenantId,
      store_id: storeId,
      register_id: registerId,
      cash_session_id: sessionId,
      staff_id: 'stf_test',
      customer_id: null,
      status: spec.status,
      currency: 'USD',
      subtotal: spec.total,
      discount_total: 0,
      tax_total: 0,
      total: spec.total,
      cash_rounding: spec.cashRounding ?? 0,
      change_given: spec.changeGiven ?? 0,
      refunded_total: 0,
      details: '{}',
      stock_flagged: 0,
      client_created_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const [seq, p] of spec.payments.entries()) {
    await db
      .insertInto('payments')
      .values({
        id: t.deps.ids.newId('pay'),
        tenant_id: t.seed.tenantId,
        order_id: id,
        seq,
        kind: p.kind,
        status: p.status ?? 'captured',
        amount: p.amount,
        tendered: p.amount,
        reference: null,
        created_at: now,
      })
      .execute();
  }
  return id;
}

async function insertRefund(
  t: TestApp,
  sessionId: string | null,
  orderId: string,
  storeId: string,
  tenders: { kind: PaymentTable['kind']; amount: number }[],
) {
  const { db } = t.deps.database;
  const id = t.deps.ids.newId('ref');
  const total = tenders.reduce((a, b) => a + b.amount, 0);
  await db
    .insertInto('refunds')
    .values({
      id,
      tenant_id: t.seed.tenantId,
      order_id: orderId,
      store_id: storeId,
      register_id: null,
      cash_session_id: sessionId,
      staff_id: 'stf_test',
      reason: 'test',
      total,
      created_at: new Date().toISOString(),
    })
    .execute();
  for (const tender of tenders) {
    await db
      .insertInto('refund_tenders')
      .values({
        tenant_id: t.seed.tenantId,
        refund_id: id,
        order_id: orderId,
        payment_id: null,
        kind: tender.kind,
        amount: tender.amount,
      })
      .execute();
  }
  return id;
}

describe.each(engines)('cash sessions (%s)', (engine) => {
  let t: TestApp;
  let storeId: string;
  let registers: string[];
  let foreign: { tenantId: string; sessionId: string; registerId: string };

  beforeAll(async () => {
    t = await startTestApp(engine);
    storeId = t.seed.stores.sf.id;
    registers = t.seed.stores.sf.registers;
    expect(registers.length).toBeGreaterThanOrEqual(1);
    // another tenant with its own open session
    const other = await seedDemo(t.deps, { usernamePrefix: 'other_' });
    const otherCash = createCashService(t.deps, { stores: createStoresService(t.deps) });
    const otherRegister = other.stores.sf.registers[0] ?? '';
    const opened = await otherCash.open(other.tenantId, 'stf_other', {
      registerId: otherRegister,
      openingFloat: 5000,
    });
    if (!opened.ok) throw new Error(opened.error.message);
    foreign = { tenantId: other.tenantId, sessionId: opened.value.id, registerId: otherRegister };
  }, 60_000);
  afterAll(() => t.close());

  const open = (
    registerId: string,
    openingFloat: number,
    role: 'owner' | 'cashier' | 'auditor' = 'cashier',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/cash-sessions',
      headers: t.auth(role),
      payload: { registerId, openingFloat },
    });
  const move = (id: string, payload: object, role: 'cashier' | 'auditor' = 'cashier') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cash-sessions/${id}/movements`,
      headers: t.auth(role),
      payload,
    });
  const close = (id: string, counted: object[], role: 'cashier' | 'auditor' | 'manager' = 'cashier') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cash-sessions/${id}/close`,
      headers: t.auth(role),
      payload: { counted },
    });
  const xReport = (id: string, role: 'cashier' | 'auditor' = 'auditor') =>
    t.app.inject({ method: 'GET', url: `/api/v1/cash-sessions/${id}/x-report`, headers: t.auth(role) });

  it('computes the X report, takes paid in/out, and closes with over and short into a stored Z report', async () => {
    const registerId = registers[0] ?? '';
    const opened = await open(registerId, 10000);
    expect(opened.statusCode).toBe(201);
    const session = opened.json() as { id: string; status: string; storeId: string; openingFloat: number };
    expect(session).toMatchObject({ status: 'open', storeId, openingFloat: 10000, registerId });

    const current = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers/${registerId}/cash-session`,
      headers: t.auth('cashier'),
    });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toMatchObject({ id: session.id });

    const sid = session.id;
    // cash 12.50 (tendered 20, change 7.50), refunded 2.50 in cash
    const o1 = await insertOrder(t, sid, storeId, registerId, {
      status: 'partially_refunded',
      total: 1250,
      changeGiven: 750,
      payments: [{ kind: 'cash', amount: 1250 }],
    });
    // card 30.00 after a declined attempt; 10.00 refunded to card
    const o2 = await insertOrder(t, sid, storeId, registerId, {
      status: 'partially_refunded',
      total: 3000,
      payments: [
        { kind: 'card', amount: 3000, status: 'declined' },
        { kind: 'card', amount: 3000 },
      ],
    });
    // split tender
    await insertOrder(t, sid, storeId, registerId, {
      status: 'paid',
      total: 2000,
      payments: [
        { kind: 'cash', amount: 500 },
        { kind: 'card', amount: 1500 },
      ],
    });
    // rounded cash sale
    await insertOrder(t, sid, storeId, registerId, {
      status: 'paid',
      total: 1000,
      cashRounding: -2,
      payments: [{ kind: 'cash', amount: 1000 }],
    });
    // voided: excluded from sales even though its payment row says captured
    await insertOrder(t, sid, storeId, registerId, {
      status: 'voided',
      total: 999,
      payments: [{ kind: 'cash', amount: 999 }],
    });
    // an order and a refund of another session (none): not in this report
    const elsewhere = await insertOrder(t, null, storeId, registerId, {
      status: 'paid',
      total: 777,
      payments: [{ kind: 'cash', amount: 777 }],
    });
    await insertRefund(t, null, elsewhere, storeId, [{ kind: 'cash', amount: 100 }]);
    await insertRefund(t, sid, o1, storeId, [{ kind: 'cash', amount: 250 }]);
    await insertRefund(t, sid, o2, storeId, [{ kind: 'card', amount: 1000 }]);

    expect(
      (await move(sid, { kind: 'paid_in', amount: 500, reason: 'Change from the bank' })).statusCode,
    ).toBe(201);
    const out = await move(sid, { kind: 'paid_out', amount: 300, reason: 'Window cleaner' });
    expect(out.statusCode).toBe(201);
    expect(out.json()).toMatchObject({
      kind: 'paid_out',
      amount: 300,
      reason: 'Window cleaner',
      cashSessionId: sid,
    });

    const x = await xReport(sid);
    expect(x.statusCode).toBe(200);
    expect(x.json()).toMatchObject({
      sessionId: sid,
      currency: 'USD',
      status: 'open',
      orders: { count: 4, voided: 1, total: 7250, changeGiven: 750 },
      refunds: { count: 2, total: 1250 },
      tenders: [
        { kind: 'card', sales: 4500, refunds: 1000, net: 3500 },
        { kind: 'cash', sales: 2750, refunds: 250, net: 2500 },
      ],
      cash: {
        openingFloat: 10000,
        sales: 2750,
        refunds: 250,
        paidIn: 500,
        paidInCount: 1,
        paidOut: 300,
        paidOutCount: 1,
        expected: 10000 + 2750 - 250 + 500 - 300,
      },
      totals: { sales: 7250, refunds: 1250, net: 6000 },
      cashRounding: -2,
    });
    // the X report changes nothing
    expect(
      (
        await t.app.inject({ method: 'GET', url: `/api/v1/cash-sessions/${sid}`, headers: t.auth('auditor') })
      ).json(),
    ).toMatchObject({
      status: 'open',
      zReport: null,
    });

    // the auditor reads but may not close
    const denied = await close(sid, [{ kind: 'cash', amount: 12700 }], 'auditor');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');

    // 50 short in cash, 100 over on card: recorded, not refused
    const z = await close(sid, [
      { kind: 'cash', amount: 12650 },
      { kind: 'card', amount: 3600 },
    ]);
    expect(z.statusCode).toBe(200);
    const zr = z.json();
    expect(zr).toMatchObject({
      status: 'closed',
      cash: { expected: 12700 },
      reconciliation: [
        { kind: 'card', expected: 3500, counted: 3600, overShort: 100 },
        { kind: 'cash', expected: 12700, counted: 12650, overShort: -50 },
      ],
      overShortTotal: 50,
    });
    expect(zr.closedBy).toBeTruthy();

    const stored = (
      await t.app.inject({ method: 'GET', url: `/api/v1/cash-sessions/${sid}`, headers: t.auth('auditor') })
    ).json();
    expect(stored).toMatchObject({ status: 'closed', closedBy: zr.closedBy, closedAt: zr.closedAt });
    expect(stored.zReport).toEqual(zr);

    // closed: no movements, no second close, no open session on the register
    const late = await move(sid, { kind: 'paid_in', amount: 100, reason: 'late' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('session_closed');
    const again = await close(sid, [{ kind: 'cash', amount: 12700 }]);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('session_closed');
    const none = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers/${registerId}/cash-session`,
      headers: t.auth('cashier'),
    });
    expect(none.statusCode).toBe(errorStatus.no_open_session);
    expect(none.json().error.code).toBe('no_open_session');

    // audit trail: open, paid in, paid out, close
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('entity_id', '=', sid)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'cash_session.open',
      'cash_session.paid_in',
      'cash_session.paid_out',
      'cash_session.close',
    ]);
    expect(JSON.parse(audit[3]?.data ?? '{}')).toMatchObject({ expectedCash: 12700, overShortTotal: 50 });

    // the register can open a new session now
    const reopened = await open(registerId, 0);
    expect(reopened.statusCode).toBe(201);
    const closedAgain = await close(reopened.json().id, []);
    expect(closedAgain.statusCode).toBe(200);
    expect(closedAgain.json()).toMatchObject({
      cash: { expected: 0 },
      reconciliation: [{ kind: 'cash', expected: 0, counted: null, overShort: null }],
      overShortTotal: 0,
    });
  });

  it('allows one open session per register, even under concurrent opens', async () => {
    const registerId = registers[1] ?? registers[0] ?? '';
    const results = await Promise.all([open(registerId, 100), open(registerId, 200), open(registerId, 300)]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409))
      expect(r.json().error.code).toBe('session_already_open');
    const winner = results.find((r) => r.statusCode === 201)?.json() as { id: string };

    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cash-sessions?registerId=${registerId}&status=open`,
      headers: t.auth('auditor'),
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((s: { id: string }) => s.id)).toEqual([winner.id]);

    const cs = createCashService(t.deps, { stores: createStoresService(t.deps) });
    expect(await cs.openSessionFor(t.seed.tenantId, registerId)).toBe(winner.id);
    expect(await cs.openSessionFor(foreign.tenantId, registerId)).toBeNull();

    expect((await close(winner.id, [{ kind: 'cash', amount: 100 }], 'manager')).statusCode).toBe(200);
    expect(await cs.openSessionFor(t.seed.tenantId, registerId)).toBeNull();
  });

  it('rejects bad input with 400 and unknown registers with 404', async () => {
    const registerId = registers[0] ?? '';
    const bad = [
      await open(registerId, -1),
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/cash-sessions',
        headers: t.auth('cashier'),
        payload: { registerId },
      }),
    ];
    for (const r of bad) {
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('validation_failed');
    }
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cash-sessions',
      headers: t.auth('cashier'),
      payload: { registerId, openingFloat: 0, storeId: 'x' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('unknown_field');

    const unknown = await open('reg_nope', 0);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_register');

    const s = (await open(registerId, 0)).json() as { id: string };
    for (const payload of [
      { kind: 'paid_in', amount: 0, reason: 'zero' },
      { kind: 'paid_out', amount: 100 },
      { kind: 'paid_out', amount: 100, reason: '' },
      { kind: 'float', amount: 100, reason: 'x' },
      { kind: 'paid_in', amount: 1.5, reason: 'x' },
    ]) {
      const r = await move(s.id, payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('validation_failed');
    }
    expect((await move(s.id, { kind: 'paid_in', amount: 100, reason: 'ok' }, 'auditor')).statusCode).toBe(
      403,
    );
    const twice = await close(s.id, [
      { kind: 'cash', amount: 1 },
      { kind: 'cash', amount: 2 },
    ]);
    expect(twice.statusCode).toBe(400);
    expect((await close(s.id, [{ kind: 'cheque', amount: 1 }])).statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/cash-sessions/${s.id}/close`,
          headers: t.auth('cashier'),
          payload: {},
        })
      ).statusCode,
    ).toBe(400);
    expect((await close(s.id, [{ kind: 'cash', amount: 0 }])).statusCode).toBe(200);
    const noAuth = await t.app.inject({ method: 'GET', url: `/api/v1/cash-sessions/${s.id}/x-report` });
    expect(noAuth.statusCode).toBe(401);
  });

  it("hides another tenant's sessions and registers (404)", async () => {
    const { sessionId, registerId } = foreign;
    const reqs = [
      t.app.inject({ method: 'GET', url: `/api/v1/cash-sessions/${sessionId}`, headers: t.auth('owner') }),
      xReport(sessionId),
      move(sessionId, { kind: 'paid_in', amount: 100, reason: 'x' }),
      close(sessionId, [{ kind: 'cash', amount: 0 }]),
    ];
    for (const r of await Promise.all(reqs)) {
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('unknown_session');
    }
    const reg = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers/${registerId}/cash-session`,
      headers: t.auth('owner'),
    });
    expect(reg.statusCode).toBe(404);
    expect(reg.json().error.code).toBe('unknown_register');
    const openForeign = await open(registerId, 0, 'owner');
    expect(openForeign.statusCode).toBe(404);
    expect(openForeign.json().error.code).toBe('unknown_register');
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/cash-sessions',
      headers: t.auth('owner'),
    });
    expect(listed.json().items.map((s: { id: string }) => s.id)).not.toContain(sessionId);
    // the foreign session is untouched
    const still = await t.deps.database.db
      .selectFrom('cash_sessions')
      .select('status')
      .where('id', '=', sessionId)
      .executeTakeFirst();
    expect(still?.status).toBe('open');
  });
});
