import { afterEach, describe, expect, it } from 'vitest';
import { engines, openTestDb, testDeps, type TestDb } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import { outboxQuery } from '../audit/audit';
import { createConsumer, eventIdFloor, type OutboxEvent } from './consumer';

describe.each(engines)('outbox consumer (%s)', (engine) => {
  let tdb: TestDb;
  afterEach(async () => {
    await tdb.cleanup();
  });

  async function setup() {
    tdb = await openTestDb(engine);
    const clock = fixedClock(new Date('2026-11-02T10:00:00.000Z'));
    const deps = testDeps(tdb.database, clock);
    const publish = async (topic: string, n: number) => {
      await tdb.database.batch([
        outboxQuery(
          deps.database.db,
          deps.ids,
          { tenantId: 'ten_a', topic, payload: { n } },
          clock.now().toISOString(),
        ),
      ]);
      clock.advance(10);
    };
    return { clock, deps, publish };
  }

  it('processes each event once, in id order, per consumer; other topics are skipped', async () => {
    const { deps, publish } = await setup();
    for (let i = 0; i < 5; i++) await publish(i % 2 ? 'order.refunded' : 'order.paid', i);
    const seenA: number[] = [];
    const seenB: number[] = [];
    const a = createConsumer(
      deps,
      {
        name: 'a',
        handlers: { 'order.paid': async (e: OutboxEvent) => void seenA.push((e.payload as { n: number }).n) },
      },
      { batchSize: 2 },
    );
    const b = createConsumer(deps, {
      name: 'b',
      handlers: {
        'order.paid': async (e) => void seenB.push((e.payload as { n: number }).n),
        'order.refunded': async (e) => void seenB.push((e.payload as { n: number }).n),
      },
    });
    expect(await a.drain()).toBe(5);
    expect(await a.drain()).toBe(0);
    expect(await b.drain()).toBe(5);
    expect(seenA).toEqual([0, 2, 4]);
    expect(seenB).toEqual([0, 1, 2, 3, 4]);
  });

  it('picks up an event that commits late with an earlier id, inside the safety window', async () => {
    const { deps, clock, publish } = await setup();
    const seen: number[] = [];
    const c = createConsumer(
      deps,
      {
        name: 'late',
        handlers: { 'order.paid': async (e) => void seen.push((e.payload as { n: number }).n) },
      },
      { safetyWindowMs: 60_000 },
    );
    await publish('order.paid', 1);
    expect(await c.drain()).toBe(1);
    clock.advance(5_000);
    // an id made 3 s ago whose transaction commits only now
    const earlier = new Date(clock.now().getTime() - 3_000);
    await tdb.database.batch([
      outboxQuery(
        deps.database.db,
        { newId: () => `${eventIdFloor(earlier.getTime())}-7000-8000-000000000001` },
        {
          tenantId: 'ten_a',
          topic: 'order.paid',
          payload: { n: 2 },
        },
        earlier.toISOString(),
      ),
    ]);
    expect(await c.drain()).toBe(1);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps a failing event unprocessed and retries it; events before it stay done', async () => {
    const { deps, publish } = await setup();
    for (let i = 0; i < 3; i++) await publish('order.paid', i);
    let failOn: number | null = 1;
    const seen: number[] = [];
    const c = createConsumer(deps, {
      name: 'flaky',
      handlers: {
        'order.paid': async (e, trx) => {
          const n = (e.payload as { n: number }).n;
          // a write through the transaction: rolled back with the processed mark on failure
          await trx
            .insertInto('retention_rules')
            .values({ tenant_id: 'ten_a', data_kind: `k${n}`, keep_days: n, updated_at: e.createdAt })
            .execute();
          if (n === failOn) throw new Error('boom');
          seen.push(n);
        },
      },
    });
    const first = await c.runOnce();
    expect(first.failed?.error).toBe('boom');
    expect(first.processed).toBe(1);
    const rows = await deps.database.db
      .selectFrom('retention_rules')
      .select('data_kind')
      .orderBy('data_kind')
      .execute();
    expect(rows.map((r) => r.data_kind)).toEqual(['k0']);
    failOn = null;
    expect(await c.drain()).toBe(2);
    // in-memory effects run again when a batch is retried event by event; database writes do not
    expect(seen.at(-1)).toBe(2);
    const after = await deps.database.db
      .selectFrom('retention_rules')
      .select('data_kind')
      .orderBy('data_kind')
      .execute();
    expect(after.map((r) => r.data_kind)).toEqual(['k0', 'k1', 'k2']);
  });

  it('lets one process at a time hold a consumer; the lease passes on when it expires', async () => {
    const { deps, clock, publish } = await setup();
    await publish('order.paid', 1);
    const handlers = { 'order.paid': async () => undefined };
    const one = createConsumer(deps, { name: 'shared', handlers }, { leaseMs: 10_000, owner: 'one' });
    const two = createConsumer(deps, { name: 'shared', handlers }, { leaseMs: 10_000, owner: 'two' });
    expect((await one.runOnce()).leased).toBe(true);
    expect((await two.runOnce()).leased).toBe(false);
    clock.advance(11_000);
    expect((await two.runOnce()).leased).toBe(true);
    expect((await one.runOnce()).leased).toBe(false);
    await two.release();
    expect((await one.runOnce()).leased).toBe(true);
  });

  it('replays after a rewind', async () => {
    const { deps, publish } = await setup();
    for (let i = 0; i < 3; i++) await publish('order.paid', i);
    const seen: number[] = [];
    const c = createConsumer(deps, {
      name: 'replay',
      handlers: { 'order.paid': async (e) => void seen.push((e.payload as { n: number }).n) },
    });
    await c.drain();
    await c.rewind('2026-11-02T10:00:00.000Z');
    await c.drain();
    expect(seen).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
