import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, openTestDb, testDeps, TEST_PASSWORD, type TestDb } from '../../../test/harness';
import { fixedClock, systemIds } from '../../lib/ids';
import { seedDemo, type SeedResult } from '../../seed/seed';
import { generateHistory } from '../../seed/generate';
import { createOrdersService } from '../orders/service';
import type { AuthContext } from '../auth/service';
import { createConsumer } from '../events/consumer';
import type { Deps } from '../../deps';
import { AML_CONSUMER, createAmlService } from './aml';
import fc from 'fast-check';
import { evaluate, defaultRuleSets, historyNeeds, meetsNeed, type AmlFact } from './aml-rules';

/**
 * Replays generated history with planted patterns through the real checkout, the outbox and
 * the AML consumer. Every planted pattern must raise its alert; the clean history may raise at
 * most MAX_CLEAN_ALERT_RATE alerts per clean sale/refund/void (the documented false-positive
 * budget); replaying the outbox never adds an alert or a case.
 */
const MAX_CLEAN_ALERT_RATE = 0.01;

const DAY = 86_400_000;

describe.each(engines)('AML monitoring over generated history (%s)', (engine) => {
  let tdb: TestDb;
  let deps: Deps;
  let seed: SeedResult;
  const planted: { ruleId: string; subject: string }[] = [];
  const plantedOrders = new Set<string>();
  let cleanEvents = 0;

  beforeAll(async () => {
    tdb = await openTestDb(engine);
    deps = testDeps(tdb.database);
    seed = await seedDemo(deps, { password: TEST_PASSWORD, usernamePrefix: `aml${engine}_` });
    const tenantId = seed.tenantId;
    const made = await generateHistory(deps, tenantId, { orders: 240, days: 10, seed: 7 });
    expect(made).toBeGreaterThan(200);
    cleanEvents = Number(
      (
        await deps.database.db
          .selectFrom('outbox')
          .select(deps.database.db.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

    const staff = await deps.database.db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute();
    const ctxOf = (role: string): AuthContext => {
      const s = staff.find((x) => x.role === role)!;
      return {
        tenantId,
        staffId: s.id,
        username: s.username,
        displayName: s.display_name,
        role: s.role,
        registerId: null,
        sessionId: 'test',
      };
    };
    const manager = ctxOf('manager');
    const cashier = ctxOf('cashier');
    const clock = fixedClock(new Date(Date.now() - 3 * DAY));
    const orders = createOrdersService({ ...deps, clock, ids: systemIds(clock) });
    const prices = await deps.database.db
      .selectFrom('prices')
      .innerJoin('variants', 'variants.id', 'prices.variant_id')
      .select(['prices.variant_id', 'prices.store_id', 'prices.price'])
      .where('prices.tenant_id', '=', tenantId)
      .where('variants.unit', '=', 'each')
      .orderBy('prices.variant_id')
      .execute();
    const sh = seed.stores.sh;
    const sf = seed.stores.sf;
    let n = 0;
    /** sells `target` (or just under it) in a store, with the given tender */
    const sell = async (
      ctx: AuthContext,
      storeId: string,
      registerId: string,
      opts: {
        amount: number;
        exact?: boolean;
        tender: 'cash' | 'card';
        reference?: string;
        customerId?: string;
      },
    ) => {
      const inStore = prices.filter((p) => p.store_id === storeId);
      // the item whose price divides the amount (for exact amounts), else the priciest one
      const item = opts.exact
        ? inStore.find((p) => opts.amount % p.price === 0)!
        : inStore.reduce((a, b) => (b.price > a.price ? b : a));
      const quantity = Math.max(1, Math.floor(opts.amount / item.price));
      n += 1;
      const body = {
        id: `ord_plant${engine}${n}-${Date.now().toString(16)}`,
        storeId,
        registerId,
        ...(opts.customerId ? { customerId: opts.customerId } : {}),
        lines: [{ variantId: item.variant_id, quantity }],
        tenders: [] as { kind: 'cash' | 'card'; amount: number; reference?: string }[],
      };
      const quote = await orders.quote(ctx, body);
      if (!quote.ok) throw new Error(JSON.stringify(quote.error));
      body.tenders = [
        {
          kind: opts.tender,
          amount: quote.body.total,
          ...(opts.reference ? { reference: opts.reference } : {}),
        },
      ];
      const sold = await orders.checkout(ctx, `plant-${body.id}`, body);
      if (!sold.ok) throw new Error(JSON.stringify(sold.error));
      plantedOrders.add(sold.body.id);
      return sold.body;
    };

    // 1. CN large cash: one customer, CNY 30,000 + CNY 25,000 in cash on one day; the planted
    // timeline starts at 09:00 in Shanghai (01:00 UTC) three days ago, whatever time the test runs
    const today = new Date();
    clock.set(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 3, 1, 0)));
    await sell(cashier, sh.id, sh.registers[0]!, {
      amount: 3_000_000,
      tender: 'cash',
      customerId: 'cus_plant_big',
    });
    clock.advance(60 * 60_000);
    await sell(cashier, sh.id, sh.registers[1]!, {
      amount: 2_500_000,
      tender: 'cash',
      customerId: 'cus_plant_big',
    });
    planted.push({ ruleId: 'cn-large-cash', subject: 'customer:cus_plant_big' });

    // 2. US structuring: USD 9,000 and 9,400 in cash by one customer within a day
    clock.advance(2 * 60 * 60_000);
    const under = await sell(cashier, sf.id, sf.registers[0]!, {
      amount: 900_000,
      tender: 'cash',
      customerId: 'cus_plant_smurf',
    });
    expect(under.total).toBeLessThan(1_000_000);
    clock.advance(5 * 60 * 60_000);
    await sell(cashier, sf.id, sf.registers[1]!, {
      amount: 880_000,
      tender: 'cash',
      customerId: 'cus_plant_smurf',
    });
    planted.push({ ruleId: 'us-structuring', subject: 'customer:cus_plant_smurf' });

    // 3. velocity: one card token used 5 times in 8 minutes on both registers
    clock.advance(60 * 60_000);
    for (let i = 0; i < 5; i++) {
      await sell(cashier, sh.id, sh.registers[i % 2]!, {
        amount: 5_000,
        tender: 'card',
        reference: 'tok_plant_fast',
      });
      clock.advance(2 * 60_000);
    }
    planted.push({ ruleId: 'cn-velocity', subject: 'instrument:card:tok_plant_fast' });

    // 4. refund to another tender: paid by card, refunded in cash
    clock.advance(30 * 60_000);
    const byCard = await sell(cashier, sf.id, sf.registers[0]!, {
      amount: 4_000,
      tender: 'card',
      reference: 'tok_plant_swap',
    });
    clock.advance(10 * 60_000);
    const swapped = await orders.refund(manager, byCard.id, {
      amount: byCard.total,
      toTender: 'cash',
      reason: 'customer changed mind',
    });
    expect(swapped.ok).toBe(true);
    planted.push({ ruleId: 'us-refund-tender', subject: `staff:${manager.staffId}` });

    // 5. refund without receipt
    clock.advance(10 * 60_000);
    const noReceiptSale = await sell(cashier, sh.id, sh.registers[0]!, { amount: 3_000, tender: 'cash' });
    clock.advance(10 * 60_000);
    const nr = await orders.refund(cashier, noReceiptSale.id, {
      amount: 1_000,
      reason: 'no receipt, goodwill',
    });
    expect(nr.ok).toBe(true);
    planted.push({ ruleId: 'cn-refund-no-receipt', subject: `staff:${cashier.staffId}` });

    // 6. a cashier (the manager) refunding half of what they sell, peers about 3 %
    clock.advance(60 * 60_000);
    const managerSales = [];
    for (let i = 0; i < 14; i++) {
      managerSales.push(
        await sell(manager, sh.id, sh.registers[1]!, {
          amount: 2_000,
          tender: 'card',
          reference: `tok_plant_m${i}`,
        }),
      );
      clock.advance(3 * 60_000);
    }
    for (const s of managerSales.slice(0, 7)) {
      const r = await orders.refund(manager, s.id, { amount: s.total, reason: 'customer return' });
      expect(r.ok).toBe(true);
      clock.advance(60_000);
    }
    planted.push({ ruleId: 'cn-refund-rate', subject: `staff:${manager.staffId}` });

    // 7. a round cash amount: exactly CNY 20,000.00
    clock.advance(60 * 60_000);
    const round = await sell(cashier, sh.id, sh.registers[0]!, {
      amount: 2_000_000,
      exact: true,
      tender: 'cash',
    });
    expect(round.total).toBe(2_000_000);
    planted.push({ ruleId: 'cn-round-amount', subject: `order:${round.id}` });

    // 8. after hours: a USD 400 sale at 23:30 in San Francisco
    const laDay = new Date(Date.now() - 2 * DAY);
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Los_Angeles',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(laDay);
    const offset = laDay
      .toLocaleString('en-US', { timeZone: 'America/Los_Angeles', timeZoneName: 'longOffset' })
      .match(/GMT([+-]\d{2}):?(\d{2})?/);
    clock.set(new Date(`${local}T23:30:00${offset?.[1] ?? '-08'}:${offset?.[2] ?? '00'}`));
    await sell(cashier, sf.id, sf.registers[1]!, {
      amount: 40_000,
      tender: 'card',
      reference: 'tok_plant_night',
    });
    const night = [...plantedOrders].at(-1)!;
    planted.push({ ruleId: 'us-after-hours', subject: `register:${sf.registers[1]!}` });
    expect(night).toBeTruthy();
  }, 240_000);

  afterAll(async () => {
    await tdb.cleanup();
  });

  it('finds every planted pattern, keeps false positives on clean history within budget, and replays idempotently', async () => {
    const aml = createAmlService(deps);
    const consumer = createConsumer(deps, { name: AML_CONSUMER, handlers: aml.handlers }, { batchSize: 100 });
    const processed = await consumer.drain();
    const totalEvents = Number(
      (
        await deps.database.db
          .selectFrom('outbox')
          .select(deps.database.db.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(processed).toBe(totalEvents);

    const alerts = await aml.alerts(seed.tenantId, { limit: 10_000 });
    for (const p of planted) {
      expect(
        alerts.some((a) => a.ruleId === p.ruleId && a.subject === p.subject),
        `${p.ruleId} on ${p.subject}`,
      ).toBe(true);
    }
    // alerts raised by clean history: none of their facts come from a planted order
    const facts = await deps.database.db
      .selectFrom('aml_facts')
      .select(['id', 'order_id'])
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    const orderOf = new Map(facts.map((f) => [f.id, f.order_id]));
    const clean = alerts.filter((a) => a.factIds.every((f) => !plantedOrders.has(orderOf.get(f) ?? '')));
    expect(clean.length / cleanEvents).toBeLessThanOrEqual(MAX_CLEAN_ALERT_RATE);

    const cases = await deps.database.db
      .selectFrom('compliance_cases')
      .selectAll()
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    expect(cases.length).toBeGreaterThanOrEqual(planted.length - 1);
    const audit = await deps.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('tenant_id', '=', seed.tenantId)
      .where('action', '=', 'aml_alert.create')
      .execute();
    expect(audit.length).toBe(alerts.length);

    // replay the whole outbox: nothing doubles
    await consumer.rewind('1970-01-01T00:00:00.000Z');
    expect(await consumer.drain()).toBe(totalEvents);
    const again = await aml.alerts(seed.tenantId, { limit: 10_000 });
    expect(again.map((a) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    const casesAgain = await deps.database.db
      .selectFrom('compliance_cases')
      .select('id')
      .where('tenant_id', '=', seed.tenantId)
      .execute();
    expect(casesAgain.length).toBe(cases.length);
  }, 240_000);
});

describe('AML rule evaluation (pure)', () => {
  const fact = (over: Partial<AmlFact>): AmlFact => ({
    id: 'f1',
    eventId: 'evt_1',
    kind: 'sale',
    refId: 'ord_1',
    orderId: 'ord_1',
    storeId: 'sto_1',
    registerId: 'reg_1',
    staffId: 'stf_1',
    customerId: null,
    currency: 'USD',
    total: 1000,
    cash: 1000,
    instruments: [],
    phone: null,
    occurredAt: '2026-11-02T18:00:00.000Z',
    businessDay: '2026-11-02',
    localHour: 10,
    ...over,
  });
  const us = defaultRuleSets.US.rules;

  it('treats the US threshold as "over" and the Chinese one as "at or over"', () => {
    expect(
      evaluate(us, fact({ cash: 1_000_000, total: 1_000_000 }), []).some((h) => h.kind === 'large_cash'),
    ).toBe(false);
    expect(
      evaluate(us, fact({ cash: 1_000_001, total: 1_000_001 }), []).some((h) => h.kind === 'large_cash'),
    ).toBe(true);
    const cn = defaultRuleSets.CN.rules;
    expect(
      evaluate(cn, fact({ currency: 'CNY', cash: 5_000_000, total: 5_000_000 }), []).some(
        (h) => h.kind === 'large_cash',
      ),
    ).toBe(true);
  });
  it("aggregates a customer's cash over the business day and alerts once, when it crosses", () => {
    const earlier = fact({
      id: 'f0',
      customerId: 'c1',
      cash: 600_000,
      total: 600_000,
      occurredAt: '2026-11-02T16:00:00.000Z',
    });
    const second = fact({ customerId: 'c1', cash: 500_000, total: 500_000 });
    const hits = evaluate(us, second, [earlier]).filter((h) => h.kind === 'large_cash');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.amount).toBe(1_100_000);
    const third = fact({
      id: 'f2',
      customerId: 'c1',
      cash: 100_000,
      total: 100_000,
      occurredAt: '2026-11-02T19:00:00.000Z',
    });
    expect(evaluate(us, third, [earlier, second]).filter((h) => h.kind === 'large_cash')).toHaveLength(0);
  });
  it('gives the same dedupe keys when evaluated twice', () => {
    const f = fact({ customerId: 'c9', cash: 2_000_000, total: 2_000_000 });
    expect(evaluate(us, f, []).map((h) => h.dedupeKey)).toEqual(evaluate(us, f, []).map((h) => h.dedupeKey));
  });
  it('skips facts in another currency and disabled rules', () => {
    expect(evaluate(us, fact({ currency: 'CNY', cash: 99_000_000, total: 99_000_000 }), [])).toEqual([]);
    const off = us.map((r) => ({ ...r, enabled: false }));
    expect(evaluate(off, fact({ cash: 2_000_000, total: 2_000_000 }), [])).toEqual([]);
  });
  it('gives the same hits on the facts its history needs as on the whole look-back window', () => {
    const T = Date.parse('2026-11-09T12:00:00.000Z');
    const arbFact = (id: string, currency: string) =>
      fc
        .record({
          // one cashier reverses far more often than the others (the refund-rate rule's pattern)
          pick: fc.integer({ min: 0, max: 9 }),
          minutesAgo: fc.integer({ min: 0, max: 11_000 }),
          customerId: fc.constantFrom(null, 'c1', 'c2'),
          registerId: fc.constantFrom(null, 'reg_1', 'reg_2'),
          staffId: fc.constantFrom(null, 's1', 's2', 's3'),
          storeId: fc.constantFrom('sto_1', 'sto_1', 'sto_1', 'sto_2'),
          instruments: fc.subarray(['card:t1', 'card:t2', 'wallet:w1']),
          cash: fc.oneof(
            fc.constantFrom(0, 500, 850_000, 990_000, 1_000_000, 4_100_000, 4_999_999, 5_000_000),
            fc.integer({ min: 0, max: 6_000_000 }),
          ),
          withoutReceipt: fc.boolean(),
        })
        .map((r): AmlFact => {
          const kind: AmlFact['kind'] =
            r.staffId === 's1'
              ? r.pick < 5
                ? 'sale'
                : r.pick < 8
                  ? 'refund'
                  : 'void'
              : r.pick < 9
                ? 'sale'
                : 'refund';
          const occurredAt = new Date(T - r.minutesAgo * 60_000).toISOString();
          return fact({
            id,
            kind,
            refId: `ref_${id}`,
            customerId: r.customerId,
            registerId: r.registerId,
            staffId: r.staffId,
            storeId: r.storeId,
            instruments: kind === 'sale' ? r.instruments : [],
            currency,
            cash: r.cash,
            total: r.cash + 100,
            occurredAt,
            businessDay: occurredAt.slice(0, 10),
            localHour: Number(occurredAt.slice(11, 13)),
            ...(kind === 'refund'
              ? { refundTenders: ['cash'], originalTenders: ['card'], withoutReceipt: r.withoutReceipt }
              : {}),
          });
        });
    let withHits = 0;
    let rated = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(
          ['USD', defaultRuleSets.US.rules] as const,
          ['CNY', defaultRuleSets.CN.rules] as const,
        ),
        fc.integer({ min: 0, max: 150 }),
        fc.nat(),
        ([currency, rules], n, seed) => {
          const history = fc
            .sample(
              fc.tuple(
                ...Array.from({ length: n }, (_, i) => arbFact(`f${String(i).padStart(3, '0')}`, currency)),
              ),
              {
                numRuns: 1,
                seed,
              },
            )[0]!
            .sort((a, b) =>
              a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.id < b.id ? -1 : 1,
            );
          const last = fc.sample(arbFact('fz', currency), { numRuns: 1, seed: seed + 1 })[0]!;
          const now = {
            ...last,
            occurredAt: new Date(T).toISOString(),
            businessDay: '2026-11-09',
            localHour: 12,
          };
          const needs = historyNeeds(rules, now);
          const needed = history.filter((h) => needs.some((need) => meetsNeed(need, h)));
          const hits = evaluate(rules, now, history);
          if (hits.some((h) => h.factIds.length > 1)) withHits++;
          if (hits.some((h) => h.kind === 'refund_rate')) rated++;
          expect(evaluate(rules, now, needed)).toEqual(hits);
        },
      ),
      { numRuns: 400 },
    );
    // the runs exercise the rules that read history, not just the single-fact ones
    expect(withHits).toBeGreaterThan(20);
    expect(rated).toBeGreaterThan(5);
  });
});
