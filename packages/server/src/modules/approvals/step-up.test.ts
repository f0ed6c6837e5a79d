import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVariants, engines, newOrderId, startTestApp, type TestApp } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import { totp } from '../auth/totp';
import { canonicalJson } from '../auth/keys';
import { defaultPolicy } from './service';
import { createApprovalSigner, SIGNING_SUBJECT } from './signing';
import { createHttpPushSender } from './push';

const ORIGIN = 'http://localhost:8080';

describe('push adapters', () => {
  it('the HTTP adapter posts the message as JSON with the bearer token, and reports a refusal', async () => {
    const got: { auth: string | undefined; body: unknown }[] = [];
    let status = 202;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
    try {
      const sender = createHttpPushSender(url, 'tok');
      const message = {
        tenantId: 'ten_1',
        staffId: 'stf_1',
        approvalId: 'apr_1',
        kind: 'price_override',
        title: 'Approval needed',
        body: 'A price override waits for a manager.',
        url: '/admin/#/approve/apr_1',
      };
      expect(await sender.send(message)).toEqual({ ok: true });
      expect(got).toEqual([{ auth: 'Bearer tok', body: message }]);
      status = 500;
      expect(await sender.send(message)).toEqual({ ok: false, reason: 'push gateway answered 500' });
    } finally {
      server.close();
    }
  });
});

describe.each(engines)('step-up approvals at checkout and the drawer (%s)', (engine) => {
  let t: TestApp;
  const clock = fixedClock(new Date('2026-11-30T10:00:00Z'));
  const user = (role: string) => t.seed.staff.find((s) => s.role === role)!.username;
  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, headers: object, payload?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { origin: ORIGIN, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  /** a manager approves on the register with PIN + TOTP (each time on a fresh 30 s step) */
  const approve = async (id: string, on: object) => {
    clock.advance(30_000);
    const r = await inject('POST', `/approvals/${id}/approve`, on, {
      username: user('manager'),
      pin: '4321',
      method: 'totp',
      code: totp(t.totpSecrets.manager!, Math.floor(clock.now().getTime() / 1000)),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { id: string; status: string };
  };
  let cashier: { authorization: string };
  let registerId: string;
  let variant: { id: string; price: number };

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    registerId = t.seed.stores.sh.registers[0]!;
    const pin = await inject('POST', '/auth/pin', t.auth('cashier'), {
      registerId,
      username: user('cashier'),
      pin: '1234',
    });
    cashier = { authorization: `Bearer ${pin.json().token as string}` };
    const [v] = await demoVariants(t, { unit: 'each', limit: 1 });
    variant = { id: v!.id, price: v!.prices[t.seed.stores.sh.id]! };
  });
  afterAll(() => t.close());

  it('thresholds are per currency; an unknown currency is 422; a policy stored as one number reads per store currency', async () => {
    const bad = await inject('PUT', '/approvals/policy', t.auth('owner'), {
      ...defaultPolicy,
      refundAbove: { CNY: 100, XQZ: 5 },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'invalid_currency', details: { currency: 'XQZ' } });
    const lower = await inject('PUT', '/approvals/policy', t.auth('owner'), {
      ...defaultPolicy,
      paidOutAbove: { usd: 5 },
    });
    expect(lower.statusCode).toBe(422);
    // nothing was written by the refused ones
    expect((await inject('GET', '/approvals/policy', t.auth('cashier'))).json()).toEqual(defaultPolicy);

    const good = await inject('PUT', '/approvals/policy', t.auth('owner'), {
      ...defaultPolicy,
      refundAbove: { CNY: 10_000, JPY: 1_000 },
    });
    expect(good.statusCode, good.body).toBe(200);
    expect((await inject('GET', '/approvals/policy', t.auth('cashier'))).json().refundAbove).toEqual({
      CNY: 10_000,
      JPY: 1_000,
    });

    // a policy written before thresholds were per currency
    await t.deps.database.db
      .updateTable('approval_policies')
      .set({ policy: JSON.stringify({ ...defaultPolicy, refundAbove: 2_500, paidOutAbove: null }) })
      .where('tenant_id', '=', t.seed.tenantId)
      .execute();
    const legacy = (await inject('GET', '/approvals/policy', t.auth('owner'))).json();
    expect(legacy.refundAbove).toEqual({ CNY: 2_500, USD: 2_500 });
    expect(legacy.paidOutAbove).toEqual({});
  });

  it('a price override and a large discount at checkout wait for a manager; the approvals are bound to the sale', async () => {
    const policy = await inject('PUT', '/approvals/policy', t.auth('owner'), {
      ...defaultPolicy,
      priceOverride: true,
      discountAboveBp: 1_000,
    });
    expect(policy.statusCode).toBe(200);
    const orderId = newOrderId();
    const overridden = variant.price - 100;
    const sale = (lines: object[], extra: object = {}) => ({
      id: orderId,
      storeId: t.seed.stores.sh.id,
      registerId,
      lines,
      tenders: [{ kind: 'card', amount: 1, reference: 'ref-1' }],
      ...extra,
    });
    const lines = [
      { variantId: variant.id, quantity: 2, priceOverride: overridden },
      { variantId: variant.id, quantity: 1, discount: { kind: 'percent', percentBp: 2_000, reason: 'dent' } },
    ];
    // the register's total is what the server computes; the quote needs no approval
    const quote = await inject('POST', '/orders/quote', cashier, {
      storeId: t.seed.stores.sh.id,
      registerId,
      lines,
    });
    expect(quote.statusCode, quote.body).toBe(200);
    const due = quote.json().total as number;
    expect(due).toBe(overridden * 2 + variant.price - Math.round(variant.price * 0.2));
    const body = { ...sale(lines), tenders: [{ kind: 'card', amount: due, reference: 'ref-1' }] };
    const key = `so-${randomBytes(4).toString('hex')}`;

    const first = await inject('POST', '/orders', { ...cashier, 'idempotency-key': key }, body);
    expect(first.statusCode, first.body).toBe(403);
    const err = first.json().error;
    expect(err.code).toBe('approval_required');
    expect(err.details.action).toEqual({
      kind: 'price_override',
      amount: 200,
      currency: 'CNY',
      entityId: orderId,
    });
    expect(err.details.actions).toEqual([
      err.details.action,
      { kind: 'discount', percentBp: 2_000, entityId: orderId },
    ]);
    // nothing was written
    const none = await t.deps.database.db
      .selectFrom('orders')
      .select('id')
      .where('id', '=', orderId)
      .execute();
    expect(none).toEqual([]);

    // the override is approved; the discount still waits and the first approval is not used up
    const a1 = await inject('POST', '/approvals', cashier, err.details.action);
    await approve(a1.json().id as string, cashier);
    const second = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': key, 'x-approval-id': a1.json().id },
      body,
    );
    expect(second.statusCode, second.body).toBe(403);
    expect(second.json().error.details.action).toEqual({
      kind: 'discount',
      percentBp: 2_000,
      entityId: orderId,
    });
    expect((await inject('GET', `/approvals/${a1.json().id as string}`, cashier)).json().status).toBe(
      'approved',
    );

    // an approval for another sale does not cover this one
    const elsewhere = await inject('POST', '/approvals', cashier, {
      kind: 'discount',
      percentBp: 2_000,
      entityId: newOrderId(),
    });
    await approve(elsewhere.json().id as string, cashier);
    const wrong = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': key, 'x-approval-id': `${a1.json().id},${elsewhere.json().id}` },
      body,
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('approval_required');

    const a2 = await inject('POST', '/approvals', cashier, second.json().error.details.action);
    await approve(a2.json().id as string, cashier);
    const ids = `${a1.json().id}, ${a2.json().id}`;
    const done = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': key, 'x-approval-id': ids },
      body,
    );
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().total).toBe(due);
    for (const id of [a1.json().id, a2.json().id])
      expect((await inject('GET', `/approvals/${id as string}`, cashier)).json().status).toBe('consumed');
    // a retry of the same request replays the first answer without asking again
    const replay = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': key, 'x-approval-id': ids },
      body,
    );
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // the approvals cannot be used for a second sale
    const reuse = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': `so-${randomBytes(4).toString('hex')}`, 'x-approval-id': ids },
      { ...body, id: newOrderId() },
    );
    expect(reuse.json().error.code).toBe('approval_required');

    // a discount within the threshold needs no one
    const smallLines = [
      { variantId: variant.id, quantity: 1, discount: { kind: 'percent', percentBp: 500, reason: 'loyal' } },
    ];
    const small = await inject('POST', '/orders/quote', cashier, {
      storeId: t.seed.stores.sh.id,
      registerId,
      lines: smallLines,
    });
    expect(small.statusCode, small.body).toBe(200);
    const smallSale = await inject(
      'POST',
      '/orders',
      { ...cashier, 'idempotency-key': `so-${randomBytes(4).toString('hex')}` },
      {
        ...sale([
          {
            variantId: variant.id,
            quantity: 1,
            discount: { kind: 'percent', percentBp: 500, reason: 'loyal' },
          },
        ]),
        id: newOrderId(),
        tenders: [{ kind: 'card', amount: small.json().total as number, reference: 'ref-2' }],
      },
    );
    expect(smallSale.statusCode, smallSale.body).toBe(201);
    const uses = await t.deps.database.db
      .selectFrom('audit_log')
      .select(['entity_id'])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('action', '=', 'approval.use')
      .execute();
    expect(uses.map((u) => u.entity_id)).toEqual(expect.arrayContaining([a1.json().id, a2.json().id]));
  });

  it('opening the drawer without a sale waits for a manager when the policy says so', async () => {
    await inject('PUT', '/approvals/policy', t.auth('owner'), { ...defaultPolicy, drawerOpen: true });
    const session = await inject('POST', '/cash-sessions', cashier, { registerId, openingFloat: 10_000 });
    expect(session.statusCode, session.body).toBe(201);
    const sid = session.json().id as string;
    const refused = await inject('POST', `/cash-sessions/${sid}/drawer-open`, cashier, {
      reason: 'change for a note',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details.action).toEqual({ kind: 'drawer_open', entityId: sid });
    const asked = await inject('POST', '/approvals', cashier, refused.json().error.details.action);
    expect(asked.statusCode).toBe(201);
    const approvalId = asked.json().id as string;

    // the register long-polls its approval and continues as soon as the manager says yes
    const waiting = inject('GET', `/approvals/${approvalId}?wait=10`, cashier);
    await new Promise((r) => setTimeout(r, 400));
    await approve(approvalId, cashier);
    const answered = await waiting;
    expect(answered.json().status).toBe('approved');

    const opened = await inject(
      'POST',
      `/cash-sessions/${sid}/drawer-open`,
      { ...cashier, 'x-approval-id': approvalId },
      { reason: 'change for a note' },
    );
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ cashSessionId: sid, registerId, reason: 'change for a note' });
    const events = await t.deps.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('topic', '=', 'cash.drawer_open')
      .execute();
    expect(events.some((e) => e.payload.includes(sid))).toBe(true);
    const audited = await t.deps.database.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('action', '=', 'cash_session.drawer_open')
      .execute();
    expect(audited.map((a) => a.entity_id)).toContain(sid);
    // the approval opened the drawer once
    const twice = await inject(
      'POST',
      `/cash-sessions/${sid}/drawer-open`,
      { ...cashier, 'x-approval-id': approvalId },
      { reason: 'change for a note' },
    );
    expect(twice.json().error.code).toBe('invalid_approval');
    await inject('PUT', '/approvals/policy', t.auth('owner'), defaultPolicy);
  });

  it('tells every manager and owner by push, and the back office long poll sees the new request', async () => {
    const before = await inject('GET', '/approvals', t.auth('manager'));
    const known = (before.json().items as { id: string }[]).map((a) => a.id).join(',');
    const waiting = inject('GET', `/approvals?wait=10&known=${known}`, t.auth('manager'));
    await new Promise((r) => setTimeout(r, 400));
    const asked = await inject('POST', '/approvals', cashier, { kind: 'void', entityId: newOrderId() });
    const id = asked.json().id as string;
    const seen = await waiting;
    expect((seen.json().items as { id: string }[]).map((a) => a.id)).toContain(id);
    const pushes = await t.deps.database.db
      .selectFrom('approval_pushes')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .where('approval_id', '=', id)
      .execute();
    const managers = t.seed.staff.filter((s) => s.role === 'manager' || s.role === 'owner');
    expect(pushes).toHaveLength(managers.length);
    expect(pushes.every((p) => p.channel === 'outbox' && p.status === 'sent')).toBe(true);
    const outbox = await t.deps.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('topic', '=', 'push.approval')
      .execute();
    const mine = outbox
      .map((o) => JSON.parse(o.payload) as { approvalId: string; url: string })
      .filter((p) => p.approvalId === id);
    expect(mine).toHaveLength(managers.length);
    expect(mine[0]?.url).toBe(`/admin/#/approve/${id}`);
    // the push carries no name and no secret
    expect(JSON.stringify(mine)).not.toMatch(/Chen|陈|Manager/);

    // a missing approval (or another tenant's) is 404 for deny and consume
    const deny = await inject('POST', '/approvals/apr_missing/deny', t.auth('manager'), {});
    expect(deny.statusCode).toBe(404);
    const consume = await inject('POST', '/approvals/apr_missing/consume', cashier, { kind: 'drawer_open' });
    expect(consume.statusCode).toBe(404);
    expect(consume.json().error.code).toBe('unknown_approval');
  });

  it('signing keys are stored wrapped by the keyring; after a rotation older approvals still verify', async () => {
    const db = t.deps.database.db;
    const asked = await inject('POST', '/approvals', cashier, {
      kind: 'void',
      entityId: 'ord_before_rotation',
    });
    const before = await approve(asked.json().id as string, cashier);
    expect(before.status).toBe('approved');
    const keys = await db
      .selectFrom('approval_keys')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.secret).toMatch(/^v1\.sk_/);
    // no signing key in clear anywhere
    const clear = await db.selectFrom('auth_keys').selectAll().where('purpose', '=', 'approval').execute();
    expect(clear).toEqual([]);
    const plain = await t.deps.cipher.decrypt(t.seed.tenantId, SIGNING_SUBJECT, keys[0]!.secret);
    expect(Buffer.from(plain!, 'base64url')).toHaveLength(32);
    expect(keys[0]!.secret).not.toContain(plain!);

    const signer = createApprovalSigner(t.deps.database, t.deps.cipher, clock);
    expect(await signer.rotate(t.seed.tenantId)).toBe(1);
    const after = await db
      .selectFrom('approval_keys')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .orderBy('version')
      .execute();
    expect(after.map((k) => [k.version, k.status])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    // the app picks the new key up within a minute
    clock.advance(61_000);
    await new Promise((r) => setTimeout(r, 0));
    const used = await inject('POST', `/approvals/${before.id}/consume`, cashier, {
      kind: 'void',
      entityId: 'ord_before_rotation',
    });
    expect(used.statusCode, used.body).toBe(200);
    // a forged signature does not verify
    const forged = await inject('POST', '/approvals', cashier, { kind: 'void', entityId: 'ord_forged' });
    await approve(forged.json().id as string, cashier);
    await db
      .updateTable('approvals')
      .set({ signature: createHmac('sha256', randomBytes(32)).update('x').digest('base64url') })
      .where('id', '=', forged.json().id as string)
      .execute();
    const refused = await inject('POST', `/approvals/${forged.json().id as string}/consume`, cashier, {
      kind: 'void',
      entityId: 'ord_forged',
    });
    expect(refused.json().error.code).toBe('invalid_approval');
  });

  it('moves a signing key an earlier version kept in clear under the keyring; what it signed still verifies', async () => {
    const db = t.deps.database.db;
    const secret = randomBytes(32);
    const tenantId = t.seed.tenantId;
    await db
      .insertInto('auth_keys')
      .values({
        tenant_id: tenantId,
        purpose: 'approval',
        key_id: 'legacy1',
        secret: secret.toString('base64url'),
        created_at: clock.now().toISOString(),
      })
      .execute();
    const cashierId = t.seed.staff.find((s) => s.role === 'cashier')!;
    const staffRow = await db
      .selectFrom('staff')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('username', '=', cashierId.username)
      .executeTakeFirstOrThrow();
    const managerRow = await db
      .selectFrom('staff')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('username', '=', user('manager'))
      .executeTakeFirstOrThrow();
    const action = canonicalJson({ kind: 'void', entityId: 'ord_legacy' });
    const decidedAt = clock.now().toISOString();
    const statement = canonicalJson({
      id: 'apr_legacy',
      tenantId,
      action: JSON.parse(action) as unknown,
      requestedBy: staffRow.id,
      approvedBy: managerRow.id,
      method: 'pin+totp',
      decidedAt,
    });
    await db
      .insertInto('approvals')
      .values({
        id: 'apr_legacy',
        tenant_id: tenantId,
        kind: 'void',
        action,
        register_id: registerId,
        requested_by: staffRow.id,
        approved_by: managerRow.id,
        method: 'pin+totp',
        status: 'approved',
        key_id: 'legacy1',
        signature: createHmac('sha256', secret).update(statement).digest('base64url'),
        created_at: decidedAt,
        decided_at: decidedAt,
        expires_at: new Date(clock.now().getTime() + 60_000).toISOString(),
        consumed_at: null,
      })
      .execute();
    const signer = createApprovalSigner(t.deps.database, t.deps.cipher, clock);
    expect(await signer.sealLegacyKeys()).toBe(1);
    expect(await signer.sealLegacyKeys()).toBe(0);
    const moved = await db
      .selectFrom('approval_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key_id', '=', 'legacy1')
      .executeTakeFirstOrThrow();
    expect(moved.status).toBe('retired');
    expect(moved.secret).not.toContain(secret.toString('base64url'));
    const used = await inject('POST', '/approvals/apr_legacy/consume', cashier, {
      kind: 'void',
      entityId: 'ord_legacy',
    });
    expect(used.statusCode, used.body).toBe(200);
  });
});
