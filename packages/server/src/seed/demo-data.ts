/**
 * Demo catalogue for OpenTill: a café-and-convenience merchant with a Shanghai and a San Francisco store.
 *
 * Pure and deterministic: no I/O, no clock, no Math.random. Everything is expanded from the tables below
 * (base items × flavour/size rules); barcodes and opening stock come from a seeded mulberry32 PRNG, so two
 * calls to `buildDemoData()` return deep-equal data.
 *
 * Tax classes (rates in parts per million, 13% = 130_000):
 *
 * Shanghai (prices include VAT; a general VAT taxpayer is assumed, not a small-scale one at 3%/1%):
 *  - sh-standard 13%: goods in general (packaged snacks, drinks, household, personal care, stationery…).
 *  - sh-reduced 9%: agricultural products (fresh fruit), grain (rice), edible vegetable oils, and
 *    pasteurised/UHT liquid milk (flavoured/modified milk and yogurt stay at 13%).
 *  - sh-catering 6%: café drinks and food made and sold on the premises are "catering services"
 *    (餐饮服务, part of 生活服务) rather than sales of goods.
 *  - sh-exempt 0%: fresh vegetables and fresh eggs sold at wholesale/retail are VAT-exempt.
 *  Sources: MoF/SAT/GAC Announcement 2019 No. 39 (财政部 税务总局 海关总署公告2019年第39号: 16%→13%,
 *  10%→9%), Caishui [2016] No. 36 annex (catering at 6%), Caishui [2011] No. 137 (vegetables exempt in
 *  distribution), Caishui [2012] No. 75 (fresh meat and eggs exempt in distribution), Caishui [2008] No. 171
 *  (liquid milk); the VAT Law of the PRC (effective 2026-01-01, art. 10) keeps 13/9/6.
 *  See https://www.chinatax.gov.cn/ (State Taxation Administration).
 *
 * San Francisco (tax added at checkout):
 *  - sf-general 8.625%: taxable goods (household, personal care, stationery, carbonated drinks…).
 *  - sf-food 0%: "food products" for human consumption — cold grocery food, candy and snacks,
 *    non-carbonated drinks, bakery goods, cold food to go (CDTFA Regulation 1602).
 *  - sf-prepared 8.625%: hot prepared food and café drinks. Simplification: we treat café drinks as
 *    served for consumption at the café's tables; a real deployment should apply Regulation 1603 (hot
 *    beverages and cold food sold to go are exempt, the 80/80 rule, etc.).
 *  Sources: CDTFA "California City & County Sales & Use Tax Rates" (City and County of San Francisco:
 *  8.625%) https://www.cdtfa.ca.gov/taxes-and-fees/rates.aspx, Regulation 1602
 *  https://www.cdtfa.ca.gov/lawguides/vol1/sutr/1602.html and Regulation 1603
 *  https://www.cdtfa.ca.gov/lawguides/vol1/sutr/1603.html. Rates change: check before real use.
 *
 * Barcodes: EAN-13 with the GS1 prefix of the country of origin (690–699 China, 45/49 Japan, 880 Korea,
 * 885 Thailand, 400–440 Germany, 300–379 France, 800–839 Italy), UPC-A (12 digits) for US goods, and for
 * items made or weighed in-store a UPC-A in the GS1 restricted-circulation range "4" (GTIN-13 prefix 04,
 * numbers a company assigns for internal use), so they never clash with the 2x price/weight-embedded
 * label prefixes a store configures for its scales. Weighed items carry a store-assigned 5-digit PLU used
 * as the item code on those scale labels (not IFPS produce PLUs).
 */

export interface DemoStore {
  key: 'sh' | 'sf';
  name: string;
  nameZh: string;
  currency: 'CNY' | 'USD';
  timeZone: string;
  taxMode: 'inclusive' | 'exclusive';
  taxRounding: 'per_line' | 'per_order';
  countryCode: 'CN' | 'US';
  address: string;
  registers: { key: string; name: string }[];
}

/** ppm: 13% = 130000 */
export interface DemoTaxClass {
  key: string;
  storeKey: 'sh' | 'sf';
  name: string;
  ratePpm: number;
}

export interface DemoCategory {
  key: string;
  name: string;
  nameZh: string;
}

export interface DemoVariant {
  key: string;
  sku: string;
  /** valid EAN-13 or UPC-A */
  barcode: string;
  name: string;
  nameZh: string;
  unit: 'each' | 'kg';
  taxClassKeys: { sh: string; sf: string };
  /** minor units: fen and cents; for kg units, price per kg */
  prices: { sh: number; sf: number };
  /** 5 digits, for weighed items sold with price/weight-embedded labels */
  pluCode?: string;
  /** in units; kg may be decimal with ≤3 decimals */
  openingStock: { sh: number; sf: number };
}

export interface DemoProduct {
  key: string;
  name: string;
  nameZh: string;
  categoryKey: string;
  variants: DemoVariant[];
}

export interface DemoData {
  stores: DemoStore[];
  taxClasses: DemoTaxClass[];
  categories: DemoCategory[];
  products: DemoProduct[];
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** GS1 mod-10 check digit of a GTIN body (all digits except the check digit). */
export function gtinCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new RangeError(`GTIN body must be digits: ${JSON.stringify(body)}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit; // the rightmost body digit weighs 3
  }
  return (10 - (sum % 10)) % 10;
}

/** mulberry32: a tiny, fast 32-bit seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x0be7711;

/** Rounds to 10 fen (CNY prices end in .x0). */
const r10 = (minor: number): number => Math.max(10, Math.round(minor / 10) * 10);
/** Rounds to a US-style .x9 price. */
const r9 = (minor: number): number => Math.max(9, Math.round(minor / 10) * 10 - 1);
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------------
// Stores, tax classes, categories

const STORES: DemoStore[] = [
  {
    key: 'sh',
    name: "OpenTill Café & Mart — Jing'an",
    nameZh: 'OpenTill 咖啡便利 · 静安店',
    currency: 'CNY',
    timeZone: 'Asia/Shanghai',
    taxMode: 'inclusive',
    taxRounding: 'per_line',
    countryCode: 'CN',
    address: '上海市静安区安远路 88 号 (demo)',
    registers: [
      { key: 'sh-1', name: '1 号收银台 · 咖啡吧台 (Café Bar)' },
      { key: 'sh-2', name: '2 号收银台 · 便利店 (Mart)' },
    ],
  },
  {
    key: 'sf',
    name: 'OpenTill Café & Mart — Mission',
    nameZh: 'OpenTill 咖啡便利 · 旧金山教会区店',
    currency: 'USD',
    timeZone: 'America/Los_Angeles',
    taxMode: 'exclusive',
    taxRounding: 'per_line',
    countryCode: 'US',
    address: '2150 Valencia St, San Francisco, CA 94110 (demo)',
    registers: [
      { key: 'sf-1', name: 'Register 1 · Café Bar' },
      { key: 'sf-2', name: 'Register 2 · Mart' },
    ],
  },
];

const TAX_CLASSES = [
  { key: 'sh-standard', storeKey: 'sh', name: '增值税 13% 标准税率 (VAT standard 13%)', ratePpm: 130_000 },
  {
    key: 'sh-reduced',
    storeKey: 'sh',
    name: '增值税 9% 农产品/粮油/鲜奶 (VAT 9%: produce, grain, oils, milk)',
    ratePpm: 90_000,
  },
  { key: 'sh-catering', storeKey: 'sh', name: '增值税 6% 餐饮服务 (VAT 6%: catering)', ratePpm: 60_000 },
  {
    key: 'sh-exempt',
    storeKey: 'sh',
    name: '免征增值税 蔬菜/鲜蛋 (VAT-exempt: vegetables, eggs)',
    ratePpm: 0,
  },
  { key: 'sf-general', storeKey: 'sf', name: 'SF sales tax 8.625%', ratePpm: 86_250 },
  { key: 'sf-food', storeKey: 'sf', name: 'Food products (exempt) 0%', ratePpm: 0 },
  {
    key: 'sf-prepared',
    storeKey: 'sf',
    name: 'Prepared hot food & café drinks 8.625%',
    ratePpm: 86_250,
  },
] as const satisfies readonly DemoTaxClass[];

type ShTax = Extract<(typeof TAX_CLASSES)[number], { storeKey: 'sh' }>['key'];
type SfTax = Extract<(typeof TAX_CLASSES)[number], { storeKey: 'sf' }>['key'];

const CATEGORIES = [
  { key: 'coffee', name: 'Coffee', nameZh: '咖啡' },
  { key: 'tea', name: 'Tea & Smoothies', nameZh: '茶饮冰沙' },
  { key: 'bakery', name: 'Bakery & Desserts', nameZh: '烘焙甜点' },
  { key: 'deli', name: 'Deli & Hot Food', nameZh: '轻食热食' },
  { key: 'snacks', name: 'Snacks & Candy', nameZh: '零食糖果' },
  { key: 'beverages', name: 'Beverages', nameZh: '饮料' },
  { key: 'dairy', name: 'Dairy & Eggs', nameZh: '乳品蛋类' },
  { key: 'pantry', name: 'Noodles & Pantry', nameZh: '方便速食与粮油调味' },
  { key: 'produce', name: 'Fruit & Vegetables', nameZh: '生鲜果蔬' },
  { key: 'household', name: 'Household', nameZh: '家居日用' },
  { key: 'personal-care', name: 'Personal Care', nameZh: '个人护理' },
  { key: 'stationery', name: 'Stationery', nameZh: '文具' },
] as const satisfies readonly DemoCategory[];

type CategoryKey = (typeof CATEGORIES)[number]['key'];

// ---------------------------------------------------------------------------------------------------------
// Variant rules

/** Country of origin, which decides the barcode format; 'store' = made or weighed in-store. */
type Origin = 'cn' | 'us' | 'jp' | 'kr' | 'th' | 'de' | 'fr' | 'it' | 'store';

interface Size {
  code: string;
  en: string;
  zh: string;
  sh: (base: number) => number;
  sf: (base: number) => number;
  /** multiplier on the family's opening stock */
  stock?: number;
}

const same = (p: number): number => p;
const plus =
  (d: number) =>
  (p: number): number =>
    p + d;
const times =
  (m: number, round: (n: number) => number) =>
  (p: number): number =>
    round(p * m);

const CUP: readonly Size[] = [
  { code: 'M', en: 'Medium', zh: '中杯', sh: same, sf: same },
  { code: 'L', en: 'Large', zh: '大杯', sh: plus(400), sf: plus(60) },
];
const SHOT: readonly Size[] = [
  { code: 'S', en: 'Single', zh: '单份', sh: same, sf: same },
  { code: 'D', en: 'Double', zh: '双份', sh: plus(600), sf: plus(75) },
];
const CHIPS: readonly Size[] = [
  { code: '70G', en: '70 g', zh: '70克', sh: same, sf: same },
  {
    code: '135G',
    en: '135 g Family',
    zh: '135克家庭装',
    sh: times(1.75, r10),
    sf: times(1.8, r9),
    stock: 0.5,
  },
];
const WATER: readonly Size[] = [
  { code: '550ML', en: '550 ml', zh: '550毫升', sh: same, sf: same },
  { code: '1500ML', en: '1.5 L', zh: '1.5升', sh: plus(250), sf: plus(150), stock: 0.5 },
];
const SODA: readonly Size[] = [
  { code: '330ML', en: '330 ml Can', zh: '330毫升罐装', sh: same, sf: same },
  { code: '500ML', en: '500 ml Bottle', zh: '500毫升瓶装', sh: plus(50), sf: plus(50) },
];
const JUICE: readonly Size[] = [
  { code: '300ML', en: '300 ml', zh: '300毫升', sh: same, sf: same },
  { code: '1L', en: '1 L', zh: '1升', sh: times(2.4, r10), sf: times(1.7, r9), stock: 0.4 },
];
const MILK: readonly Size[] = [
  { code: '250ML', en: '250 ml', zh: '250毫升', sh: same, sf: same },
  { code: '950ML', en: '950 ml', zh: '950毫升', sh: times(2.9, r10), sf: times(2.5, r9), stock: 0.5 },
];
const NOODLE: readonly Size[] = [
  { code: 'BAG', en: 'Bag', zh: '袋装', sh: same, sf: same },
  { code: 'CUP', en: 'Cup', zh: '杯装', sh: plus(200), sf: plus(100) },
];
const EGGS: readonly Size[] = [
  { code: '6', en: '6 pack', zh: '6枚装', sh: same, sf: same },
  { code: '12', en: '12 pack', zh: '12枚装', sh: times(1.9, r10), sf: times(1.75, r9), stock: 0.6 },
];
const BATTERY: readonly Size[] = [
  { code: '4PK', en: '4 pack', zh: '4节装', sh: same, sf: same },
  { code: '8PK', en: '8 pack', zh: '8节装', sh: times(1.75, r10), sf: times(1.75, r9), stock: 0.5 },
];

// ---------------------------------------------------------------------------------------------------------
// Catalogue tables

interface ItemOpts {
  origin?: Origin;
  sh?: ShTax;
  sf?: SfTax;
  /** overrides the family's size rule; null = a single variant */
  sizes?: readonly Size[] | null;
}

/** [code, English name, Chinese name, Shanghai price (fen), San Francisco price (cents), options] */
type Item = readonly [code: string, en: string, zh: string, sh: number, sf: number, opts?: ItemOpts];

interface Family {
  cat: CategoryKey;
  /** SKU prefix */
  sku: string;
  origin: Origin;
  sh: ShTax;
  sf: SfTax;
  unit?: 'each' | 'kg';
  /** first PLU of a weighed family */
  pluStart?: number;
  sizes?: readonly Size[];
  /** opening stock range per variant (units, or kg for weighed items) */
  stock: readonly [min: number, max: number];
  items: readonly Item[];
}

type Flavour = readonly [code: string, en: string, zh: string, opts?: ItemOpts];

/** Expands one base item into a product per flavour: "Sour Cream & Onion Potato Chips" / "酸奶洋葱味薯片". */
function flavours(
  code: string,
  en: string,
  zh: string,
  sh: number,
  sf: number,
  list: readonly Flavour[],
): Item[] {
  return list.map(
    ([fc, fen, fzh, opts]) => [`${code}-${fc}`, `${fen} ${en}`, `${fzh}${zh}`, sh, sf, opts] as const,
  );
}

/** Sodas are carbonated, so taxable in California. */
const SODA_OPTS: ItemOpts = { origin: 'us', sf: 'sf-general', sizes: SODA };

const FAMILIES: readonly Family[] = [
  // -- Coffee (made to order: nominal par levels so demo sales never block on stock)
  {
    cat: 'coffee',
    sku: 'CAF',
    origin: 'store',
    sh: 'sh-catering',
    sf: 'sf-prepared',
    sizes: CUP,
    stock: [200, 400],
    items: [
      ['ESP', 'Espresso', '意式浓缩', 2200, 325, { sizes: SHOT }],
      ['AME', 'Americano', '美式咖啡', 2400, 400],
      ['LAT', 'Latte', '拿铁', 2800, 525],
      ['CAP', 'Cappuccino', '卡布奇诺', 2800, 525],
      ['FLW', 'Flat White', '澳白', 3000, 550],
      ['MOC', 'Café Mocha', '摩卡', 3200, 575],
      ['CMA', 'Caramel Macchiato', '焦糖玛奇朵', 3200, 595],
      ['VLA', 'Vanilla Latte', '香草拿铁', 3100, 575],
      ['HZL', 'Hazelnut Latte', '榛果拿铁', 3100, 575],
      ['OAT', 'Oat Milk Latte', '燕麦拿铁', 3200, 595],
      ['CCL', 'Coconut Latte', '生椰拿铁', 3200, 595],
      ['SPL', 'Spanish Latte', '西班牙拿铁', 3200, 595],
      ['OSM', 'Osmanthus Latte', '桂花拿铁', 3200, 595],
      ['BSL', 'Brown Sugar Oat Latte', '黑糖燕麦拿铁', 3300, 625],
      ['OAM', 'Orange Americano', '橙C美式', 2800, 525],
      ['CLB', 'Cold Brew', '冷萃咖啡', 3000, 495],
      ['NCB', 'Nitro Cold Brew', '氮气冷萃', 3400, 575],
      ['HCH', 'Hot Chocolate', '热巧克力', 2600, 450],
      ['CRT', 'Cortado', '可塔朵', 2800, 475, { sizes: null }],
      ['DRT', 'Dirty Latte', '脏脏拿铁', 3000, 550, { sizes: null }],
      ['AFF', 'Affogato', '阿芙佳朵', 3600, 650, { sizes: null }],
      ['POV', 'Pour-Over Coffee', '手冲咖啡', 3800, 600, { sizes: null }],
    ],
  },
  {
    cat: 'coffee',
    sku: 'CAF',
    origin: 'store',
    sh: 'sh-standard',
    sf: 'sf-food',
    stock: [10, 30],
    items: [
      ['BN-HSE', 'House Espresso Blend Coffee Beans 250 g', '意式拼配咖啡豆 250克', 8800, 1600],
      ['BN-YUN', 'Yunnan Baoshan Coffee Beans 250 g', '云南保山咖啡豆 250克', 9800, 1800],
      ['BN-ETH', 'Ethiopia Yirgacheffe Coffee Beans 250 g', '埃塞俄比亚耶加雪菲咖啡豆 250克', 11800, 2100],
      ['BN-COL', 'Colombia Huila Coffee Beans 250 g', '哥伦比亚慧兰咖啡豆 250克', 10800, 1950],
      ['DRP', 'Drip Bag Coffee 10 pack', '挂耳咖啡 10包装', 5900, 1499, { origin: 'cn' }],
      ['INS', 'Instant Coffee Sticks 20 pack', '速溶咖啡条 20条装', 3900, 999, { origin: 'cn' }],
    ],
  },
  {
    cat: 'coffee',
    sku: 'CAF',
    origin: 'store',
    sh: 'sh-standard',
    sf: 'sf-food',
    unit: 'kg',
    pluStart: 30001,
    stock: [2, 8],
    items: [
      ['BLK-HSE', 'House Espresso Blend Beans (Bulk)', '散装意式拼配咖啡豆', 28000, 5200],
      ['BLK-YUN', 'Yunnan Coffee Beans (Bulk)', '散装云南咖啡豆', 32000, 5800],
      ['BLK-DCF', 'Decaf Colombia Coffee Beans (Bulk)', '散装低因哥伦比亚咖啡豆', 36000, 6200],
    ],
  },

  // -- Tea & smoothies
  {
    cat: 'tea',
    sku: 'TEA',
    origin: 'store',
    sh: 'sh-catering',
    sf: 'sf-prepared',
    sizes: CUP,
    stock: [150, 300],
    items: [
      ['MAT', 'Matcha Latte', '抹茶拿铁', 3000, 575],
      ['HOJ', 'Hojicha Latte', '焙茶拿铁', 3000, 575],
      ['CHA', 'Chai Latte', '香料印度奶茶', 2900, 550],
      ['LDF', 'London Fog', '伦敦雾伯爵拿铁', 2900, 550],
      ['OMT', 'Oolong Milk Tea', '乌龙奶茶', 2000, 475],
      ['BSB', 'Brown Sugar Boba Milk Tea', '黑糖珍珠奶茶', 2200, 595],
      ['JGT', 'Jasmine Green Tea', '茉莉绿茶', 1800, 350],
      ['EGT', 'Earl Grey Tea', '伯爵红茶', 1800, 350],
      ['EBT', 'English Breakfast Tea', '英式早餐茶', 1800, 350],
      ['CMT', 'Chamomile Tea', '洋甘菊茶', 1800, 350],
      ['LJT', 'Longjing Green Tea', '西湖龙井', 2600, 450],
      ['PIT', 'White Peach Oolong Iced Tea', '白桃乌龙冰茶', 2200, 450],
      ['LIT', 'Lemon Iced Tea', '柠檬冰茶', 1800, 395],
      ['GJT', 'Grapefruit Jasmine Tea', '西柚茉莉茶', 2400, 495],
      ['PFT', 'Passion Fruit Green Tea', '百香果绿茶', 2200, 475],
      ['LMD', 'Fresh Lemonade', '鲜柠檬水', 1600, 395],
      ['MSM', 'Mango Smoothie', '芒果冰沙', 2800, 650],
      ['SBS', 'Strawberry Banana Smoothie', '草莓香蕉冰沙', 2800, 650],
    ],
  },

  // -- Bakery (baked in-store; bakery goods are food products in CA even when warm)
  {
    cat: 'bakery',
    sku: 'BAK',
    origin: 'store',
    sh: 'sh-catering',
    sf: 'sf-food',
    stock: [12, 40],
    items: [
      ['CRO', 'Butter Croissant', '黄油可颂', 1800, 425],
      ['ACR', 'Almond Croissant', '杏仁可颂', 2400, 525],
      ['PAC', 'Pain au Chocolat', '巧克力可颂', 2200, 475],
      ['KAM', 'Kouign-Amann', '法式焦糖黄油酥', 2200, 550],
      ['CIN', 'Cinnamon Roll', '肉桂卷', 2200, 495],
      ['BMF', 'Blueberry Muffin', '蓝莓玛芬', 1800, 425],
      ['CMF', 'Chocolate Chip Muffin', '巧克力豆玛芬', 1800, 425],
      ['BBR', 'Banana Bread Slice', '香蕉面包片', 1600, 395],
      ['PBG', 'Plain Bagel', '原味贝果', 1200, 295],
      ['SBG', 'Sesame Bagel', '芝麻贝果', 1300, 295],
      ['EBG', 'Everything Bagel', '全料贝果', 1400, 325],
      ['SCN', 'Raisin Scone', '葡萄干司康', 1500, 375],
      ['ETA', 'Portuguese Egg Tart', '葡式蛋挞', 900, 295],
      ['PNB', 'Pineapple Bun', '菠萝包', 800, 275],
      ['PFB', 'Pork Floss Bun', '肉松面包', 1000, 325],
      ['RBB', 'Red Bean Bun', '红豆面包', 800, 275],
      ['CCC', 'Chocolate Chip Cookie', '巧克力曲奇', 1200, 295],
      ['ORC', 'Oatmeal Raisin Cookie', '燕麦葡萄干曲奇', 1200, 295],
      ['BRW', 'Fudge Brownie', '巧克力布朗尼', 1600, 375],
      ['MAD', 'Madeleine', '玛德琳蛋糕', 800, 250],
      ['CNL', 'Canelé', '可露丽', 1500, 375],
      ['NYC', 'New York Cheesecake Slice', '纽约芝士蛋糕', 3200, 650],
      ['BCC', 'Basque Burnt Cheesecake Slice', '巴斯克芝士蛋糕', 3200, 650],
      ['TIR', 'Tiramisu', '提拉米苏', 3400, 695],
      ['MSR', 'Matcha Swiss Roll', '抹茶瑞士卷', 2200, 495],
    ],
  },

  // -- Deli: cold items are exempt food to go in CA, hot ones are taxable
  {
    cat: 'deli',
    sku: 'DEL',
    origin: 'store',
    sh: 'sh-catering',
    sf: 'sf-food',
    stock: [8, 30],
    items: [
      ['HCS', 'Ham & Cheese Sandwich', '火腿芝士三明治', 2800, 895],
      ['TCL', 'Turkey Club Sandwich', '火鸡总汇三明治', 3600, 1195],
      ['TUN', 'Tuna Salad Sandwich', '金枪鱼沙拉三明治', 2800, 925],
      ['EGS', 'Egg Salad Sandwich', '鸡蛋沙拉三明治', 2200, 795],
      ['BLT', 'BLT Sandwich', '培根生菜番茄三明治', 3200, 1050],
      ['CCW', 'Chicken Caesar Wrap', '凯撒鸡肉卷', 3200, 1050],
      ['QSL', 'Quinoa Salad Bowl', '藜麦沙拉碗', 3800, 1195],
      ['CSL', 'Chicken Caesar Salad', '凯撒鸡肉沙拉', 3800, 1250],
      ['GSL', 'Greek Salad', '希腊沙拉', 3400, 1095],
      ['FRC', 'Fresh Fruit Cup', '鲜切水果杯', 1800, 595],
      ['OTM', 'Tuna Mayo Onigiri', '金枪鱼蛋黄酱饭团', 800, 350],
      ['OSA', 'Grilled Salmon Onigiri', '烤三文鱼饭团', 1000, 395],
      ['OVO', 'Overnight Oats', '隔夜燕麦杯', 1800, 650],
      ['YGP', 'Yogurt Granola Parfait', '酸奶谷物杯', 1800, 650],
      ['CPP', 'Caprese Panini', '番茄马苏里拉帕尼尼', 3400, 1150, { sf: 'sf-prepared' }],
      ['GRC', 'Grilled Cheese Sandwich', '烤芝士三明治', 2600, 850, { sf: 'sf-prepared' }],
      ['PCP', 'Chicken Pesto Panini', '青酱鸡肉帕尼尼', 3800, 1250, { sf: 'sf-prepared' }],
      ['BBU', 'Breakfast Burrito', '早餐卷饼', 3200, 995, { sf: 'sf-prepared' }],
      ['TEG', 'Tea Egg', '茶叶蛋', 300, 195, { sf: 'sf-prepared' }],
      ['PBN', 'Steamed Pork Bun', '鲜肉包', 400, 275, { sf: 'sf-prepared' }],
      ['TCR', 'Teriyaki Chicken Rice Bowl', '照烧鸡肉饭', 3200, 1150, { sf: 'sf-prepared' }],
      ['CCR', 'Japanese Curry Chicken Rice', '日式咖喱鸡饭', 3000, 1095, { sf: 'sf-prepared' }],
      ['ODN', 'Oden Skewer', '关东煮串', 400, 250, { sf: 'sf-prepared' }],
    ],
  },

  // -- Snacks & candy (all "food products" in California, candy included)
  {
    cat: 'snacks',
    sku: 'SNK',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-food',
    sizes: CHIPS,
    stock: [24, 72],
    items: flavours('CHP', 'Potato Chips', '薯片', 790, 229, [
      ['ORG', 'Original', '原味'],
      ['SCO', 'Sour Cream & Onion', '酸奶洋葱味'],
      ['BBQ', 'Barbecue', '烧烤味'],
      ['CUC', 'Cucumber', '黄瓜味'],
      ['TOM', 'Tomato', '番茄味'],
      ['HTP', 'Spicy Hot Pot', '麻辣火锅味'],
      ['SWD', 'Seaweed', '海苔味'],
      ['SVN', 'Salt & Vinegar', '盐醋味', { origin: 'us' }],
    ]),
  },
  {
    cat: 'snacks',
    sku: 'SNK',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-food',
    stock: [20, 60],
    items: [
      ...flavours('TRT', 'Tortilla Chips', '玉米片', 1590, 499, [
        ['NCH', 'Nacho Cheese', '浓郁芝士味', { origin: 'us' }],
        ['RCH', 'Cool Ranch', '田园风味', { origin: 'us' }],
        ['LIM', 'Hint of Lime', '青柠味', { origin: 'us' }],
      ]),
      ...flavours('SWC', 'Sandwich Cookies', '夹心饼干', 890, 399, [
        ['CHO', 'Chocolate', '巧克力味'],
        ['STR', 'Strawberry', '草莓味'],
        ['MAT', 'Matcha', '抹茶味'],
        ['PNB', 'Peanut Butter', '花生酱味'],
      ]),
      ...flavours('SOD', 'Soda Crackers', '苏打饼干', 690, 299, [
        ['ORG', 'Original', '原味'],
        ['SCL', 'Scallion', '香葱味'],
        ['SES', 'Black Sesame', '黑芝麻味'],
      ]),
      ...flavours('STK', 'Biscuit Sticks', '饼干棒', 790, 249, [
        ['CHO', 'Chocolate', '巧克力', { origin: 'jp' }],
        ['STR', 'Strawberry', '草莓', { origin: 'jp' }],
        ['MAT', 'Matcha', '抹茶', { origin: 'jp' }],
        ['CNC', 'Cookies & Cream', '曲奇奶油', { origin: 'jp' }],
      ]),
      ...flavours('JRK', 'Beef Jerky', '牛肉干', 3990, 899, [
        ['ORG', 'Original', '原味', { origin: 'us' }],
        ['SPC', 'Hot & Spicy', '香辣', { origin: 'us' }],
        ['TER', 'Teriyaki', '照烧', { origin: 'us' }],
      ]),
      ...flavours('CHB', 'Chocolate Bar', '巧克力', 1590, 399, [
        ['MLK', 'Milk', '牛奶', { origin: 'de' }],
        ['D70', '70% Dark', '70%黑', { origin: 'de' }],
        ['HZM', 'Hazelnut Milk', '榛子牛奶', { origin: 'de' }],
        ['SSC', 'Sea Salt Caramel Dark', '海盐焦糖黑', { origin: 'de' }],
      ]),
      ...flavours('GUM', 'Chewing Gum', '口香糖', 990, 199, [
        ['SPR', 'Spearmint', '留兰香'],
        ['PEP', 'Peppermint', '薄荷'],
        ['WML', 'Watermelon', '西瓜味'],
      ]),
      ...flavours('SEA', 'Roasted Seaweed Snack', '烤海苔', 690, 199, [
        ['ORG', 'Original', '原味', { origin: 'kr' }],
        ['SPC', 'Spicy', '香辣', { origin: 'kr' }],
      ]),
      ...flavours('GRB', 'Granola Bar', '谷物能量棒', 690, 149, [
        ['OHN', 'Oats & Honey', '燕麦蜂蜜', { origin: 'us' }],
        ['PNB', 'Peanut Butter', '花生酱', { origin: 'us' }],
        ['DCH', 'Dark Chocolate', '黑巧克力', { origin: 'us' }],
      ]),
      ...flavours('PRB', 'Protein Bar', '蛋白棒', 1590, 299, [
        ['BRW', 'Chocolate Brownie', '巧克力布朗尼味', { origin: 'us' }],
        ['PNB', 'Peanut Butter', '花生酱味', { origin: 'us' }],
      ]),
      ...flavours('SFS', 'Sunflower Seeds', '瓜子', 890, 299, [
        ['ORG', 'Original', '原味'],
        ['CAR', 'Caramel', '焦糖'],
        ['HCK', 'Hickory Nut', '山核桃味'],
      ]),
      ['MXN', 'Daily Mixed Nuts 7 pack', '每日坚果 7袋装', 3990, 999],
      ['ALM', 'Roasted Almonds', '烤扁桃仁', 2990, 699, { origin: 'us' }],
      ['CSH', 'Salted Cashews', '盐焗腰果', 3290, 799],
      ['PST', 'Roasted Pistachios', '开心果', 3590, 899, { origin: 'us' }],
      ['BRB', 'Fried Broad Beans', '兰花豆', 690, 249],
      ['FSP', 'Fish-Skin Peanuts', '鱼皮花生', 790, 279],
      ['PCB', 'Peanut Caramel Bar', '花生焦糖巧克力棒', 650, 199, { origin: 'us' }],
      ['MNT', 'Peppermint Mints', '薄荷糖', 1290, 299, { origin: 'us' }],
      ['GBR', 'Gummy Bears', '小熊软糖', 990, 299, { origin: 'de' }],
      ['SGW', 'Sour Gummy Worms', '酸味虫虫软糖', 1190, 299, { origin: 'us' }],
      ['MKC', 'Creamy Milk Candy', '奶糖', 1590, 499],
      ['HAW', 'Hawthorn Flakes', '山楂片', 590, 249],
      ['DMG', 'Dried Mango', '芒果干', 1990, 549, { origin: 'th' }],
      ['SPS', 'Spicy Gluten Strips', '辣条', 350, 199],
      ['KNJ', 'Konjac Jelly', '蒟蒻果冻', 1290, 399],
      ['RCC', 'Rice Crackers', '米饼', 990, 349],
      ['SHR', 'Shrimp Chips', '鲜虾片', 890, 299],
      ['PLM', 'Dried Plums', '话梅', 590, 299],
      ['PJK', 'Pork Jerky', '猪肉脯', 2990, 799],
      ['MSH', 'Marshmallows', '棉花糖', 990, 249, { origin: 'us' }],
      ['PRZ', 'Salted Pretzels', '椒盐脆饼', 1590, 399, { origin: 'us' }],
      ['PPC', 'Butter Popcorn', '黄油爆米花', 990, 349, { origin: 'us' }],
    ],
  },
  {
    cat: 'snacks',
    sku: 'SNK',
    origin: 'store',
    sh: 'sh-standard',
    sf: 'sf-food',
    unit: 'kg',
    pluStart: 20001,
    stock: [3, 12],
    items: [
      ['BLK-FHC', 'Fruit Hard Candy (Bulk)', '散装水果硬糖', 4800, 1320],
      ['BLK-GUM', 'Gummy Candy (Bulk)', '散装软糖', 5600, 1539],
      ['BLK-MKC', 'Milk Candy (Bulk)', '散装奶糖', 6800, 1539],
      ['BLK-CAL', 'Chocolate-Coated Almonds (Bulk)', '散装巧克力扁桃仁', 12800, 2419],
      ['BLK-PNT', 'Roasted Peanuts (Bulk)', '散装烤花生', 3200, 879],
      ['BLK-CSH', 'Roasted Cashews (Bulk)', '散装烤腰果', 11800, 2199],
    ],
  },

  // -- Beverages (carbonated drinks are not "food products" in CA)
  {
    cat: 'beverages',
    sku: 'BEV',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-food',
    stock: [24, 96],
    items: [
      ['WTR', 'Natural Spring Water', '天然矿泉水', 200, 179, { sizes: WATER }],
      ...flavours('SPW', 'Sparkling Water', '苏打气泡水', 550, 199, [
        ['ORG', 'Original', '原味', { sf: 'sf-general' }],
        ['LEM', 'Lemon', '柠檬味', { sf: 'sf-general' }],
        ['LIM', 'Lime', '青柠味', { sf: 'sf-general' }],
        ['GRF', 'Grapefruit', '西柚味', { sf: 'sf-general' }],
        ['PCH', 'White Peach', '白桃味', { sf: 'sf-general' }],
      ]),
      ['SDA-COL', 'Cola', '可乐', 350, 199, SODA_OPTS],
      ['SDA-ZER', 'Zero Sugar Cola', '零度可乐', 350, 199, SODA_OPTS],
      ['SDA-LML', 'Lemon-Lime Soda', '柠檬青柠汽水', 350, 199, SODA_OPTS],
      ['SDA-ORN', 'Orange Soda', '橙味汽水', 350, 199, SODA_OPTS],
      ['SDA-GIN', 'Ginger Ale', '姜汁汽水', 350, 199, SODA_OPTS],
      ['SDA-RTB', 'Root Beer', '沙士', 350, 199, SODA_OPTS],
      ...flavours('JUC', 'Juice', '汁', 990, 349, [
        ['ORN', 'Not-From-Concentrate Orange', 'NFC橙', { sizes: JUICE }],
        ['APL', 'Apple', '苹果', { sizes: JUICE }],
        ['MNG', 'Mango', '芒果', { sizes: JUICE }],
        ['GRP', 'Grape', '葡萄', { sizes: JUICE }],
      ]),
      ['CCW', 'Coconut Water', '椰子水', 1290, 399, { origin: 'th', sizes: JUICE }],
      ...flavours('RTT', 'Tea Drink 500 ml', '茶饮料 500毫升', 500, 249, [
        ['GRN', 'Unsweetened Green', '无糖绿'],
        ['OOL', 'Unsweetened Oolong', '无糖乌龙'],
        ['JAS', 'Jasmine', '茉莉花'],
        ['BLK', 'Iced Lemon Black', '冰红'],
        ['BAR', 'Roasted Barley', '大麦'],
        ['CHR', 'Chrysanthemum', '菊花'],
        ['HRB', 'Herbal', '凉'],
      ]),
      ...flavours('ENG', 'Energy Drink 250 ml', '能量饮料 250毫升', 600, 349, [
        ['ORG', 'Original', '原味', { origin: 'th', sf: 'sf-general' }],
        ['SFR', 'Sugar-Free', '无糖', { origin: 'th', sf: 'sf-general' }],
      ]),
      ['RTC-LAT', 'Bottled Latte', '瓶装拿铁咖啡', 600, 399, { origin: 'jp' }],
      ['RTC-BLK', 'Bottled Black Coffee', '瓶装黑咖啡', 600, 399, { origin: 'jp' }],
      ['RTC-CAR', 'Bottled Caramel Latte', '瓶装焦糖拿铁咖啡', 600, 399, { origin: 'jp' }],
      ...flavours('SPT', 'Sports Drink', '运动饮料', 600, 249, [
        ['LML', 'Lemon-Lime', '柠檬青柠味', { origin: 'us' }],
        ['ORN', 'Orange', '橙味', { origin: 'us' }],
        ['FPN', 'Fruit Punch', '混合果味', { origin: 'us' }],
      ]),
    ],
  },

  // -- Dairy & eggs
  {
    cat: 'dairy',
    sku: 'DAI',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-food',
    stock: [12, 48],
    items: [
      ...flavours('MLK', 'Milk', '鲜牛奶', 590, 179, [
        ['WHL', 'Whole', '全脂', { sh: 'sh-reduced', sizes: MILK }],
        ['LOW', 'Low-Fat', '低脂', { sh: 'sh-reduced', sizes: MILK }],
        ['SKM', 'Skim', '脱脂', { sh: 'sh-reduced', sizes: MILK }],
      ]),
      ...flavours('YOG', 'Yogurt', '酸奶', 690, 179, [
        ['PLN', 'Plain', '原味'],
        ['STR', 'Strawberry', '草莓味'],
        ['BLB', 'Blueberry', '蓝莓味'],
        ['PCH', 'Yellow Peach', '黄桃味'],
        ['HNY', 'Honey', '蜂蜜味'],
      ]),
      ...flavours('GRK', 'Greek Yogurt', '希腊酸奶', 1290, 249, [
        ['PLN', 'Plain', '原味', { origin: 'us' }],
        ['VAN', 'Vanilla', '香草味', { origin: 'us' }],
      ]),
      ...flavours('PRO', 'Probiotic Drink 5 pack', '乳酸菌饮品 5瓶装', 1290, 399, [
        ['ORG', 'Original', '原味'],
        ['LSG', 'Low Sugar', '低糖'],
      ]),
      ...flavours('BUT', 'Butter 200 g', '黄油 200克', 3990, 699, [
        ['SLT', 'Salted', '有盐', { origin: 'fr' }],
        ['UNS', 'Unsalted', '无盐', { origin: 'fr' }],
      ]),
      ['CHD', 'Cheddar Cheese Slices', '切达奶酪片', 2990, 499, { origin: 'us' }],
      ['MZS', 'Mozzarella String Cheese', '马苏里拉奶酪棒', 2590, 599, { origin: 'us' }],
      ['CRC', 'Cream Cheese', '奶油奶酪', 2990, 449, { origin: 'us' }],
      ['BRI', 'Brie', '布里奶酪', 5990, 899, { origin: 'fr' }],
      ['EGG', 'Free-Range Eggs', '散养鸡蛋', 1590, 399, { sh: 'sh-exempt', sizes: EGGS }],
      ...flavours('SOY', 'Soy Milk 1 L', '豆奶 1升', 1290, 399, [
        ['ORG', 'Original', '原味'],
        ['UNS', 'Unsweetened', '无糖'],
      ]),
      ['OTB', 'Barista Oat Milk 1 L', '咖啡大师燕麦奶 1升', 1590, 499],
      ['ALB', 'Unsweetened Almond Milk 1 L', '无糖杏仁奶 1升', 1890, 449, { origin: 'us' }],
    ],
  },

  // -- Instant noodles & pantry
  {
    cat: 'pantry',
    sku: 'PAN',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-food',
    stock: [12, 60],
    items: [
      ...flavours('NDL', 'Instant Noodles', '方便面', 350, 149, [
        ['BBF', 'Braised Beef', '红烧牛肉', { sizes: NOODLE }],
        ['PCB', 'Pickled Cabbage Beef', '老坛酸菜牛肉', { sizes: NOODLE }],
        ['SBF', 'Spicy Beef', '香辣牛肉', { sizes: NOODLE }],
        ['TME', 'Tomato & Egg', '番茄鸡蛋', { sizes: NOODLE }],
        ['MCH', 'Mushroom Chicken', '香菇炖鸡', { sizes: NOODLE }],
        ['SEA', 'Seafood', '海鲜', { sizes: NOODLE }],
      ]),
      ['RKM', 'Kimchi Ramen', '韩式泡菜拉面', 890, 299, { origin: 'kr' }],
      ['RSC', 'Hot Chicken Stir-Fried Noodles', '韩式火鸡面', 1290, 349, { origin: 'kr' }],
      ['RTK', 'Tonkotsu Ramen', '日式豚骨拉面', 990, 349, { origin: 'jp' }],
      ['RSY', 'Shoyu Ramen', '日式酱油拉面', 990, 349, { origin: 'jp' }],
      ['UDN', 'Udon Noodle Cup', '乌冬面杯', 990, 349, { origin: 'jp' }],
      ['TYM', 'Tom Yum Shrimp Noodles', '冬阴功虾面', 690, 199, { origin: 'th' }],
      ['HSN', 'Hot & Sour Sweet Potato Noodles', '酸辣粉', 790, 349],
      ['LSF', 'Luosifen River Snail Rice Noodles', '螺蛳粉', 1590, 599],
      ['SHP', 'Spicy Self-Heating Hot Pot', '麻辣自热小火锅', 2990, 899],
      ['SHT', 'Tomato Self-Heating Hot Pot', '番茄自热小火锅', 2990, 899],
      ['SHR', 'Braised Pork Self-Heating Rice', '红烧肉自热米饭', 2490, 799],
      ['CGE', 'Eight-Treasure Congee', '八宝粥', 450, 199],
      ['OTM', 'Instant Oatmeal', '即食燕麦片', 2590, 499, { origin: 'us' }],
      ['LSS', 'Light Soy Sauce 500 ml', '生抽酱油 500毫升', 1290, 399],
      ['DSS', 'Dark Soy Sauce 500 ml', '老抽酱油 500毫升', 1190, 399],
      ['VIN', 'Zhenjiang Black Vinegar', '镇江香醋', 990, 399],
      ['CHC', 'Chili Crisp', '香辣脆油辣椒', 1190, 499],
      ['SMO', 'Toasted Sesame Oil', '小磨芝麻香油', 2290, 599, { sh: 'sh-reduced' }],
      [
        'OLV',
        'Extra Virgin Olive Oil 500 ml',
        '特级初榨橄榄油 500毫升',
        8990,
        1499,
        { origin: 'it', sh: 'sh-reduced' },
      ],
      [
        'JRC',
        'Thai Jasmine Rice 2.5 kg',
        '泰国茉莉香米 2.5千克',
        3990,
        1299,
        { origin: 'th', sh: 'sh-reduced' },
      ],
      ['NRC', 'Northeast Rice 5 kg', '东北大米 5千克', 4990, 1699, { sh: 'sh-reduced' }],
      ['HNY', 'Wildflower Honey', '百花蜂蜜', 3990, 899, { sh: 'sh-reduced' }],
      ['KET', 'Tomato Ketchup', '番茄酱', 1290, 349, { origin: 'us' }],
      ['PNB', 'Creamy Peanut Butter', '顺滑花生酱', 2590, 499, { origin: 'us' }],
      ['JAM', 'Strawberry Jam', '草莓果酱', 2290, 549, { origin: 'fr' }],
      ['TNA', 'Tuna in Water', '水浸金枪鱼罐头', 1590, 249, { origin: 'th' }],
      ['CRN', 'Canned Sweet Corn', '甜玉米粒罐头', 890, 199, { origin: 'us' }],
      ['LMT', 'Luncheon Meat', '午餐肉罐头', 1890, 399],
      ['SPG', 'Spaghetti 500 g', '意大利面 500克', 1590, 299, { origin: 'it' }],
      ['PSC', 'Tomato Basil Pasta Sauce', '番茄罗勒意面酱', 2590, 599, { origin: 'it' }],
      ['SGR', 'White Sugar 500 g', '白砂糖 500克', 890, 349],
      ['SLT', 'Iodised Salt 400 g', '加碘食用盐 400克', 300, 149],
    ],
  },

  // -- Produce sold by weight (fresh fruit 9%; fresh vegetables exempt in distribution)
  {
    cat: 'produce',
    sku: 'PRD',
    origin: 'store',
    sh: 'sh-reduced',
    sf: 'sf-food',
    unit: 'kg',
    pluStart: 10001,
    stock: [8, 40],
    items: [
      ['BAN', 'Bananas', '香蕉', 798, 174],
      ['FUJ', 'Fuji Apples', '富士苹果', 1598, 549],
      ['GAL', 'Gala Apples', '嘎啦苹果', 1398, 439],
      ['PEA', 'Korla Fragrant Pears', '库尔勒香梨', 1798, 659],
      ['NAV', 'Navel Oranges', '赣南脐橙', 1398, 439],
      ['MAN', 'Sugar Mandarins', '砂糖橘', 1598, 659],
      ['GRP', 'Red Globe Grapes', '红提', 2398, 659],
      ['HAM', 'Hami Melon', '哈密瓜', 998, 329],
      ['WML', 'Watermelon', '西瓜', 598, 219],
      ['DRF', 'Red Dragon Fruit', '红心火龙果', 1998, 879],
      ['MNG', 'Tainong Mangoes', '台农芒果', 1998, 549],
      ['KIW', 'Kiwifruit', '猕猴桃', 2398, 659],
      ['LYC', 'Lychees', '荔枝', 3598, 1319],
      ['LON', 'Longans', '龙眼', 2598, 1099],
      ['PCH', 'Honey Peaches', '水蜜桃', 2598, 659],
      ['CHE', 'Cherries', '车厘子', 9998, 1539],
      ['POM', 'Red Pomelo', '红心柚', 898, 439],
      ['LEM', 'Lemons', '黄柠檬', 1598, 549],
    ],
  },
  {
    cat: 'produce',
    sku: 'PRD',
    origin: 'store',
    sh: 'sh-exempt',
    sf: 'sf-food',
    unit: 'kg',
    pluStart: 11001,
    stock: [5, 30],
    items: [
      ['TOM', 'Tomatoes', '番茄', 798, 549],
      ['CUC', 'Cucumbers', '黄瓜', 598, 439],
      ['POT', 'Potatoes', '土豆', 398, 219],
      ['CAR', 'Carrots', '胡萝卜', 398, 329],
      ['ONI', 'Yellow Onions', '洋葱', 398, 329],
      ['BOK', 'Shanghai Bok Choy', '上海青', 598, 549],
      ['NAP', 'Napa Cabbage', '大白菜', 298, 329],
      ['BRO', 'Broccoli', '西兰花', 998, 659],
      ['SWP', 'Sweet Potatoes', '红薯', 598, 439],
      ['GIN', 'Ginger', '生姜', 1598, 879],
      ['GAR', 'Garlic', '大蒜', 1398, 879],
      ['SHI', 'Shiitake Mushrooms', '鲜香菇', 2598, 1759],
    ],
  },
  {
    cat: 'produce',
    sku: 'PRD',
    origin: 'cn',
    sh: 'sh-reduced',
    sf: 'sf-food',
    stock: [10, 30],
    items: [
      ['AVO', 'Hass Avocado', '牛油果', 990, 199, { origin: 'us' }],
      ['STB', 'Strawberries 500 g', '草莓 500克', 3990, 599],
      ['BLB', 'Blueberries 125 g', '蓝莓 125克', 2990, 499],
    ],
  },

  // -- Household
  {
    cat: 'household',
    sku: 'HOU',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-general',
    stock: [6, 30],
    items: [
      ['TIS', 'Facial Tissues 3 pack', '抽纸 3包装', 1590, 599],
      ['PTS', 'Pocket Tissues 10 pack', '手帕纸 10包装', 690, 299],
      ['TPR', 'Toilet Paper 10 rolls', '卷纸 10卷', 2990, 1299],
      ['PTW', 'Paper Towels 2 rolls', '厨房纸巾 2卷', 1290, 599],
      ['WIP', 'Wet Wipes 80 ct', '湿巾 80片', 1290, 499],
      ['DSH', 'Dish Soap', '洗洁精', 990, 399],
      ['LDT', 'Laundry Detergent 2 L', '洗衣液 2升', 3990, 1399],
      ['LPD', 'Laundry Pods 30 ct', '洗衣凝珠 30颗', 4990, 1599],
      ['TRB', 'Trash Bags 30 ct', '垃圾袋 30只', 990, 699],
      ['FOL', 'Aluminum Foil', '铝箔纸', 1590, 549],
      ['WRP', 'Plastic Wrap', '保鲜膜', 1290, 499],
      ['ZIP', 'Zipper Storage Bags', '密封保鲜袋', 1490, 499],
      ['SPG', 'Kitchen Sponges 3 pack', '百洁海绵 3片装', 890, 399],
      ['GLV', 'Rubber Gloves', '橡胶手套', 1290, 499],
      ['BAA', 'AA Alkaline Batteries', '5号碱性电池', 1990, 799, { sizes: BATTERY }],
      ['BAAA', 'AAA Alkaline Batteries', '7号碱性电池', 1990, 799, { sizes: BATTERY }],
      ['LED', 'LED Light Bulb 9 W', 'LED灯泡 9瓦', 1590, 599],
      ['UMB', 'Compact Umbrella', '折叠晴雨伞', 4990, 1499],
      ['USB', 'USB-C Charging Cable 1 m', 'USB-C充电线 1米', 3990, 1299],
      ['CHP', 'Disposable Chopsticks 50 pairs', '一次性筷子 50双', 590, 299],
      ['CUP', 'Paper Cups 50 ct', '一次性纸杯 50只', 990, 399],
      ['MOS', 'Mosquito Repellent Spray', '驱蚊喷雾', 2990, 899],
      ['AIR', 'Air Freshener', '空气清新剂', 1990, 599],
    ],
  },

  // -- Personal care
  {
    cat: 'personal-care',
    sku: 'PER',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-general',
    stock: [6, 24],
    items: [
      ...flavours('TPS', 'Toothpaste', '牙膏', 1590, 449, [
        ['MNT', 'Fresh Mint', '清新薄荷'],
        ['WHT', 'Whitening', '美白'],
        ['SNS', 'Sensitive', '抗敏感'],
      ]),
      ...flavours('TBR', 'Toothbrush', '牙刷', 990, 349, [
        ['SFT', 'Soft', '软毛'],
        ['MED', 'Medium', '中毛'],
      ]),
      ...flavours('SHM', 'Shampoo 400 ml', '洗发水 400毫升', 4990, 899, [
        ['AND', 'Anti-Dandruff', '去屑'],
        ['MOI', 'Moisturizing', '滋润'],
      ]),
      ['CND', 'Conditioner 400 ml', '护发素 400毫升', 4990, 899],
      ['BDW', 'Body Wash', '沐浴露', 3990, 799],
      ['HSP', 'Hand Soap', '洗手液', 1990, 449],
      ['SAN', 'Hand Sanitizer Gel', '免洗洗手凝胶', 1590, 399],
      ['MSK', 'Disposable Face Masks 10 ct', '一次性口罩 10只', 990, 699],
      ['SMK', 'Hydrating Sheet Mask', '补水面膜', 1590, 399, { origin: 'kr' }],
      ['LIP', 'Lip Balm', '润唇膏', 1990, 499],
      ['SUN', 'Sunscreen SPF 50', '防晒霜 SPF50', 7990, 1599, { origin: 'jp' }],
      ['DEO', 'Antiperspirant Deodorant', '止汗露', 2990, 799, { origin: 'us' }],
      ['RAZ', 'Disposable Razors 4 pack', '一次性剃须刀 4支装', 2490, 899],
      ['SHF', 'Shaving Foam', '剃须泡沫', 2990, 699],
      ['MOW', 'Mouthwash', '漱口水', 2990, 699],
      ['FLS', 'Dental Floss', '牙线', 1290, 449],
      ['CTP', 'Cotton Pads', '化妆棉', 990, 399],
      ['CTS', 'Cotton Swabs', '棉签', 590, 349],
      ['BND', 'Adhesive Bandages', '创可贴', 990, 549],
      ['HCR', 'Hand Cream', '护手霜', 2490, 699],
      ['CLN', 'Facial Cleanser', '洗面奶', 4990, 1099],
      ['NCL', 'Nail Clipper', '指甲刀', 1290, 599],
    ],
  },

  // -- Stationery
  {
    cat: 'stationery',
    sku: 'STA',
    origin: 'cn',
    sh: 'sh-standard',
    sf: 'sf-general',
    stock: [10, 50],
    items: [
      ...flavours('GEL', 'Gel Pen 0.5 mm', '中性笔 0.5毫米', 300, 199, [
        ['BLK', 'Black', '黑色'],
        ['BLU', 'Blue', '蓝色'],
        ['RED', 'Red', '红色'],
      ]),
      ...flavours('NTB', 'Notebook', '笔记本', 1290, 599, [
        ['LIN', 'A5 Lined', 'A5横线'],
        ['GRD', 'A5 Grid', 'A5方格'],
        ['DOT', 'A5 Dotted', 'A5点阵'],
      ]),
      ['BPN', 'Ballpoint Pen', '圆珠笔', 200, 149],
      ['PCL', 'HB Pencils 4 pack', 'HB铅笔 4支装', 590, 349],
      ['ERS', 'Eraser', '橡皮擦', 200, 149],
      ['STN', 'Sticky Notes', '便利贴', 590, 349],
      ['HLT', 'Highlighters 5 colors', '荧光笔 5色装', 1590, 699],
      ['CRT', 'Correction Tape', '修正带', 590, 299],
      ['SCI', 'Scissors', '剪刀', 990, 499],
      ['GLU', 'Glue Stick', '固体胶', 350, 249],
      ['TAP', 'Clear Tape', '透明胶带', 300, 249],
      ['STP', 'Mini Stapler', '迷你订书机', 1590, 699],
      ['STA', 'Staples 1000 ct', '订书钉 1000枚', 300, 249],
      ['FLD', 'A4 Clear File Folder', 'A4透明文件袋', 200, 149],
      ['ENV', 'Envelopes 10 pack', '信封 10个装', 590, 349],
      ['CRD', 'Birthday Card', '生日贺卡', 1290, 499],
      ['RUL', '15 cm Ruler', '15厘米直尺', 200, 149],
      ['MRK', 'Permanent Marker', '记号笔', 500, 249],
      ['CAL', 'Pocket Calculator', '计算器', 3990, 1299],
      ['PPR', 'A4 Copy Paper 100 sheets', 'A4复印纸 100张', 990, 599],
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Barcodes

/** GS1 company-prefix digits per origin: fixed lead, then random digits up to 7 (EAN-13) or 6 (UPC-A). */
const ORIGIN_PREFIX: Record<Exclude<Origin, 'store'>, (rnd: () => number) => string> = {
  cn: (rnd) => `69${digits(rnd, 1)}`, // 690–699
  jp: (rnd) => (rnd() < 0.5 ? '45' : '49'),
  kr: () => '880',
  th: () => '885',
  de: (rnd) => `4${Math.floor(rnd() * 4)}`, // 400–439 (GS1 Germany: 400–440)
  fr: (rnd) => `3${Math.floor(rnd() * 8)}`, // 300–379
  it: (rnd) => `8${Math.floor(rnd() * 4)}`, // 800–839
  us: () => '0', // UPC-A number system 0
};

function digits(rnd: () => number, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(Math.floor(rnd() * 10));
  return s;
}

class BarcodeFactory {
  private readonly used = new Set<string>();
  private readonly companies = new Map<string, { prefix: string; next: number }>();
  private storeSeq = 1;

  constructor(private readonly rnd: () => number) {}

  /** A GTIN for a family+origin: one company prefix per family and origin, sequential item references. */
  next(familyIndex: number, origin: Origin): string {
    if (origin === 'store') {
      // UPC-A restricted circulation (number system 4): 4 + 10-digit internal number + check
      return this.claim(() => `4${String(this.storeSeq++).padStart(10, '0')}`);
    }
    const id = `${familyIndex}:${origin}`;
    let company = this.companies.get(id);
    if (!company) {
      const lead = ORIGIN_PREFIX[origin](this.rnd);
      const width = origin === 'us' ? 6 : 7; // company prefix length
      company = {
        prefix: lead + digits(this.rnd, width - lead.length),
        next: 100 + Math.floor(this.rnd() * 800),
      };
      this.companies.set(id, company);
    }
    const c = company;
    const itemDigits = (origin === 'us' ? 11 : 12) - c.prefix.length;
    return this.claim(() => c.prefix + String(c.next++).padStart(itemDigits, '0'));
  }

  /** The in-store number of a weighed item: 4 9 PLU(5) 0000 + check (UPC-A). */
  forPlu(plu: string): string {
    return this.claim(() => `49${plu}0000`);
  }

  private claim(makeBody: () => string): string {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const body = makeBody();
      const code = body + String(gtinCheckDigit(body));
      if (!this.used.has(code)) {
        this.used.add(code);
        return code;
      }
    }
    throw new Error('could not allocate a unique barcode');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Builder

export function buildDemoData(): DemoData {
  const rnd = mulberry32(SEED);
  const barcodes = new BarcodeFactory(rnd);
  const skus = new Set<string>();
  const pluSet = new Set<string>();
  const products: DemoProduct[] = [];

  const stockFor = (family: Family, multiplier: number): number => {
    const [min, max] = family.stock;
    const raw = (min + rnd() * (max - min)) * multiplier;
    return family.unit === 'kg' ? round3(Math.max(0.5, raw)) : Math.max(1, Math.round(raw));
  };

  FAMILIES.forEach((family, familyIndex) => {
    const unit = family.unit ?? 'each';
    let plu = family.pluStart ?? 0;
    for (const [code, en, zh, shBase, sfBase, opts = {}] of family.items) {
      const origin = opts.origin ?? family.origin;
      const sizes = opts.sizes === undefined ? family.sizes : (opts.sizes ?? undefined);
      const taxClassKeys = { sh: opts.sh ?? family.sh, sf: opts.sf ?? family.sf };
      const productSku = `${family.sku}-${code}`;
      const rules: readonly (Size | undefined)[] = sizes ?? [undefined];

      const variants = rules.map((size): DemoVariant => {
        const sku = size ? `${productSku}-${size.code}` : productSku;
        if (skus.has(sku)) throw new Error(`duplicate SKU ${sku}`);
        skus.add(sku);
        let pluCode: string | undefined;
        let barcode: string;
        if (unit === 'kg') {
          pluCode = String(plu++).padStart(5, '0');
          if (pluSet.has(pluCode) || pluCode.length !== 5) throw new Error(`bad PLU ${pluCode}`);
          pluSet.add(pluCode);
          barcode = barcodes.forPlu(pluCode);
        } else {
          barcode = barcodes.next(familyIndex, origin);
        }
        const stockMul = size?.stock ?? 1;
        return {
          key: sku.toLowerCase(),
          sku,
          barcode,
          name: size ? `${en} (${size.en})` : en,
          nameZh: size ? `${zh}（${size.zh}）` : zh,
          unit,
          taxClassKeys: { ...taxClassKeys },
          prices: { sh: size ? size.sh(shBase) : shBase, sf: size ? size.sf(sfBase) : sfBase },
          ...(pluCode === undefined ? {} : { pluCode }),
          openingStock: { sh: stockFor(family, stockMul), sf: stockFor(family, stockMul) },
        };
      });

      products.push({
        key: productSku.toLowerCase(),
        name: en,
        nameZh: zh,
        categoryKey: family.cat,
        variants,
      });
    }
  });

  return {
    stores: STORES.map((s) => ({ ...s, registers: s.registers.map((r) => ({ ...r })) })),
    taxClasses: TAX_CLASSES.map((t) => ({ ...t })),
    categories: CATEGORIES.map((c) => ({ ...c })),
    products,
  };
}
