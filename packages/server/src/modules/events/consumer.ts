import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import type { Deps } from '../../deps';

/**
 * Named consumers of the transactional outbox (`outbox` rows are written in the same
 * transaction as the sale, refund or void they describe).
 *
 * - Each consumer keeps its own record of processed event ids (`event_processed`), written in
 *   the same transaction as the handler's own writes: several consumers, restarts and replays
 *   never apply an event twice.
 * - Events are read in id order (UUIDv7: creation order). On PostgreSQL concurrent
 *   transactions can commit out of id order, so the cursor is not "the last id" but an instant:
 *   every poll rescans from `cursor_at − safetyWindow` and skips ids already processed. An event
 *   whose transaction takes longer than the window to commit after its id was made would be
 *   missed; the default window (5 min) is far above any checkout transaction.
 * - One process at a time runs a given consumer: a lease row (`event_consumers`) is taken with
 *   a conditional UPDATE that works the same on SQLite and PostgreSQL; another process picks
 *   the consumer up when the lease expires.
 */
export interface OutboxEvent {
  id: string;
  tenantId: string;
  topic: string;
  payload: unknown;
  createdAt: string;
}

/**
 * Handles one event; its writes go through `trx`, committed together with the processed mark.
 * `batch` is every event of this transaction (the same array for each of them), so a handler
 * can read what the whole batch needs in one query and keep it for the batch's other events.
 */
export type EventHandler = (
  event: OutboxEvent,
  trx: Kysely<DB>,
  batch: readonly OutboxEvent[],
) => Promise<void>;

export interface ConsumerDefinition {
  name: string;
  /** handlers by topic; events of other topics are marked processed and skipped */
  handlers: Record<string, EventHandler>;
}

export interface ConsumerOptions {
  batchSize?: number;
  safetyWindowMs?: number;
  leaseMs?: number;
  /** who holds the lease (defaults to a random id per process) */
  owner?: string;
}

export interface RunResult {
  /** false when another process holds the lease */
  leased: boolean;
  processed: number;
  /** the poll saw fewer events than a batch: nothing is waiting */
  caughtUp: boolean;
  /** an event whose handler threw (it stays unprocessed and is retried on the next poll) */
  failed: { eventId: string; error: string } | null;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** The smallest `evt_` id made at `ms`: ids compare as text in creation order. */
export function eventIdFloor(ms: number): string {
  const hex = Math.max(0, ms).toString(16).padStart(12, '0');
  return `evt_${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}

export function createConsumer(deps: Deps, definition: ConsumerDefinition, options: ConsumerOptions = {}) {
  const { database, clock, log } = deps;
  const db = database.db;
  // on SQLite a batch's transaction holds the one connection that checkouts also wait for
  const batchSize = options.batchSize ?? (database.kind === 'sqlite' ? 100 : 200);
  const safetyWindowMs = options.safetyWindowMs ?? 5 * 60_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const owner = options.owner ?? `proc_${randomBytes(6).toString('hex')}`;
  const name = definition.name;

  async function ensureRow(now: string): Promise<void> {
    const row = await db
      .selectFrom('event_consumers')
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst();
    if (row) return;
    try {
      await db
        .insertInto('event_consumers')
        .values({ name, cursor_at: EPOCH, lease_owner: null, lease_until: null, updated_at: now })
        .execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }

  async function takeLease(now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    const r = await db
      .updateTable('event_consumers')
      .set({ lease_owner: owner, lease_until: until, updated_at: nowIso })
      .where('name', '=', name)
      .where((eb) =>
        eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', nowIso), eb('lease_owner', '=', owner)]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async function processEvents(events: OutboxEvent[]): Promise<void> {
    const now = clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      for (const event of events) {
        await trx
          .insertInto('event_processed')
          .values({ consumer: name, event_id: event.id, tenant_id: event.tenantId, processed_at: now })
          .execute();
        const handler = definition.handlers[event.topic];
        if (handler) await handler(event, trx, events);
      }
    });
  }

  /** One poll: takes the lease, processes up to a batch of events in id order. */
  async function runOnce(): Promise<RunResult> {
    const now = clock.now();
    await ensureRow(now.toISOString());
    if (!(await takeLease(now))) return { leased: false, processed: 0, caughtUp: false, failed: null };
    const state = await db
      .selectFrom('event_consumers')
      .select('cursor_at')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const floor = eventIdFloor(Date.parse(state.cursor_at) - safetyWindowMs);
    const rows = await db
      .selectFrom('outbox as o')
      .select(['o.id', 'o.tenant_id', 'o.topic', 'o.payload', 'o.created_at'])
      .where('o.id', '>=', floor)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('event_processed as p')
              .select('p.event_id')
              .where('p.consumer', '=', name)
              .whereRef('p.event_id', '=', 'o.id'),
          ),
        ),
      )
      .orderBy('o.id')
      .limit(batchSize)
      .execute();
    const events: OutboxEvent[] = rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      topic: r.topic,
      payload: JSON.parse(r.payload) as unknown,
      createdAt: r.created_at,
    }));
    let processed = 0;
    let failed: RunResult['failed'] = null;
    try {
      // the whole batch in one transaction (one commit); on a failure, event by event
      if (events.length) await processEvents(events);
      processed = events.length;
    } catch {
      for (const event of events) {
        try {
          await processEvents([event]);
          processed++;
        } catch (e) {
          if (isUniqueViolation(e)) continue; // another process got there first
          failed = { eventId: event.id, error: (e as Error).message };
          log.error({ err: e, consumer: name, eventId: event.id }, 'outbox consumer: handler failed');
          break;
        }
      }
    }
    const caughtUp = events.length < batchSize && failed === null;
    if (caughtUp) {
      await db
        .updateTable('event_consumers')
        .set({ cursor_at: now.toISOString(), updated_at: now.toISOString() })
        .where('name', '=', name)
        .where('lease_owner', '=', owner)
        .where('cursor_at', '<', now.toISOString())
        .execute();
    }
    return { leased: true, processed, caughtUp, failed };
  }

  return {
    name,
    owner,
    runOnce,
    /** Polls until nothing is waiting (or a handler fails, or the lease is elsewhere). */
    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const r = await runOnce();
        total += r.processed;
        if (!r.leased || r.caughtUp || r.failed) return total;
        // let waiting requests run between batches
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    /** Gives the lease back (on shutdown) so another process need not wait for it to expire. */
    async release(): Promise<void> {
      await db
        .updateTable('event_consumers')
        .set({ lease_owner: null, lease_until: null })
        .where('name', '=', name)
        .where('lease_owner', '=', owner)
        .execute();
    },
    /**
     * Forgets what this consumer processed since `fromIso` so that it processes those events
     * again (a replay). Handlers must be idempotent on their own too (the AML engine is).
     */
    async rewind(fromIso: string): Promise<void> {
      const floor = eventIdFloor(Date.parse(fromIso));
      await db
        .deleteFrom('event_processed')
        .where('consumer', '=', name)
        .where('event_id', '>=', floor)
        .execute();
      await db.updateTable('event_consumers').set({ cursor_at: fromIso }).where('name', '=', name).execute();
    },
  };
}

export type Consumer = ReturnType<typeof createConsumer>;

/** Runs consumers on a timer inside the server process; `stop()` waits for the current poll. */
export function startConsumers(deps: Deps, consumers: Consumer[], intervalMs = 1000) {
  let stopped = false;
  let running: Promise<void> | null = null;
  const tick = async () => {
    for (const c of consumers) {
      if (stopped) return;
      try {
        await c.drain();
      } catch (e) {
        deps.log.error({ err: e, consumer: c.name }, 'outbox consumer poll failed');
      }
    }
  };
  // a slow poll is never overlapped by the next one
  const timer = setInterval(() => {
    if (running) return;
    running = tick().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all(consumers.map((c) => c.release().catch(() => undefined)));
    },
  };
}
