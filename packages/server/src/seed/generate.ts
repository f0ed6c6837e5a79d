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

/**
 * Realistic sales history for demos and benchmarks: orders spread over the last `days` days in
 * each store's opening hours, popular items sold more (Zipf-like), 1–6 items per basket, cash
 * and card, occasional discounts and refunds. Every order goes through the real checkout.
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
  const times = Array.from({ length: options.orders }, () => {
    const day = Math.floor(rand() * options.days);
    const hour = pickWeighted(HOURLY, rand());
    return { day, hour, minute: Math.floor(rand() * 60), store: Math.floor(rand() * stores.length) };
  }).sort((a, b) => a.day - b.day || a.hour - b.hour || a.minute - b.minute);

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
    const inStore = variants.filter((v) => v.store_id === store.id);
    const size = 1 + Math.min(5, Math.floor(-Math.log(1 - rand()) * 1.6));
    const lines = Array.from({ length: size }, () => {
      // Zipf-like popularity: low indexes (coffee, staples) sell far more often
      const v = inStore[Math.floor(inStore.length * rand() ** 2.5)] ?? inStore[0];
      const quantity =
        v?.unit === 'kg' ? Math.round((0.2 + rand() * 1.3) * 1000) / 1000 : 1 + (rand() < 0.15 ? 1 : 0);
      return { variantId: v?.id ?? '', quantity };
    });
    const register = registers.filter((r) => r.store_id === store.id)[n % 2] ?? registers[0];
    const discounted = rand() < 0.05;
    const body = {
      id: `ord_${at.getTime().toString(16)}-${n.toString(16).padStart(8, '0')}`,
      storeId: store.id,
      registerId: register?.id ?? '',
      lines,
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
