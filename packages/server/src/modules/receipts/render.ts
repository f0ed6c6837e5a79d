/**
 * Receipt rendering: plain-text layout (shared by ESC/POS), printable HTML, and
 * ESC/POS bytes. Everything here is pure: no DB, no clock, no I/O.
 *
 * Money is always integer minor units; the number of decimals comes from
 * `exponentOf(currency)`.
 */
import { requireCurrency } from '@opentill/core';
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { ReceiptPrinterEncoderOptions } from '@point-of-sale/receipt-printer-encoder';
import { encodeGbk, gbkWidth } from './gbk.js';

export interface ReceiptLine {
  name: string;
  nameZh?: string;
  quantity: number;
  unit: string;
  /** Minor units. */
  unitPrice: number;
  /** Minor units. */
  total: number;
  /** Minor units. */
  discount: number;
}

export interface ReceiptTax {
  name: string;
  /** Parts per million: 130000 = 13 %. */
  ratePpm: number;
  taxable: number;
  tax: number;
}

export interface ReceiptTender {
  kind: string;
  amount: number;
  tendered: number;
  reference?: string;
}

export interface ReceiptRefund {
  id: string;
  createdAt: string;
  total: number;
}

export interface ReceiptData {
  orderId: string;
  receiptNumber: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** IANA time zone used to print local times. */
  timeZone: string;
  locale: 'zh-CN' | 'en-US';
  store: {
    name: string;
    nameZh?: string;
    address?: string;
    /** ISO 4217. */
    currency: string;
    taxMode: 'inclusive' | 'exclusive';
  };
  registerName: string;
  cashierName: string;
  lines: ReceiptLine[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  cashRounding: number;
  taxes: ReceiptTax[];
  tenders: ReceiptTender[];
  change: number;
  refunds?: ReceiptRefund[];
  status: string;
  /** Each promotion applied, by name; their sum is part of `discountTotal`. */
  promotions?: ReceiptPromotion[];
}

export interface ReceiptPromotion {
  name: string;
  nameZh?: string | null;
  /** Minor units. */
  amount: number;
}

/** The promotions as printed, and what remains of the discount total besides them. */
function discountRows(
  r: ReceiptData,
  lang: Lang,
): { promotions: { label: string; amount: number }[]; other: number } {
  const promotions = (r.promotions ?? [])
    .filter((p) => p.amount !== 0)
    .map((p) => ({ label: lang === 'zh' && p.nameZh?.trim() ? p.nameZh : p.name, amount: p.amount }));
  return { promotions, other: r.discountTotal - promotions.reduce((s, p) => s + p.amount, 0) };
}

export interface PrinterProfile {
  widthMm: 58 | 80;
  /** Characters per line in font A. */
  columns: number;
  /** 'cp936' (also 'gbk', 'gb2312', 'gb18030') selects Chinese mode; otherwise a single-byte code page such as 'cp437'. */
  codepage: string;
  /** A printer model id known to @point-of-sale/receipt-printer-encoder, e.g. 'epson-tm-t88vi'. */
  model?: string;
}

export const printerProfiles: Record<string, PrinterProfile> = {
  'generic-58': { widthMm: 58, columns: 32, codepage: 'cp437' },
  'generic-80': { widthMm: 80, columns: 48, codepage: 'cp437' },
  'zh-58': { widthMm: 58, columns: 32, codepage: 'cp936' },
  'zh-80': { widthMm: 80, columns: 48, codepage: 'cp936' },
};

const MIN_COLUMNS = 16;

// ---------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------

/** Number of minor-unit digits of an ISO 4217 currency, from the domain's currency table. */
export function exponentOf(currency: string): number {
  return requireCurrency(currency.toUpperCase()).exponent;
}

/** Formats integer minor units as a plain decimal: 123456 CNY → "1,234.56", 1200 JPY → "1,200". */
export function formatAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`Money amount must be an integer number of minor units, got ${minor}`);
  }
  const exponent = exponentOf(currency);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const intPart = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fracPart = exponent > 0 ? '.' + digits.slice(digits.length - exponent) : '';
  return (minor < 0 ? '-' : '') + intPart + fracPart;
}

const symbolCache = new Map<string, string>();

function currencySymbol(currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let symbol = symbolCache.get(key);
  if (symbol === undefined) {
    try {
      symbol =
        new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
          .formatToParts(0)
          .find((p) => p.type === 'currency')?.value ?? currency;
    } catch {
      symbol = currency;
    }
    symbolCache.set(key, symbol);
  }
  return symbol;
}

/** Formats minor units with the currency symbol: "¥28.00", "-¥2.00", "CHF 5.00". */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const symbol = currencySymbol(currency, locale);
  const amount = formatAmount(Math.abs(minor), currency);
  const sep = /\p{L}$/u.test(symbol) ? ' ' : '';
  return `${minor < 0 ? '-' : ''}${symbol}${sep}${amount}`;
}

// ---------------------------------------------------------------------------
// Small formatters
// ---------------------------------------------------------------------------

/** Masks anything that looks like a card number (13–19 digits, optionally grouped) to first 6 / last 4. */
export function maskPan(reference: string): string {
  return reference.replace(/\d(?:[ -]?\d)*/g, (run) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19) return run;
    return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
  });
}

/** Strips characters that could inject printer commands or spoof text direction. */
function clean(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ').replace(/[\u202a-\u202e\u2066-\u2069]/g, '');
}

function formatQuantity(q: number): string {
  if (!Number.isFinite(q)) return String(q);
  return Number(q.toFixed(3)).toString();
}

function formatRate(ppm: number): string {
  const sign = ppm < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ppm));
  const whole = Math.floor(abs / 10_000);
  const frac = (abs % 10_000).toString().padStart(4, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? '.' + frac : ''}%`;
}

function formatDateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const opts: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  };
  let suffix = '';
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: 'UTC' }).formatToParts(date);
    suffix = ' UTC';
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}${suffix}`;
}

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

type Lang = 'en' | 'zh';

const LABELS = {
  en: {
    receipt: 'Receipt',
    date: 'Date',
    register: 'Register',
    cashier: 'Cashier',
    item: 'Item',
    amount: 'Amount',
    subtotal: 'Subtotal',
    discount: 'Discount',
    tax: 'Tax',
    taxable: 'Taxable',
    rate: 'Rate',
    inclusive: 'incl.',
    rounding: 'Rounding',
    total: 'TOTAL',
    payment: 'Payment',
    tendered: 'Tendered',
    change: 'Change',
    reference: 'Ref',
    refunds: 'Refunds',
    refund: 'Refund',
    order: 'Order',
    thanks: 'Thank you!',
  },
  zh: {
    receipt: '单号',
    date: '日期',
    register: '收银台',
    cashier: '收银员',
    item: '商品',
    amount: '金额',
    subtotal: '小计',
    discount: '折扣',
    tax: '税',
    taxable: '计税金额',
    rate: '税率',
    inclusive: '含税',
    rounding: '抹零',
    total: '合计',
    payment: '支付',
    tendered: '实收',
    change: '找零',
    reference: '参考号',
    refunds: '退款',
    refund: '退款',
    order: '订单',
    thanks: '谢谢惠顾',
  },
} as const satisfies Record<Lang, Record<string, string>>;

type Labels = (typeof LABELS)[Lang];

const TENDER_LABELS: Record<string, { en: string; zh: string }> = {
  cash: { en: 'Cash', zh: '现金' },
  card: { en: 'Card', zh: '银行卡' },
  wechat: { en: 'WeChat Pay', zh: '微信支付' },
  wechat_pay: { en: 'WeChat Pay', zh: '微信支付' },
  alipay: { en: 'Alipay', zh: '支付宝' },
  unionpay: { en: 'UnionPay', zh: '银联' },
  voucher: { en: 'Voucher', zh: '代金券' },
  gift_card: { en: 'Gift card', zh: '礼品卡' },
  store_credit: { en: 'Store credit', zh: '储值' },
};

const STATUS_LABELS: Record<string, { en: string; zh: string }> = {
  void: { en: 'VOID', zh: '已作废' },
  voided: { en: 'VOID', zh: '已作废' },
  refunded: { en: 'REFUNDED', zh: '已退款' },
  partially_refunded: { en: 'PARTIALLY REFUNDED', zh: '部分退款' },
  open: { en: 'NOT PAID', zh: '未结账' },
  pending: { en: 'NOT PAID', zh: '未结账' },
};

/** Statuses that need no banner on the receipt. */
const NORMAL_STATUSES = new Set(['completed', 'complete', 'paid', 'closed']);

function tenderLabel(kind: string, lang: Lang): string {
  const known = TENDER_LABELS[kind.toLowerCase()];
  if (known) return known[lang];
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function statusBanner(status: string, lang: Lang): string | null {
  const key = status.toLowerCase();
  if (NORMAL_STATUSES.has(key)) return null;
  return STATUS_LABELS[key]?.[lang] ?? status.replace(/[_-]+/g, ' ').toUpperCase();
}

function productName(line: { name: string; nameZh?: string }, bilingual: boolean): string {
  const zh = line.nameZh?.trim();
  if (bilingual && zh && zh !== line.name.trim()) return `${zh} ${line.name}`;
  return line.name;
}

// ---------------------------------------------------------------------------
// Text layout
// ---------------------------------------------------------------------------

type Measure = (text: string) => number;

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Monospace display width: East Asian wide/full-width characters count 2, combining marks 0. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ZERO_WIDTH.test(ch)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

/** Single-byte code page: every code point is one byte (unknown ones print as '?'). */
const singleByteWidth: Measure = (text) => {
  let width = 0;
  for (const _ of text) width++;
  return width;
};

/** Greedy word wrap by printed width; CJK characters are break opportunities, overlong words are split. */
function wrap(text: string, width: number, m: Measure): string[] {
  const tokens: string[] = [];
  let word = '';
  for (const ch of text) {
    if (ch === ' ' || m(ch) >= 2) {
      if (word) tokens.push(word);
      word = '';
      tokens.push(ch);
    } else {
      word += ch;
    }
  }
  if (word) tokens.push(word);

  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  const push = () => {
    lines.push(cur.trimEnd());
    cur = '';
    curW = 0;
  };
  for (const tok of tokens) {
    const w = m(tok);
    if (tok === ' ' && curW === 0 && lines.length > 0) continue; // no leading space on continuation lines
    if (curW + w <= width) {
      cur += tok;
      curW += w;
      continue;
    }
    if (tok === ' ') {
      push();
      continue;
    }
    if (curW > 0) push();
    if (w <= width) {
      cur = tok;
      curW = w;
      continue;
    }
    for (const ch of tok) {
      const cw = m(ch);
      if (curW + cw > width && curW > 0) push();
      cur += ch;
      curW += cw;
    }
  }
  if (cur.trimEnd() !== '' || lines.length === 0) push();
  return lines;
}

interface Row {
  text: string;
  bold?: boolean;
}

interface LayoutOptions {
  lang: Lang;
  bilingual: boolean;
  measure: Measure;
}

class TextLayout {
  readonly rows: Row[] = [];
  constructor(
    private readonly width: number,
    private readonly m: Measure,
  ) {}

  blank(): void {
    this.rows.push({ text: '' });
  }

  rule(ch = '-'): void {
    this.rows.push({ text: ch.repeat(this.width) });
  }

  center(text: string, bold = false): void {
    for (const line of wrap(clean(text).trim(), this.width, this.m)) {
      const pad = Math.max(0, Math.floor((this.width - this.m(line)) / 2));
      this.rows.push({ text: ' '.repeat(pad) + line, bold });
    }
  }

  left(text: string, indent = 0): void {
    const prefix = ' '.repeat(indent);
    for (const line of wrap(clean(text), this.width - indent, this.m))
      this.rows.push({ text: prefix + line });
  }

  /** Left text (wrapped) with right-aligned text on its last line, or on a line of its own if it does not fit. */
  pair(left: string, right: string, opts: { indent?: number; bold?: boolean } = {}): void {
    const indent = opts.indent ?? 0;
    const bold = opts.bold ?? false;
    const prefix = ' '.repeat(indent);
    const r = clean(right);
    const rw = this.m(r);
    const lefts = wrap(clean(left), this.width - indent, this.m).map((l) => prefix + l);
    if (rw >= this.width) {
      for (const l of lefts) this.rows.push({ text: l, bold });
      for (const l of wrap(r, this.width, this.m)) this.rows.push({ text: l, bold });
      return;
    }
    const last = lefts.pop() ?? '';
    const lastW = this.m(last);
    for (const l of lefts) this.rows.push({ text: l, bold });
    if (last.trim() === '' || lastW + 1 + rw <= this.width) {
      const base = last.trim() === '' ? '' : last;
      const baseW = last.trim() === '' ? 0 : lastW;
      this.rows.push({ text: base + ' '.repeat(this.width - baseW - rw) + r, bold });
    } else {
      this.rows.push({ text: last, bold });
      this.rows.push({ text: ' '.repeat(this.width - rw) + r, bold });
    }
  }
}

function layoutReceipt(r: ReceiptData, columns: number, opts: LayoutOptions): Row[] {
  if (!Number.isInteger(columns) || columns < MIN_COLUMNS) {
    throw new RangeError(`Receipt needs at least ${MIN_COLUMNS} columns, got ${columns}`);
  }
  const { lang, bilingual, measure: m } = opts;
  const L: Labels = LABELS[lang];
  const cur = r.store.currency;
  const amt = (minor: number) => formatAmount(minor, cur);
  const neg = (minor: number) => amt(-Math.abs(minor));
  const t = new TextLayout(columns, m);

  // Header
  if (bilingual && r.store.nameZh?.trim()) t.center(r.store.nameZh, true);
  t.center(r.store.name, true);
  if (r.store.address) t.center(r.store.address);
  t.rule('=');
  t.pair(L.receipt, r.receiptNumber);
  t.pair(L.date, formatDateTime(r.createdAt, r.timeZone));
  t.pair(L.register, r.registerName);
  t.pair(L.cashier, r.cashierName);
  t.rule();

  // Items
  for (const line of r.lines) {
    t.left(productName(line, bilingual));
    const qty = `${formatQuantity(line.quantity)}${line.unit ? ' ' + line.unit : ''} x ${amt(line.unitPrice)}`;
    t.pair(qty, amt(line.total), { indent: 2 });
    if (line.discount !== 0) t.pair(L.discount, neg(line.discount), { indent: 2 });
  }
  t.rule();

  // Totals
  t.pair(L.subtotal, amt(r.subtotal));
  const discounts = discountRows(r, lang);
  for (const p of discounts.promotions) t.pair(p.label, neg(p.amount));
  if (discounts.other !== 0) t.pair(L.discount, neg(discounts.other));
  const incl = r.store.taxMode === 'inclusive' ? ` (${L.inclusive})` : '';
  if (r.taxes.length > 0) {
    for (const tax of r.taxes) t.pair(`${tax.name} ${formatRate(tax.ratePpm)}${incl}`, amt(tax.tax));
  } else if (r.taxTotal !== 0) {
    t.pair(`${L.tax}${incl}`, amt(r.taxTotal));
  }
  if (r.cashRounding !== 0) t.pair(L.rounding, amt(r.cashRounding));
  t.pair(L.total, `${cur} ${amt(r.total)}`, { bold: true });

  // Payments
  if (r.tenders.length > 0) {
    t.rule();
    for (const tender of r.tenders) {
      t.pair(tenderLabel(tender.kind, lang), amt(tender.amount));
      if (tender.tendered !== tender.amount) t.pair(L.tendered, amt(tender.tendered), { indent: 2 });
      if (tender.reference) t.left(`${L.reference}: ${maskPan(tender.reference)}`, 2);
    }
    if (r.change !== 0) t.pair(L.change, amt(r.change));
  }

  // Refunds
  if (r.refunds && r.refunds.length > 0) {
    t.rule();
    t.left(L.refunds);
    for (const refund of r.refunds) {
      t.pair(formatDateTime(refund.createdAt, r.timeZone), neg(refund.total), { indent: 2 });
      t.left(refund.id, 2);
    }
  }

  // Status + footer
  const banner = statusBanner(r.status, lang);
  t.rule();
  if (banner) t.center(`*** ${banner} ***`, true);
  t.left(`${L.order}: ${r.orderId}`);
  t.blank();
  t.center(L.thanks);

  // Defensive: never emit a line wider than the paper.
  return t.rows.flatMap((row) =>
    m(row.text) <= columns ? [row] : wrap(row.text, columns, m).map((text) => ({ text, bold: row.bold })),
  );
}

/**
 * Shared text layout, one string per printed line, none wider than `columns`
 * (CJK characters count as two columns). With locale zh-CN, labels are Chinese
 * and product/store names are bilingual, Chinese first.
 */
export function renderReceiptText(r: ReceiptData, columns: number): string[] {
  const zh = r.locale === 'zh-CN';
  return layoutReceipt(r, columns, { lang: zh ? 'zh' : 'en', bilingual: zh, measure: displayWidth }).map(
    (row) => row.text,
  );
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return clean(text).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const STYLE = `
@page { size: 80mm auto; margin: 0; }
* { box-sizing: border-box; }
html { background: #fff; color: #000; }
body { margin: 0 auto; padding: 4mm; width: 80mm; font: 12px/1.35 system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 15px; margin: 0; text-align: center; }
h1 span { display: block; }
.address, .thanks, .status { text-align: center; margin: 2px 0; }
.status { font-weight: 700; border: 2px solid #000; padding: 2px; margin: 6px 0; }
hr { border: 0; border-top: 1px dashed #000; margin: 6px 0; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1px 0; vertical-align: top; text-align: left; font-weight: normal; }
.money, .num { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; padding-left: 6px; }
.detail, .ref { color: #333; font-size: 11px; padding-left: 8px; }
.ref { word-break: break-all; }
.grand th, .grand td { font-weight: 700; font-size: 14px; border-top: 1px solid #000; padding-top: 3px; }
.order { font-size: 10px; word-break: break-all; text-align: center; }
@media screen { body { margin: 16px auto; box-shadow: 0 0 0 1px #ddd, 0 4px 12px rgba(0,0,0,.12); } }
@media print {
  html, body { width: 80mm; }
  body { margin: 0; padding: 2mm 4mm; box-shadow: none; }
  tr, .status { break-inside: avoid; page-break-inside: avoid; }
}
`;

/** A complete, self-contained HTML document (no scripts, CSP locked down) for browser printing. */
export function renderReceiptHtml(r: ReceiptData): string {
  const lang: Lang = r.locale === 'zh-CN' ? 'zh' : 'en';
  const bilingual = lang === 'zh';
  const L: Labels = LABELS[lang];
  const e = escapeHtml;
  const cur = r.store.currency;
  const money = (minor: number) => e(formatMoney(minor, cur, r.locale));
  const neg = (minor: number) => money(-Math.abs(minor));
  const row = (label: string, value: string, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${label}</th><td class="money">${value}</td></tr>`;

  const storeNames: string[] = [];
  if (bilingual && r.store.nameZh?.trim()) storeNames.push(`<span lang="zh-CN">${e(r.store.nameZh)}</span>`);
  storeNames.push(`<span>${e(r.store.name)}</span>`);

  const items = r.lines
    .map((line) => {
      const zh = line.nameZh?.trim();
      const name =
        bilingual && zh && zh !== line.name.trim()
          ? `<span lang="zh-CN">${e(zh)}</span> <span lang="en">${e(line.name)}</span>`
          : e(line.name);
      const detail = `${e(formatQuantity(line.quantity))}${line.unit ? ' ' + e(line.unit) : ''} × ${money(line.unitPrice)}`;
      let html = `<tr><td>${name}<div class="detail">${detail}</div></td><td class="money">${money(line.total)}</td></tr>`;
      if (line.discount !== 0) {
        html += `<tr><td class="detail">${e(L.discount)}</td><td class="money">${neg(line.discount)}</td></tr>`;
      }
      return html;
    })
    .join('\n');

  const incl = r.store.taxMode === 'inclusive' ? ` (${L.inclusive})` : '';
  const totals: string[] = [row(e(L.subtotal), money(r.subtotal))];
  const discounts = discountRows(r, lang);
  for (const p of discounts.promotions) totals.push(row(e(p.label), neg(p.amount), 'promotion'));
  if (discounts.other !== 0) totals.push(row(e(L.discount), neg(discounts.other)));
  if (r.taxes.length > 0) {
    for (const tax of r.taxes) {
      totals.push(
        row(
          `${e(tax.name)} ${e(formatRate(tax.ratePpm))}${e(incl)} <span class="detail">${e(L.taxable)} ${money(tax.taxable)}</span>`,
          money(tax.tax),
        ),
      );
    }
  } else if (r.taxTotal !== 0) {
    totals.push(row(`${e(L.tax)}${e(incl)}`, money(r.taxTotal)));
  }
  if (r.cashRounding !== 0) totals.push(row(e(L.rounding), money(r.cashRounding)));
  totals.push(row(e(L.total), money(r.total), 'grand'));

  const tenders: string[] = [];
  for (const tender of r.tenders) {
    tenders.push(row(e(tenderLabel(tender.kind, lang)), money(tender.amount)));
    if (tender.tendered !== tender.amount) {
      tenders.push(row(`<span class="detail">${e(L.tendered)}</span>`, money(tender.tendered)));
    }
    if (tender.reference) {
      tenders.push(
        `<tr><td colspan="2" class="ref">${e(L.reference)}: ${e(maskPan(tender.reference))}</td></tr>`,
      );
    }
  }
  if (r.change !== 0) tenders.push(row(e(L.change), money(r.change)));

  const refunds = (r.refunds ?? []).map((refund) =>
    row(
      `${e(formatDateTime(refund.createdAt, r.timeZone))} <span class="detail">${e(refund.id)}</span>`,
      neg(refund.total),
    ),
  );

  const banner = statusBanner(r.status, lang);

  return `<!doctype html>
<html lang="${e(r.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(L.receipt)} ${e(r.receiptNumber)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="receipt">
<header>
<h1>${storeNames.join('')}</h1>
${r.store.address ? `<p class="address">${e(r.store.address)}</p>` : ''}
</header>
<hr>
<table class="meta">
<tr><th scope="row">${e(L.receipt)}</th><td class="num">${e(r.receiptNumber)}</td></tr>
<tr><th scope="row">${e(L.date)}</th><td class="num"><time datetime="${e(r.createdAt)}">${e(formatDateTime(r.createdAt, r.timeZone))}</time></td></tr>
<tr><th scope="row">${e(L.register)}</th><td class="num">${e(r.registerName)}</td></tr>
<tr><th scope="row">${e(L.cashier)}</th><td class="num">${e(r.cashierName)}</td></tr>
</table>
<hr>
<table class="items">
<thead><tr><th scope="col">${e(L.item)}</th><th scope="col" class="num">${e(L.amount)}</th></tr></thead>
<tbody>
${items}
</tbody>
</table>
<hr>
<table class="totals">
${totals.join('\n')}
</table>
${tenders.length > 0 ? `<hr>\n<table class="tenders" aria-label="${e(L.payment)}">\n${tenders.join('\n')}\n</table>` : ''}
${refunds.length > 0 ? `<hr>\n<table class="refunds" aria-label="${e(L.refunds)}">\n<caption>${e(L.refunds)}</caption>\n${refunds.join('\n')}\n</table>` : ''}
${banner ? `<p class="status">${e(banner)}</p>` : ''}
<hr>
<p class="order">${e(L.order)}: ${e(r.orderId)}</p>
<p class="thanks">${e(L.thanks)}</p>
</main>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------
// ESC/POS
// ---------------------------------------------------------------------------

type EncoderCodepage = Parameters<ReceiptPrinterEncoder['codepage']>[0];
type EncoderPrinterModel = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

const GBK_CODEPAGES = new Set(['cp936', 'gbk', 'gb2312', 'gb18030', 'cp54936']);

/** FS & — select Chinese (Kanji) character mode. The library's initialize() sends FS . to cancel it. */
const FS_SELECT_CHINESE_MODE = [0x1c, 0x26];

const FEED_BEFORE_CUT = 4;

/**
 * ESC/POS bytes: ESC @, code page (or Chinese mode for cp936), the shared text
 * layout, feed and cut. Chinese profiles print GBK bytes in FS & mode, because
 * the encoder library only supports single-byte code pages.
 */
export function renderReceiptEscPos(r: ReceiptData, profile: PrinterProfile): Uint8Array {
  const chinese = GBK_CODEPAGES.has(profile.codepage.toLowerCase());
  const zh = chinese && r.locale === 'zh-CN';
  // Single-byte code pages cannot print Chinese: fall back to English labels and names.
  const rows = layoutReceipt(r, profile.columns, {
    lang: zh ? 'zh' : 'en',
    bilingual: zh,
    measure: chinese ? gbkWidth : singleByteWidth,
  });

  const options: ReceiptPrinterEncoderOptions = { columns: profile.columns };
  if (profile.model) {
    if (!ReceiptPrinterEncoder.printerModels.some((p) => p.id === profile.model)) {
      throw new Error(`Unknown printer model: ${profile.model}`);
    }
    options.printerModel = profile.model as EncoderPrinterModel;
  } else {
    options.language = 'esc-pos';
    options.feedBeforeCut = FEED_BEFORE_CUT;
  }
  const encoder = new ReceiptPrinterEncoder(options);
  if (encoder.language !== 'esc-pos') {
    throw new Error(`Printer model ${profile.model ?? ''} does not use ESC/POS`);
  }

  encoder.initialize();
  if (chinese) {
    encoder.raw(FS_SELECT_CHINESE_MODE);
  } else {
    try {
      encoder.codepage(profile.codepage as EncoderCodepage);
    } catch (err) {
      throw new Error(`Code page ${profile.codepage} is not supported by this printer`, { cause: err });
    }
  }

  for (const row of rows) {
    if (row.bold) encoder.bold(true);
    if (row.text !== '') {
      if (chinese) encoder.raw(encodeGbk(row.text));
      else encoder.text(row.text);
    }
    encoder.newline();
    if (row.bold) encoder.bold(false);
  }

  encoder.cut();
  return encoder.encode();
}
