import { currencyInfo } from '@opentill/core';
import type { Deps } from '../deps';
import { fixedClock, systemIds } from '../lib/ids';
import { createOrdersService } from '../modules/orders/service';
import type { AuthContext } from '../modules/auth/service';

/** mulberry32: a small seeded PRNG, so generated history is the same every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative footfall per local hour: a breakfast-coffee peak, lunch, and an evening bump. */
const HOURLY = [0, 0, 0, 0, 0, 0, 0, 6, 10, 8, 5, 6, 9, 8, 5, 4, 5, 6, 7, 6, 4, 3, 1, 0];
/** Relative footfall per weekday, Monday first: busier towards the weekend. */
const WEEKDAY = [0.85, 0.9, 0.95, 1, 1.2, 1.35, 1.1];
/** Chance that a basket item brings its companion along (coffee and a pastry, noodles and eggs). */
const COMPANION_RATE = 0.35;

function pickWeighted(weights: readonly number[], r: number): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = r * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

/** UTC offset (minutes) of `timeZone` at `date`. */
function offsetMinutes(timeZone: string, date: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - date.getTime()) / 60000);
}

/** The fixed companion of the item at `index` (a different item, same for every run). */
export function companionOf(index: number, count: number): number {
  if (count < 2) return index;
  const c = (index * 7 + 3) % count;
  return c === index ? (c + 1) % count : c;
}

/**
 * Realistic sales history for demos and benchmarks: orders spread over the last `days` days in
 * each store's opening hours (daily peaks, busier weekends), popular items sold more
 * (Zipf-like), 1–6 items per basket plus companion items that tend to be bought together,
 * members who come back, cash and card, occasional discounts and refunds. Every order goes through the real checkout.
 */
export async function generateHistory(
  deps: Deps,
  tenantId: string,
  options: { orders: number; days: number; seed?: number },
): Promise<number> {
  const rand = prng(options.seed ?? 42);
  const db = deps.database.db;
  const stores = await db.selectFrom('stores').selectAll().where('tenant_id', '=', tenantId).execute();
  const registers = await db
    .selectFrom('registers')
    .select(['id', 'store_id'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const staff = await db.selectFrom('staff').selectAll().where('tenant_id', '=', tenantId).execute();
  const cashier = staff.find((s) => s.role === 'cashier') ?? staff[0];
  if (!cashier || stores.length === 0) throw new Error('the tenant needs stores and staff first');
  const variants = await db
    .selectFrom('variants')
    .innerJoin('prices', 'prices.variant_id', 'variants.id')
    .select(['variants.id', 'variants.unit', 'prices.store_id', 'prices.price'])
    .where('variants.tenant_id', '=', tenantId)
    .where('variants.active', '=', 1)
    .orderBy('variants.sku')
    .execute();

  const end = Date.now();
  const start = end - options.days * 86_400_000;
  // Weekly seasonality: each day's weight by its weekday, with a slow upward drift.
  const dayWeights = Array.from({ length: options.days }, (_, d) => {
    const weekday = (new Date(start + d * 86_400_000).getUTCDay() + 6) % 7;
    return (WEEKDAY[weekday] ?? 1) * (1 + (0.2 * d) / options.days);
  });
  // Members: a pool that comes back, a few of them very often (repeat visits for RFM).
  const memberCount = Math.max(20, Math.round(options.orders / 15));
  const members = Array.from({ length: memberCount }, (_, i) => `cus_gen_${String(i + 1).padStart(6, '0')}`);
  const times = Array.from({ length: options.orders }, () => {
    const day = pickWeighted(dayWeights, rand());
    const hour = pickWeighted(HOURLY, rand());
    return { day, hour, minute: Math.floor(rand() * 60), store: Math.floor(rand() * stores.length) };
  }).sort((a, b) => a.day - b.day || a.hour - b.hour || a.minute - b.minute);

  const byStore = new Map<string, typeof variants>();
  for (const v of variants) byStore.set(v.store_id, [...(byStore.get(v.store_id) ?? []), v]);
  const clock = fixedClock(new Date(start));
  const orders = createOrdersService({ ...deps, clock, ids: systemIds(clock) });
  const ctx: AuthContext = {
    tenantId,
    staffId: cashier.id,
    username: cashier.username,
    displayName: cashier.display_name,
    role: cashier.role,
    registerId: null,
    sessionId: 'generator',
  };
  let made = 0;
  for (const [n, slot] of times.entries()) {
    const store = stores[slot.store];
    if (!store) continue;
    const dayStart = new Date(start + slot.day * 86_400_000);
    const localMidnightUtc =
      Date.UTC(dayStart.getUTCFullYear(), dayStart.getUTCMonth(), dayStart.getUTCDate()) -
      offsetMinutes(store.time_zone, dayStart) * 60_000;
    const at = new Date(
      localMidnightUtc + (slot.hour * 60 + slot.minute) * 60_000 + Math.floor(rand() * 60_000),
    );
    if (at.getTime() > end) continue;
    clock.set(at);
    const inStore = byStore.get(store.id) ?? [];
    const size = 1 + Math.min(5, Math.floor(-Math.log(1 - rand()) * 1.6));
    const picked = new Map<string, (typeof inStore)[number]>();
    for (let k = 0; k < size; k++) {
      // Zipf-like popularity: low indexes (coffee, staples) sell far more often
      const index = Math.floor(inStore.length * rand() ** 2.5);
      const v = inStore[index] ?? inStore[0];
      if (v) picked.set(v.id, v);
      // Co-purchase structure: each item has a fixed companion that often comes along.
      const companion = inStore[companionOf(index, inStore.length)];
      if (companion && rand() < COMPANION_RATE) picked.set(companion.id, companion);
    }
    const lines = [...picked.values()].map((v) => {
      const quantity =
        v.unit === 'kg' ? Math.round((0.2 + rand() * 1.3) * 1000) / 1000 : 1 + (rand() < 0.15 ? 1 : 0);
      return { variantId: v.id, quantity };
    });
    // About a third of orders are by members, the lower-numbered ones far more often.
    const customerId = rand() < 0.35 ? members[Math.floor(members.length * rand() ** 2)] : undefined;
    const register = registers.filter((r) => r.store_id === store.id)[n % 2] ?? registers[0];
    const discounted = rand() < 0.05;
    const body = {
      id: `ord_${at.getTime().toString(16)}-${n.toString(16).padStart(8, '0')}`,
      storeId: store.id,
      registerId: register?.id ?? '',
      lines,
      ...(customerId ? { customerId } : {}),
      ...(discounted
        ? { orderDiscounts: [{ kind: 'percent' as const, percentBp: 1000, reason: 'staff promotion' }] }
        : {}),
      tenders: [] as { kind: 'cash' | 'card'; amount: number; reference?: string }[],
    };
    const quote = await orders.quote(ctx, { ...body, tenders: [] });
    if (!quote.ok) continue;
    const total = quote.body.total;
    if (rand() < 0.55) {
      body.tenders = [{ kind: 'card', amount: total, reference: `gen-auth-${n}` }];
    } else {
      // customers hand over enough to round up to the next 10 major units
      const ten = 10 * 10 ** (currencyInfo(store.currency)?.exponent ?? 2);
      body.tenders = [{ kind: 'cash', amount: Math.ceil(total / ten) * ten }];
    }
    const sold = await orders.checkout(ctx, `gen-${body.id}`, body);
    if (!sold.ok) continue;
    made += 1;
    if (rand() < 0.03) {
      clock.advance(20 * 60_000);
      const line = sold.body.lines[0];
      if (line) {
        await orders.refund(ctx, sold.body.id, {
          lines: [{ lineId: line.lineId, quantity: line.unit === 'kg' ? line.quantity : 1 }],
          reason: 'customer return',
        });
      }
    }
  }
  return made;
}
