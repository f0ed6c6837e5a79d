import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoVariants,
  engines,
  newOrderId,
  startTestApp,
  TEST_PASSWORD,
  type TestApp,
} from '../../../test/harness';
import { newSoftPasskey, softAssert, softRegister } from '../../../test/soft-authenticator';
import { fixedClock } from '../../lib/ids';
import { totp } from '../auth/totp';
import { needsApproval, defaultPolicy } from './service';

const ORIGIN = 'http://localhost:8080';

describe('approval policy', () => {
  it('asks for a manager only above the thresholds', () => {
    const p = {
      ...defaultPolicy,
      refundAbove: { CNY: 5000, JPY: 500 },
      discountAboveBp: 2000,
      paidOutAbove: { CNY: 0 },
      void: true,
    };
    expect(needsApproval(defaultPolicy, { kind: 'void' })).toBe(false);
    expect(needsApproval(p, { kind: 'refund', amount: 5000, currency: 'CNY' })).toBe(false);
    expect(needsApproval(p, { kind: 'refund', amount: 5001, currency: 'CNY' })).toBe(true);
    // each currency has its own threshold; a currency without one never waits
    expect(needsApproval(p, { kind: 'refund', amount: 501, currency: 'JPY' })).toBe(true);
    expect(needsApproval(p, { kind: 'refund', amount: 999_999, currency: 'USD' })).toBe(false);
    expect(needsApproval(p, { kind: 'discount', percentBp: 2000 })).toBe(false);
    expect(needsApproval(p, { kind: 'discount', percentBp: 2500 })).toBe(true);
    expect(needsApproval(p, { kind: 'paid_out', amount: 1, currency: 'CNY' })).toBe(true);
    expect(needsApproval(p, { kind: 'paid_out', amount: 1, currency: 'USD' })).toBe(false);
    expect(needsApproval(p, { kind: 'void' })).toBe(true);
    expect(needsApproval(p, { kind: 'drawer_open' })).toBe(false);
  });
});

describe.each(engines)('step-up approvals (%s)', (engine) => {
  let t: TestApp;
  const clock = fixedClock(new Date('2026-11-30T10:00:00Z'));
  const user = (role: string) => t.seed.staff.find((s) => s.role === role)!.username;
  const inject = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    headers: object,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { origin: ORIGIN, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const code = (role: 'manager' | 'owner') =>
    totp(t.totpSecrets[role]!, Math.floor(clock.now().getTime() / 1000));

  let cashier: { authorization: string };
  let sale: { id: string; total: number; lines: { id: string }[] };
  let sale2: { id: string; total: number; lines: { id: string }[] };

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    const registerId = t.seed.stores.sh.registers[0]!;
    const pin = await inject('POST', '/auth/pin', t.auth('cashier'), {
      registerId,
      username: user('cashier'),
      pin: '1234',
    });
    cashier = { authorization: `Bearer ${pin.json().token as string}` };
    const policy = await inject('PUT', '/approvals/policy', t.auth('owner'), {
      ...defaultPolicy,
      refundAbove: { CNY: 100 },
      void: true,
      paidOutAbove: { CNY: 0 },
      offlineLimitRaise: true,
    });
    expect(policy.statusCode).toBe(200);
    const [v] = await demoVariants(t, { unit: 'each', limit: 1 });
    const price = v!.prices[t.seed.stores.sh.id]!;
    const sell = async () => {
      const res = await inject(
        'POST',
        '/orders',
        { ...cashier, 'idempotency-key': `apr-${Math.random()}` },
        {
          id: newOrderId(),
          storeId: t.seed.stores.sh.id,
          registerId,
          lines: [{ variantId: v!.id, quantity: 3 }],
          tenders: [{ kind: 'card', amount: price * 3, reference: 'term-ref-1' }],
        },
      );
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    sale = await sell();
    sale2 = await sell();
  });
  afterAll(() => t.close());

  it('refuses a refund above the threshold until a manager approves on the register with PIN and TOTP', async () => {
    const body = { amount: 150, reason: 'damaged' };
    const refused = await inject('POST', `/orders/${sale.id}/refunds`, cashier, body);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'approval_required',
      details: { action: { kind: 'refund', amount: 150, entityId: sale.id } },
    });
    const action = refused.json().error.details.action;
    const asked = await inject('POST', '/approvals', cashier, action);
    expect(asked.statusCode).toBe(201);
    const approvalId = asked.json().id as string;
    // the request reached the outbox for the managers' phones and back office
    const pushed = await t.deps.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'approval.requested')
      .execute();
    expect(pushed.some((p) => p.payload.includes(approvalId))).toBe(true);

    // a cashier's PIN cannot approve; a wrong TOTP neither
    const byCashier = await inject('POST', `/approvals/${approvalId}/approve`, cashier, {
      username: user('cashier'),
      pin: '1234',
      method: 'totp',
      code: '123456',
    });
    expect(byCashier.json().error.code).toBe('forbidden');
    const wrongCode = await inject('POST', `/approvals/${approvalId}/approve`, cashier, {
      username: user('manager'),
      pin: '4321',
      method: 'totp',
      code: '000000',
    });
    expect(wrongCode.json().error.code).toBe('invalid_code');
    clock.advance(30_000);
    const approved = await inject('POST', `/approvals/${approvalId}/approve`, cashier, {
      username: user('manager'),
      pin: '4321',
      method: 'totp',
      code: code('manager'),
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', method: 'pin+totp' });
    expect(approved.json().signature).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // a different amount does not match the approval, and burns nothing
    const otherAmount = await inject(
      'POST',
      `/orders/${sale.id}/refunds`,
      { ...cashier, 'x-approval-id': approvalId },
      { amount: 160, reason: 'damaged' },
    );
    expect(otherAmount.json().error.code).toBe('invalid_approval');
    const done = await inject(
      'POST',
      `/orders/${sale.id}/refunds`,
      { ...cashier, 'x-approval-id': approvalId },
      body,
    );
    expect(done.statusCode, done.body).toBe(201);
    // used once
    const again = await inject(
      'POST',
      `/orders/${sale.id}/refunds`,
      { ...cashier, 'x-approval-id': approvalId },
      body,
    );
    expect(again.json().error.code).toBe('invalid_approval');
    // below the threshold no approval is needed
    const small = await inject('POST', `/orders/${sale.id}/refunds`, cashier, {
      amount: 50,
      reason: 'small',
    });
    expect(small.statusCode).toBe(201);
    const trail = await t.deps.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', approvalId)
      .execute();
    expect(trail.map((a) => a.action).sort()).toEqual(['approval.grant', 'approval.request', 'approval.use']);
  });

  it('approves a void remotely from the back office with a passkey whose challenge covers the action', async () => {
    // the manager registers a passkey first
    const login = await inject(
      'POST',
      '/auth/login',
      {},
      { username: user('manager'), password: TEST_PASSWORD },
    );
    clock.advance(30_000);
    const mgr = { authorization: `Bearer ${login.json().token as string}` };
    expect(
      (await inject('POST', '/auth/mfa/verify', mgr, { method: 'totp', code: code('manager') })).statusCode,
    ).toBe(200);
    const pk = newSoftPasskey();
    const regOpts = await inject('POST', '/auth/mfa/passkey/options', mgr, {});
    const reg = await inject('POST', '/auth/mfa/passkey', mgr, {
      challengeId: regOpts.json().challengeId,
      response: softRegister(pk, regOpts.json().options, ORIGIN),
    });
    expect(reg.statusCode).toBe(201);

    const refused = await inject('POST', `/orders/${sale2.id}/void`, cashier, { reason: 'wrong basket' });
    expect(refused.json().error.code).toBe('approval_required');
    const asked = await inject('POST', '/approvals', cashier, refused.json().error.details.action);
    const approvalId = asked.json().id as string;
    // the manager sees it waiting and answers with the passkey
    const waiting = await inject('GET', '/approvals', mgr);
    expect(waiting.json().items.map((a: { id: string }) => a.id)).toContain(approvalId);
    expect((await inject('GET', '/approvals', cashier)).statusCode).toBe(403);
    const ch = await inject('POST', `/approvals/${approvalId}/challenge`, mgr, {});
    expect(ch.statusCode).toBe(200);
    const approved = await inject('POST', `/approvals/${approvalId}/approve`, mgr, {
      method: 'passkey',
      challengeId: ch.json().challengeId,
      response: softAssert(pk, ch.json().options, ORIGIN),
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', method: 'session+passkey' });
    const status = await inject('GET', `/approvals/${approvalId}`, cashier);
    expect(status.json().status).toBe('approved');

    // someone else's approval cannot be used
    const owner = await inject(
      'POST',
      `/orders/${sale2.id}/void`,
      { ...t.auth('owner'), 'x-approval-id': approvalId },
      {
        reason: 'wrong basket',
      },
    );
    expect(owner.json().error.code).toBe('invalid_approval');
    const voided = await inject(
      'POST',
      `/orders/${sale2.id}/void`,
      { ...cashier, 'x-approval-id': approvalId },
      {
        reason: 'wrong basket',
      },
    );
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json().status).toBe('voided');
  });

  it('gates paid-outs and raising an offline card limit; a denied request cannot be used', async () => {
    const registerId = t.seed.stores.sh.registers[1]!;
    const owner = t.auth('owner');
    // raising the limit needs approval even for the owner (a step-up with their own second factor)
    const raise = await inject('PATCH', `/registers/${registerId}`, owner, { offlineCardLimit: 50_000 });
    expect(raise.json().error.code).toBe('approval_required');
    const asked = await inject('POST', '/approvals', owner, raise.json().error.details.action);
    clock.advance(30_000);
    const ok = await inject('POST', `/approvals/${asked.json().id as string}/approve`, owner, {
      method: 'totp',
      code: code('owner'),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const raised = await inject(
      'PATCH',
      `/registers/${registerId}`,
      { ...owner, 'x-approval-id': asked.json().id },
      {
        offlineCardLimit: 50_000,
      },
    );
    expect(raised.statusCode, raised.body).toBe(200);
    // lowering needs nothing
    expect(
      (await inject('PATCH', `/registers/${registerId}`, owner, { offlineCardLimit: 100 })).statusCode,
    ).toBe(200);

    const session = await inject('POST', '/cash-sessions', cashier, {
      registerId: t.seed.stores.sh.registers[0],
      openingFloat: 10_000,
    });
    expect(session.statusCode, session.body).toBe(201);
    const sid = session.json().id as string;
    const paidIn = await inject('POST', `/cash-sessions/${sid}/movements`, cashier, {
      kind: 'paid_in',
      amount: 500,
      reason: 'float',
    });
    expect(paidIn.statusCode).toBe(201);
    const paidOut = await inject('POST', `/cash-sessions/${sid}/movements`, cashier, {
      kind: 'paid_out',
      amount: 300,
      reason: 'milk',
    });
    expect(paidOut.json().error.code).toBe('approval_required');
    const req = await inject('POST', '/approvals', cashier, paidOut.json().error.details.action);
    const denied = await inject('POST', `/approvals/${req.json().id as string}/deny`, owner, {});
    expect(denied.json().status).toBe('denied');
    const tried = await inject(
      'POST',
      `/cash-sessions/${sid}/movements`,
      { ...cashier, 'x-approval-id': req.json().id },
      {
        kind: 'paid_out',
        amount: 300,
        reason: 'milk',
      },
    );
    expect(tried.json().error.code).toBe('invalid_approval');
  });
});
