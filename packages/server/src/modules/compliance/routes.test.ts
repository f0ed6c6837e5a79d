import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVariants, engines, newOrderId, startTestApp, type TestApp } from '../../../test/harness';
import { errorStatus } from '../../http/errors';
import { createMemoryFieldCipher } from '../../lib/field-cipher';
import type { AuthContext } from '../auth/service';
import { createComplianceService } from './service';
import type { PrivacySubjects } from './privacy';

const fixture = (name: string) =>
  readFileSync(new URL(`./sanctions/fixtures/${name}`, import.meta.url), 'utf8');

describe.each(engines)('compliance routes (%s)', (engine) => {
  let t: TestApp;
  const get = (url: string, role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'owner') =>
    t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth(role) });
  const send = (
    method: 'POST' | 'PUT',
    url: string,
    payload: unknown,
    role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'owner',
  ) => t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(role), payload: payload as object });

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets owners read and write, auditors only read, managers and cashiers neither', async () => {
    expect((await get('/compliance/cases')).statusCode).toBe(200);
    expect((await get('/compliance/cases', 'auditor')).statusCode).toBe(200);
    expect((await get('/compliance/cases', 'manager')).statusCode).toBe(403);
    expect((await get('/compliance/cases', 'cashier')).statusCode).toBe(403);
    const w = await send('POST', '/compliance/pci/check', {}, 'auditor');
    expect(w.statusCode).toBe(403);
    expect(w.json().error.code).toBe('forbidden');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/compliance/cases' })).statusCode).toBe(401);
  });

  it('turns a large cash sale into an alert and a case, walks the case through its states, and exports the report', async () => {
    const [item] = await demoVariants(t, { limit: 1 });
    const sh = t.seed.stores.sh;
    const price = item!.prices[sh.id]!;
    const quantity = Math.ceil(5_000_000 / price);
    const member = await send('POST', '/customers', { name: 'Large Cash Buyer' });
    const bigBuyer = member.json().id as string;
    const orderId = newOrderId();
    const order = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `sale-${orderId}` },
      payload: {
        id: orderId,
        storeId: sh.id,
        registerId: sh.registers[0],
        customerId: bigBuyer,
        lines: [{ variantId: item!.id, quantity }],
        tenders: [{ kind: 'cash', amount: price * quantity }],
      },
    });
    expect(order.statusCode, order.body).toBe(201);
    const compliance = createComplianceService(t.deps);
    await compliance.amlConsumer().drain();

    const alerts = (await get('/compliance/alerts')).json().items as {
      ruleId: string;
      subject: string;
      caseId: string;
    }[];
    const alert = alerts.find((a) => a.ruleId === 'cn-large-cash' && a.subject === `customer:${bigBuyer}`);
    expect(alert).toBeDefined();
    const caseId = alert!.caseId;
    const list = (await get('/compliance/cases?state=open')).json().items as {
      id: string;
      alertCount: number;
    }[];
    expect(list.find((c) => c.id === caseId)?.alertCount).toBe(1);

    // illegal moves and moves without a reason are refused, nothing changes
    const skip = await send('POST', `/compliance/cases/${caseId}/transition`, {
      to: 'reported',
      reason: 'x',
    });
    expect(skip.statusCode).toBe(errorStatus.illegal_transition);
    expect(
      (await send('POST', `/compliance/cases/${caseId}/transition`, { to: 'investigating' })).statusCode,
    ).toBe(200);
    const noReason = await send('POST', `/compliance/cases/${caseId}/transition`, { to: 'escalated' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().error.code).toBe('reason_required');

    const auditorId = (
      await t.deps.database.db
        .selectFrom('staff')
        .select('id')
        .where('tenant_id', '=', t.seed.tenantId)
        .where('role', '=', 'auditor')
        .executeTakeFirstOrThrow()
    ).id;
    expect(
      (await send('POST', `/compliance/cases/${caseId}/assign`, { assigneeId: auditorId })).json().assigneeId,
    ).toBe(auditorId);
    expect(
      (await send('POST', `/compliance/cases/${caseId}/assign`, { assigneeId: 'stf_nobody' })).statusCode,
    ).toBe(404);
    expect(
      (
        await send('POST', `/compliance/cases/${caseId}/notes`, {
          body: 'Customer paid CNY 50,000+ in notes; ID copied.',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await send('POST', `/compliance/cases/${caseId}/evidence`, {
          kind: 'document',
          refId: 'scan-0001',
          note: 'ID card copy',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await send('POST', `/compliance/cases/${caseId}/transition`, {
          to: 'escalated',
          reason: 'over the reporting threshold',
        })
      ).statusCode,
    ).toBe(200);
    const done = await send('POST', `/compliance/cases/${caseId}/transition`, {
      to: 'reported',
      reason: 'large-value report filed',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json().state).toBe('reported');
    expect(done.json().allowed).toEqual([]);

    const detail = (await get(`/compliance/cases/${caseId}`, 'auditor')).json();
    expect(detail.notes).toHaveLength(1);
    expect(detail.evidence.map((e: { kind: string }) => e.kind).sort()).toEqual(['document', 'order']);
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual([
      'compliance_case.open',
      'aml_alert.create',
      'compliance_case.transition',
      'compliance_case.assign',
      'compliance_case.note',
      'compliance_case.evidence',
      'compliance_case.transition',
      'compliance_case.transition',
    ]);

    const report = (await get(`/compliance/cases/${caseId}/report`)).json();
    expect(report.reportType).toBe('large_transaction');
    expect(report.filing.form).toContain('大额交易报告');
    expect(report.transactions).toHaveLength(1);
    expect(report.totals.cash).toBe(price * quantity);
    const html = await get(`/compliance/cases/${caseId}/report?format=html`, 'auditor');
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Large transaction report');
    expect(html.body).toContain('large-value report filed');
    expect((await get('/compliance/cases/cas_nope/report')).statusCode).toBe(404);
  });

  it('keeps rule sets as versioned, validated data', async () => {
    const sets = (await get('/compliance/rules', 'auditor')).json().items as {
      jurisdiction: string;
      rules: { id: string; threshold?: number }[];
    }[];
    const cn = sets.find((s) => s.jurisdiction === 'CN')!;
    const edited = cn.rules.map((r) => (r.id === 'cn-large-cash' ? { ...r, threshold: 4_000_000 } : r));
    const saved = await send('PUT', '/compliance/rules/CN', { rules: edited });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().version).toBe(1);
    const bad = await send('PUT', '/compliance/rules/CN', {
      rules: [{ id: 'x', kind: 'nonsense', severity: 'high', currency: 'CNY', windowMinutes: 1 }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('invalid_rules');
    const after = (await get('/compliance/rules'))
      .json()
      .items.find((s: { jurisdiction: string }) => s.jurisdiction === 'CN');
    expect(after.rules.find((r: { id: string }) => r.id === 'cn-large-cash').threshold).toBe(4_000_000);
    expect((await send('PUT', '/compliance/rules/CN', { rules: edited }, 'auditor')).statusCode).toBe(403);
  });

  it('screens names, holds a sale party until an officer decides, and audits the decision', async () => {
    const compliance = createComplianceService(t.deps);
    const imported = await compliance.sanctions.importList(
      'ofac_sdn',
      { sdn: fixture('sdn.csv'), alt: fixture('alt.csv'), add: fixture('add.csv') },
      'fixtures',
    );
    expect(imported.ok).toBe(true);
    await compliance.sanctions.importList(
      'un_consolidated',
      { xml: fixture('un-consolidated.xml') },
      'fixtures',
    );
    const lists = (await get('/compliance/sanctions/lists', 'auditor')).json().items;
    expect(lists.filter((l: { active: boolean }) => l.active)).toHaveLength(2);

    const clean = await send('POST', '/compliance/sanctions/screen', { name: 'Jane Ordinary' });
    expect(clean.statusCode).toBe(201);
    expect(clean.json().status).toBe('clear');
    const hit = await send('POST', '/compliance/sanctions/screen', {
      name: 'Minghui Zhao',
      dob: '1971-05-01',
    });
    expect(hit.json().status).toBe('potential_match');
    expect(hit.json().matches[0]).toMatchObject({ externalId: '36003', dobMatch: true });
    expect(hit.json().name).toBe('Minghui Zhao');

    // a customer is screened when created: the officer sees the potential match
    const customer = await send('POST', '/customers', { name: 'Zhao Minghui' });
    expect(customer.statusCode).toBe(201);
    const screenings = (await get('/compliance/sanctions/screenings')).json().items as {
      subjectType: string;
      subjectId: string | null;
      status: string;
    }[];
    expect(
      screenings.find((s) => s.subjectType === 'customer' && s.subjectId === customer.json().id)?.status,
    ).toBe('potential_match');

    // below the sale amount: nothing to screen; above: held
    const small = await send(
      'POST',
      '/compliance/sanctions/screen-sale',
      { orderId: 'ord_s1', amount: 1000, currency: 'CNY', party: { name: '赵明辉' } },
      'cashier',
    );
    expect(small.json()).toEqual({ held: false, screeningId: null, status: 'not_required' });
    const big = await send(
      'POST',
      '/compliance/sanctions/screen-sale',
      { orderId: 'ord_s2', amount: 6_000_000, currency: 'CNY', party: { name: '赵明辉' } },
      'cashier',
    );
    expect(big.json().held).toBe(true);
    const screeningId = big.json().screeningId as string;
    expect((await get(`/compliance/sanctions/screenings/${screeningId}/status`, 'cashier')).json()).toEqual({
      status: 'potential_match',
      held: true,
    });
    expect((await get(`/compliance/sanctions/screenings/${screeningId}`, 'cashier')).statusCode).toBe(403);

    const noReason = await send('POST', `/compliance/sanctions/screenings/${screeningId}/decision`, {
      decision: 'clear',
      reason: '',
    });
    expect(noReason.statusCode).toBe(400);
    const cleared = await send('POST', `/compliance/sanctions/screenings/${screeningId}/decision`, {
      decision: 'clear',
      reason: 'different person: DOB 1990, passport checked',
    });
    expect(cleared.json().status).toBe('cleared');
    expect((await get(`/compliance/sanctions/screenings/${screeningId}/status`, 'cashier')).json().held).toBe(
      false,
    );
    const again = await send('POST', `/compliance/sanctions/screenings/${screeningId}/decision`, {
      decision: 'confirm',
      reason: 'x',
    });
    expect(again.statusCode).toBe(409);
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('entity_id', '=', screeningId)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['sanctions.screen', 'sanctions.clear']);
    expect(JSON.parse(audit[1]!.data)).toMatchObject({
      reason: 'different person: DOB 1990, passport checked',
      listVersions: expect.any(Array),
    });
    // the screened name is stored encrypted, never in clear
    const raw = await t.deps.database.db
      .selectFrom('sanctions_screenings')
      .select('query_cipher')
      .where('id', '=', screeningId)
      .executeTakeFirstOrThrow();
    expect(raw.query_cipher).toMatch(/^v1\./);
    expect(raw.query_cipher).not.toContain('赵');
  });

  it('runs the PCI self-check: finds a card number in the database and in a log file, and keeps history', async () => {
    const first = await send('POST', '/compliance/pci/check', {});
    expect(first.statusCode).toBe(201);
    const items = first.json().items as { id: string; status: string; requirement: string }[];
    expect(items.find((i) => i.id === 'pan_in_database')?.status, JSON.stringify(items[0])).toBe('pass');
    // facts come from the security modules: the harness enrols TOTP for every back-office role
    expect(items.find((i) => i.id === 'mfa_back_office')?.status).toBe('pass');
    expect(items.find((i) => i.id === 'audit_chain')?.status).toBe('pass');
    // plant a Luhn-valid test PAN in a text column and in a log file
    await sql`update stores set address = ${'Note: card 4111 1111 1111 1111 left at desk'} where id = ${t.seed.stores.sf.id}`.execute(
      t.deps.database.db,
    );
    const dir = mkdtempSync(join(tmpdir(), 'opentill-pci-'));
    const logFile = join(dir, 'server.log');
    writeFileSync(logFile, '{"msg":"ok"}\n{"msg":"pan=5555555555554444"}\n');
    expect((await send('PUT', '/compliance/settings', { pciLogFiles: [logFile] })).statusCode).toBe(200);
    const second = (await send('POST', '/compliance/pci/check', {})).json();
    expect(second.overall).toBe('fail');
    const db = second.items.find((i: { id: string }) => i.id === 'pan_in_database');
    expect(db.status).toBe('fail');
    expect(db.detail).toContain('stores.address 411111••••••1111');
    expect(db.detail).not.toContain('4111111111111111');
    const logs = second.items.find((i: { id: string }) => i.id === 'pan_in_logs');
    expect(logs.status).toBe('fail');
    expect(logs.detail).toContain(':2 555555');
    const history = (await get('/compliance/pci/reports', 'auditor')).json().items;
    expect(history.length).toBeGreaterThanOrEqual(2);
    await sql`update stores set address = null where id = ${t.seed.stores.sf.id}`.execute(t.deps.database.db);
  });

  it('carries out an erasure request through the customers module: the key is shredded, the request completes', async () => {
    const created = await send('POST', '/customers', {
      name: 'Privacy Subject',
      phone: '+86 139 0000 1234',
      consents: { marketing: true },
      consentSource: 'back_office',
    });
    expect(created.statusCode).toBe(201);
    const cid = created.json().id as string;
    const access = await send('POST', '/compliance/privacy/requests', { kind: 'access', subjectId: cid });
    const accessId = access.json().id as string;
    await send('POST', `/compliance/privacy/requests/${accessId}/start`, {});
    const exported = await send('POST', `/compliance/privacy/requests/${accessId}/fulfil`, {});
    expect(exported.statusCode).toBe(200);
    expect(JSON.stringify(exported.json())).toContain('Privacy Subject');
    const erasure = await send('POST', '/compliance/privacy/requests', { kind: 'erasure', subjectId: cid });
    const erasureId = erasure.json().id as string;
    await send('POST', `/compliance/privacy/requests/${erasureId}/start`, {});
    const done = await send('POST', `/compliance/privacy/requests/${erasureId}/fulfil`, {});
    expect(done.statusCode).toBe(200);
    expect(done.json().request.state).toBe('completed');
    const after = (await get(`/customers/${cid}`)).json();
    expect(after.erased).toBe(true);
    expect(JSON.stringify(after)).not.toContain('Privacy Subject');
  });

  it('tracks privacy requests with due dates and states, and sets retention with legal floors', async () => {
    const gdpr = await send('POST', '/compliance/privacy/requests', {
      kind: 'access',
      subjectId: 'cus_1',
      regime: 'gdpr',
      receivedAt: '2026-01-31T10:00:00.000Z',
    });
    expect(gdpr.statusCode).toBe(201);
    expect(gdpr.json().dueAt).toBe('2026-02-28T10:00:00.000Z');
    expect(gdpr.json().overdue).toBe(true);
    const pipl = await send('POST', '/compliance/privacy/requests', { kind: 'erasure', subjectId: 'cus_2' });
    expect(pipl.json().regime).toBe('pipl');
    expect(Date.parse(pipl.json().dueAt) - Date.parse(pipl.json().receivedAt)).toBe(15 * 86_400_000);
    const noChanges = await send('POST', '/compliance/privacy/requests', {
      kind: 'correction',
      subjectId: 'cus_3',
    });
    expect(noChanges.statusCode).toBe(400);
    const id = pipl.json().id as string;
    expect((await send('POST', `/compliance/privacy/requests/${id}/fulfil`, {})).statusCode).toBe(
      errorStatus.illegal_transition,
    );
    expect((await send('POST', `/compliance/privacy/requests/${id}/start`, {})).json().state).toBe(
      'in_progress',
    );
    // no module holding personal data is installed in this app: a clear refusal
    const noModule = await send('POST', `/compliance/privacy/requests/${id}/fulfil`, {});
    expect(noModule.statusCode).toBe(404);
    expect(noModule.json().error.code).toBe('unknown_subject');
    expect(
      (
        await send('POST', `/compliance/privacy/requests/${id}/reject`, { reason: 'identity not verified' })
      ).json().state,
    ).toBe('rejected');
    expect((await get('/compliance/privacy/requests/dsr_nope')).statusCode).toBe(404);

    const floor = await send('PUT', '/compliance/retention/sanctions_screenings', { keepDays: 30 });
    expect(floor.statusCode).toBe(400);
    expect((await send('PUT', '/compliance/retention/sessions', { keepDays: 30 })).statusCode).toBe(200);
    const rules = (await get('/compliance/retention')).json().items;
    expect(rules.find((r: { kind: string }) => r.kind === 'sessions').keepDays).toBe(30);
  });
});

describe.each(engines)('privacy requests through PrivacySubjects (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
    await sql`create table test_subjects (tenant_id text not null, id text not null, name_cipher text, marketing integer not null, primary key (tenant_id, id))`.execute(
      t.deps.database.db,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('exports, corrects, withdraws consent and erases through the interface, auditing each step', async () => {
    const cipher = createMemoryFieldCipher();
    const db = t.deps.database.db;
    const tenantId = t.seed.tenantId;
    await sql`insert into test_subjects values (${tenantId}, ${'cus_x'}, ${await cipher.encrypt(tenantId, 'cus_x', 'Wang Fang')}, 1)`.execute(
      db,
    );
    const row = async (id: string) =>
      (
        await sql<{
          name_cipher: string | null;
          marketing: number;
        }>`select name_cipher, marketing from test_subjects where tenant_id = ${tenantId} and id = ${id}`.execute(
          db,
        )
      ).rows[0];
    // a test implementation over a tiny table, the way the customers module will implement it
    const subjects: PrivacySubjects = {
      async export(tid, id) {
        const r = await row(id);
        return r
          ? {
              id,
              name: r.name_cipher ? await cipher.decrypt(tid, id, r.name_cipher) : null,
              marketing: r.marketing === 1,
            }
          : null;
      },
      async erase(tid, id) {
        if (!(await row(id))) return null;
        await cipher.shred(tid, id);
        return { erased: ['name'], pseudonymised: ['orders'] };
      },
      async correct(tid, id, changes) {
        if (!(await row(id))) return null;
        if (changes.name)
          await sql`update test_subjects set name_cipher = ${await cipher.encrypt(tid, id, changes.name)} where tenant_id = ${tid} and id = ${id}`.execute(
            db,
          );
        return { changed: Object.keys(changes) };
      },
      async withdrawConsent(tid, id, purposes) {
        if (!(await row(id))) return null;
        await sql`update test_subjects set marketing = 0 where tenant_id = ${tid} and id = ${id}`.execute(db);
        return { withdrawn: purposes };
      },
    };
    const compliance = createComplianceService(t.deps, { privacySubjects: subjects });
    const owner = await db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    const ctx: AuthContext = {
      tenantId,
      staffId: owner.id,
      username: owner.username,
      displayName: owner.display_name,
      role: 'owner',
      registerId: null,
      sessionId: 's',
    };
    const run = async (
      kind: 'access' | 'correction' | 'withdraw_consent' | 'erasure',
      subjectId = 'cus_x',
      details?: Record<string, unknown>,
    ) => {
      const made = await compliance.privacy.create(
        ctx,
        { kind, subjectId, ...(details ? { details } : {}) },
        'gdpr',
      );
      if (!made.ok) throw new Error(made.error.message);
      await compliance.privacy.start(ctx, made.value.id);
      return compliance.privacy.fulfil(ctx, made.value.id);
    };
    const access = await run('access');
    expect(access.ok && access.value.export).toEqual({ id: 'cus_x', name: 'Wang Fang', marketing: true });
    const corrected = await run('correction', 'cus_x', { changes: { name: 'Wang Fangfang' } });
    expect(corrected.ok && corrected.value.request.state).toBe('completed');
    expect((await subjects.export(tenantId, 'cus_x')) as { name: string }).toMatchObject({
      name: 'Wang Fangfang',
    });
    await run('withdraw_consent');
    expect((await row('cus_x'))?.marketing).toBe(0);
    const erased = await run('erasure');
    expect(erased.ok && erased.value.request.result).toEqual({ erased: ['name'], pseudonymised: ['orders'] });
    expect((await subjects.export(tenantId, 'cus_x')) as { name: string | null }).toMatchObject({
      name: null,
    });
    const unknown = await run('access', 'cus_missing');
    expect(!unknown.ok && unknown.error.code).toBe('unknown_subject');
    const audit = await db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', tenantId)
      .where('entity', '=', 'privacy_request')
      .execute();
    expect(audit.filter((a) => a.action === 'privacy_request.completed')).toHaveLength(4);
  });

  it('enforces retention rules with the scheduled job', async () => {
    const compliance = createComplianceService(t.deps);
    const db = t.deps.database.db;
    const tenantId = t.seed.tenantId;
    const owner = await db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    const ctx: AuthContext = {
      tenantId,
      staffId: owner.id,
      username: owner.username,
      displayName: owner.display_name,
      role: 'owner',
      registerId: null,
      sessionId: 's',
    };
    await db
      .insertInto('sessions')
      .values({
        id: 'old-session',
        tenant_id: tenantId,
        staff_id: owner.id,
        register_id: null,
        created_at: '2020-01-01T00:00:00.000Z',
        expires_at: '2020-01-02T00:00:00.000Z',
        revoked_at: null,
      })
      .execute();
    expect((await compliance.privacy.setRetention(ctx, 'sessions', 30)).ok).toBe(true);
    const removed = await compliance.privacy.enforceRetention();
    expect(removed[`${tenantId}:sessions`]).toBeGreaterThanOrEqual(1);
    expect(
      await db.selectFrom('sessions').select('id').where('id', '=', 'old-session').executeTakeFirst(),
    ).toBeUndefined();
    // live sessions stay
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/compliance/cases', headers: t.auth('owner') }))
        .statusCode,
    ).toBe(200);
  });
});
