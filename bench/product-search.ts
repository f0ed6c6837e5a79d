/**
 * Product search at catalogue scale: inserts 100,000 products (one variant each, bilingual names,
 * SKU, EAN-13 or UPC-A barcode, two store prices) into a temp SQLite database — and into a temp
 * PostgreSQL schema when OPENTILL_TEST_PG_URL is set — then runs 1,000 searches of mixed kinds
 * through the catalog service, `rounds` times, and prints per engine a table of latency
 * percentiles per kind of query (each the median over the rounds). Every substring result is
 * also checked against a plain JavaScript filter of the generated catalogue (first page, in
 * variant-ID order); mismatches are counted and printed.
 *
 *   npx tsx bench/product-search.ts [products=100000] [searches=1000] [rounds=3]
 *
 * A benchmark, not a test: it prints a table and never fails on timings. The machine's load
 * average is printed too: p99 on a shared machine measures the neighbours as well.
 */
import { createMemoryFieldCipher } from '../packages/server/src/lib/field-cipher';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { sql } from 'kysely';
import { gtinCheckDigit, normalizeGtin } from '@opentill/core';
import {
  createPgSchema,
  dropPgSchema,
  migrate,
  openDatabase,
  type Database,
} from '../packages/server/src/db/database';
import type { DB } from '../packages/server/src/db/schema';
import { systemClock, systemIds } from '../packages/server/src/lib/ids';
import { createStoresService } from '../packages/server/src/modules/stores/service';
import { createCatalogService, searchText } from '../packages/server/src/modules/catalog/service';

const PRODUCTS = Number(process.argv[2] ?? 100_000);
const SEARCHES = Number(process.argv[3] ?? 1_000);
const ROUNDS = Number(process.argv[4] ?? 3);

// a deterministic PRNG (mulberry32) so every run searches the same catalogue
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const brands = [
  'Acme',
  'Sunrise',
  'Golden Field',
  'Blue Harbor',
  'Maple',
  'Panda',
  'Lotus',
  'Northwind',
  'Redwood',
  'Jade',
  'Orchid',
  'Summit',
  'Riverside',
  'Harvest',
  'Coastal',
  'Silver Leaf',
  'Great Wall',
  'Pearl',
  'Bamboo',
  'Crane',
];
const brandsZh = [
  '顶好',
  '日出',
  '金田',
  '蓝港',
  '枫叶',
  '熊猫',
  '莲花',
  '北风',
  '红木',
  '翡翠',
  '兰花',
  '峰顶',
  '河畔',
  '丰收',
  '海岸',
  '银叶',
  '长城',
  '珍珠',
  '竹林',
  '仙鹤',
];
const adjectives = [
  'Classic',
  'Organic',
  'Spicy',
  'Sweet',
  'Salted',
  'Smoked',
  'Fresh',
  'Crispy',
  'Creamy',
  'Roasted',
  'Light',
  'Dark',
  'Original',
  'Premium',
  'Mini',
  'Family',
  'Wild',
  'Golden',
  'Honey',
  'Mild',
];
const adjectivesZh = [
  '经典',
  '有机',
  '香辣',
  '香甜',
  '咸味',
  '烟熏',
  '新鲜',
  '香脆',
  '奶香',
  '烘焙',
  '清淡',
  '浓郁',
  '原味',
  '优选',
  '迷你',
  '家庭装',
  '野生',
  '金黄',
  '蜂蜜',
  '温和',
];
const nouns = [
  'Latte',
  'Green Tea',
  'Oolong',
  'Noodles',
  'Rice Crackers',
  'Dumplings',
  'Soy Sauce',
  'Peanuts',
  'Cashews',
  'Chocolate',
  'Biscuits',
  'Yogurt',
  'Milk',
  'Orange Juice',
  'Cola',
  'Mineral Water',
  'Instant Coffee',
  'Sunflower Seeds',
  'Beef Jerky',
  'Tofu',
  'Seaweed',
  'Rice',
  'Vinegar',
  'Sesame Oil',
  'Shampoo',
  'Toothpaste',
  'Tissues',
  'Detergent',
  'Batteries',
  'Notebook',
  'Pens',
  'Candles',
  'Mooncakes',
  'Pork Buns',
  'Spring Rolls',
  'Dried Mango',
  'Walnuts',
  'Red Dates',
  'Goji Berries',
  'Honey',
];
const nounsZh = [
  '拿铁',
  '绿茶',
  '乌龙茶',
  '面条',
  '米饼',
  '饺子',
  '酱油',
  '花生',
  '腰果',
  '巧克力',
  '饼干',
  '酸奶',
  '牛奶',
  '橙汁',
  '可乐',
  '矿泉水',
  '速溶咖啡',
  '瓜子',
  '牛肉干',
  '豆腐',
  '海苔',
  '大米',
  '香醋',
  '芝麻油',
  '洗发水',
  '牙膏',
  '纸巾',
  '洗衣液',
  '电池',
  '笔记本',
  '圆珠笔',
  '蜡烛',
  '月饼',
  '猪肉包',
  '春卷',
  '芒果干',
  '核桃',
  '红枣',
  '枸杞',
  '蜂蜜',
];
const sizes = ['100g', '250g', '500g', '1kg', '330ml', '500ml', '1L', '6-pack', '12-pack', 'Large'];

interface Generated {
  product: DB['products'];
  variant: DB['variants'];
  barcode: DB['barcodes'];
  code: string;
  prices: DB['prices'][];
}

function generate(tenantId: string, storeIds: string[], taxId: string, now: string): Generated[] {
  const out: Generated[] = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const b = Math.floor(rand() * brands.length);
    const a = Math.floor(rand() * adjectives.length);
    const n = Math.floor(rand() * nouns.length);
    const size = pick(sizes);
    const name = `${brands[b]} ${adjectives[a]} ${nouns[n]} ${size}`;
    const nameZh = `${brandsZh[b]}${adjectivesZh[a]}${nounsZh[n]} ${size}`;
    const sku = `SKU-${String(i).padStart(6, '0')}`;
    // half EAN-13 (Chinese prefix 69x), half UPC-A
    const body = i % 2 === 0 ? `69${String(i).padStart(10, '0')}` : `0${String(i).padStart(10, '0')}`;
    const code = body + String(gtinCheckDigit(body));
    const pid = `prd_bench_${String(i).padStart(6, '0')}`;
    const vid = `var_bench_${String(i).padStart(6, '0')}`;
    out.push({
      code,
      product: {
        id: pid,
        tenant_id: tenantId,
        name,
        name_zh: nameZh,
        category_id: null,
        active: 1,
        created_at: now,
        updated_at: now,
      },
      variant: {
        id: vid,
        tenant_id: tenantId,
        product_id: pid,
        sku,
        name,
        name_zh: nameZh,
        unit: 'each',
        tax_class_id: taxId,
        plu_code: null,
        active: 1,
        search_text: searchText([name, nameZh, name, nameZh, sku, code]),
        created_at: now,
        updated_at: now,
      },
      barcode: { tenant_id: tenantId, code: normalizeGtin(code), variant_id: vid },
      prices: storeIds.map((s) => ({
        tenant_id: tenantId,
        variant_id: vid,
        store_id: s,
        price: 100 + Math.floor(rand() * 10_000),
      })),
    });
  }
  return out;
}

async function insertAll(
  database: Database,
  tenantId: string,
  storeIds: string[],
  taxId: string,
  rows: Generated[],
  now: string,
) {
  const db = database.db;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('tenants').values({ id: tenantId, name: 'Bench', created_at: now }).execute();
    for (const [i, s] of storeIds.entries()) {
      await trx
        .insertInto('stores')
        .values({
          id: s,
          tenant_id: tenantId,
          name: `Store ${i}`,
          name_zh: null,
          currency: i === 0 ? 'CNY' : 'USD',
          time_zone: 'Asia/Shanghai',
          country: null,
          address: null,
          tax_mode: 'inclusive',
          tax_rounding: 'per_line',
          rounding_mode: 'half_up',
          cash_increment: 1,
          negative_stock: 'allow',
          embedded_barcodes: '[]',
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await trx
      .insertInto('tax_classes')
      .values({ id: taxId, tenant_id: tenantId, code: 'std', name: 'Standard', created_at: now })
      .execute();
    const chunk = 500;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      await trx
        .insertInto('products')
        .values(part.map((r) => r.product))
        .execute();
      await trx
        .insertInto('variants')
        .values(part.map((r) => r.variant))
        .execute();
      await trx
        .insertInto('barcodes')
        .values(part.map((r) => r.barcode))
        .execute();
      await trx
        .insertInto('prices')
        .values(part.flatMap((r) => r.prices))
        .execute();
    }
  });
  // a steady-state catalogue: statistics and (PostgreSQL) the visibility map are up to date
  await sql`${sql.raw(database.kind === 'postgres' ? 'vacuum analyze' : 'analyze')}`.execute(database.db);
}

const KINDS = [
  'english word',
  'english partial',
  'english 1-2 chars',
  'chinese 1 char',
  'chinese 2 chars',
  'chinese 3+ chars',
  'sku exact',
  'ean-13',
  'upc-a',
  'upc-a as ean-13',
  'miss 1-2 chars',
  'miss 3+ chars',
  'list (no q)',
] as const;
type Kind = (typeof KINDS)[number];
/** kinds answered by an exact SKU / barcode lookup (not checked against the substring filter) */
const EXACT = new Set<Kind>(['sku exact', 'ean-13', 'upc-a', 'upc-a as ean-13', 'list (no q)']);

function queries(rows: Generated[]): { kind: Kind; q: string | undefined }[] {
  const out: { kind: Kind; q: string | undefined }[] = [];
  const kinds: readonly Kind[] = KINDS;
  const row = () => pick(rows);
  for (let i = 0; i < SEARCHES; i++) {
    const kind = kinds[i % kinds.length] as Kind;
    switch (kind) {
      case 'english word':
        out.push({ kind, q: pick(nouns).toLowerCase() });
        break;
      case 'english partial':
        out.push({ kind, q: pick(nouns).slice(1, 5) });
        break;
      case 'english 1-2 chars': {
        const w = pick(nouns).toLowerCase().replace(/ /g, '');
        const at = Math.floor(rand() * (w.length - 1));
        out.push({ kind, q: w.slice(at, at + 1 + Math.floor(rand() * 2)) });
        break;
      }
      case 'chinese 1 char':
        out.push({ kind, q: pick([...pick(nounsZh)]) });
        break;
      case 'chinese 2 chars':
        out.push({ kind, q: pick(nounsZh.filter((z) => z.length === 2)) });
        break;
      case 'chinese 3+ chars':
        out.push({ kind, q: `${pick(adjectivesZh)}${pick(nounsZh)}` });
        break;
      case 'sku exact':
        out.push({ kind, q: row().variant.sku });
        break;
      case 'ean-13': {
        let r = row();
        while (r.code.length !== 13) r = row();
        out.push({ kind, q: r.code });
        break;
      }
      case 'upc-a': {
        let r = row();
        while (r.code.length !== 12) r = row();
        out.push({ kind, q: r.code });
        break;
      }
      case 'upc-a as ean-13': {
        let r = row();
        while (r.code.length !== 12) r = row();
        out.push({ kind, q: `0${r.code}` });
        break;
      }
      case 'miss 1-2 chars':
        out.push({ kind, q: pick(['榴莲', 'qq', '鲨', 'zx', 'ü']) });
        break;
      case 'miss 3+ chars':
        out.push({ kind, q: pick(['xylophone', 'zebra stripes', '火锅底料', '9999999', 'sku-9x']) });
        break;
      case 'list (no q)':
        out.push({ kind, q: undefined });
        break;
    }
  }
  return out;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function run(label: string, database: Database) {
  const clock = systemClock;
  const deps = {
    database,
    clock,
    ids: systemIds(clock),
    log: pino({ level: 'silent' }),
    cipher: createMemoryFieldCipher(),
  };
  const stores = createStoresService(deps);
  const catalog = createCatalogService(deps, { stores });
  const tenantId = `ten_bench_${randomBytes(3).toString('hex')}`;
  const storeIds = [`sto_bench_a_${tenantId}`, `sto_bench_b_${tenantId}`];
  const now = clock.now().toISOString();
  const rows = generate(tenantId, storeIds, `tax_bench_${tenantId}`, now);
  let t0 = performance.now();
  await insertAll(database, tenantId, storeIds, `tax_bench_${tenantId}`, rows, now);
  const insertMs = performance.now() - t0;

  const qs = queries(rows);
  // warm-up: prepare statements, fill caches
  for (const q of qs.slice(0, 50))
    await catalog.searchProducts(tenantId, q.q === undefined ? {} : { q: q.q });
  // correctness: every substring query against a plain filter of the catalogue (variant-ID order)
  let checked = 0;
  let wrong = 0;
  for (const q of new Map(qs.filter((x) => !EXACT.has(x.kind)).map((x) => [x.q, x])).values()) {
    const needle = (q.q ?? '').trim().toLowerCase();
    const want = rows.filter((r) => r.variant.search_text.includes(needle)).map((r) => r.product.id);
    const r = await catalog.searchProducts(tenantId, { q: q.q ?? '' });
    if (!r.ok) throw new Error(`search failed: ${r.error.message}`);
    const got = r.value.items.map((p) => p.id);
    checked++;
    if (got.join() !== want.slice(0, 50).join() || r.value.hasMore !== want.length > 50) {
      wrong++;
      console.error(
        `MISMATCH for ${JSON.stringify(q.q)}: got ${got.length}, want ${Math.min(50, want.length)}`,
      );
    }
  }
  const perRound: Map<Kind | 'all', { p50: number; p95: number; p99: number; max: number }>[] = [];
  const hits = new Map<Kind, number>();
  const load: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times = new Map<Kind | 'all', number[]>();
    load.push(loadavg()[0] ?? NaN);
    for (const q of qs) {
      t0 = performance.now();
      const r = await catalog.searchProducts(tenantId, q.q === undefined ? {} : { q: q.q });
      const ms = performance.now() - t0;
      if (!r.ok) throw new Error(`search failed: ${r.error.message}`);
      for (const k of [q.kind, 'all'] as const) {
        const list = times.get(k) ?? [];
        list.push(ms);
        times.set(k, list);
      }
      if (round === 0) hits.set(q.kind, (hits.get(q.kind) ?? 0) + r.value.items.length);
    }
    perRound.push(
      new Map(
        [...times].map(([k, list]) => {
          const sorted = [...list].sort((a, b) => a - b);
          const max = sorted[sorted.length - 1] ?? NaN;
          return [k, { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), max }];
        }),
      ),
    );
  }
  load.push(loadavg()[0] ?? NaN);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(
    `\n${label}: ${PRODUCTS.toLocaleString('en')} products inserted in ${(insertMs / 1000).toFixed(1)} s; ` +
      `${SEARCHES} searches x ${ROUNDS} rounds (limit 50, products with variants, barcodes and prices); ` +
      `${checked} distinct substring queries checked, ${wrong} wrong; load average ${load.map((l) => l.toFixed(2)).join(' -> ')}`,
  );
  const n = new Map<Kind, number>();
  for (const q of qs) n.set(q.kind, (n.get(q.kind) ?? 0) + 1);
  console.table(
    [...KINDS, 'all' as const].map((kind) => {
      const m = (key: 'p50' | 'p95' | 'p99' | 'max') =>
        median(perRound.map((r) => r.get(kind)?.[key] ?? NaN)).toFixed(2);
      const count = kind === 'all' ? qs.length : (n.get(kind) ?? 0);
      return {
        kind,
        n: count,
        'avg hits': kind === 'all' ? '' : ((hits.get(kind) ?? 0) / count).toFixed(1),
        'p50 ms': m('p50'),
        'p95 ms': m('p95'),
        'p99 ms': m('p99'),
        'max ms': m('max'),
      };
    }),
  );
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'opentill-bench-'));
  try {
    const database = await openDatabase({ sqlitePath: join(dir, 'bench.db') });
    await migrate(database);
    await run('SQLite', database);
    await database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.OPENTILL_TEST_PG_URL;
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    await createPgSchema(url, schema);
    try {
      const database = await openDatabase({ url, schema, poolSize: 4 });
      await migrate(database);
      await run('PostgreSQL', database);
      await database.close();
    } finally {
      await dropPgSchema(url, schema);
    }
  }
}

await main();
