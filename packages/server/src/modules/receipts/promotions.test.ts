import { describe, expect, it } from 'vitest';
import { renderReceiptHtml, renderReceiptText, type ReceiptData } from './render.js';

const receipt = (locale: 'zh-CN' | 'en-US'): ReceiptData => ({
  orderId: 'ord_1',
  receiptNumber: 'R-1',
  createdAt: '2026-12-01T06:00:00Z',
  timeZone: 'Asia/Shanghai',
  locale,
  store: { name: 'Corner Cafe', nameZh: '街角咖啡', currency: 'CNY', taxMode: 'inclusive' },
  registerName: 'Front',
  cashierName: 'Wang',
  lines: [
    { name: 'Latte', nameZh: '拿铁', quantity: 2, unit: '', unitPrice: 3200, total: 4650, discount: 1750 },
  ],
  subtotal: 6400,
  discountTotal: 1750,
  taxTotal: 263,
  total: 4650,
  cashRounding: 0,
  taxes: [{ name: 'VAT', ratePpm: 60000, taxable: 4387, tax: 263 }],
  tenders: [{ kind: 'cash', amount: 4650, tendered: 5000 }],
  change: 350,
  status: 'paid',
  // 16.00 from the promotion, 1.50 from a staff discount
  promotions: [{ name: 'Second latte half price', nameZh: '第二杯半价', amount: 1600 }],
});

describe('receipts name each promotion', () => {
  it('prints the promotion by name, in the receipt language, and the rest as a discount', () => {
    const zh = renderReceiptText(receipt('zh-CN'), 42).join('\n');
    expect(zh).toMatch(/第二杯半价\s+-16\.00/);
    expect(zh).toMatch(/折扣\s+-1\.50/);
    const en = renderReceiptText(receipt('en-US'), 42).join('\n');
    expect(en).toMatch(/Second latte half price\s+-16\.00/);
    expect(en).toMatch(/Discount\s+-1\.50/);
    expect(renderReceiptHtml(receipt('en-US'))).toContain('Second latte half price');
  });

  it('prints no extra discount row when promotions are the whole discount', () => {
    const r = { ...receipt('en-US'), discountTotal: 1600 };
    const text = renderReceiptText(r, 42).join('\n');
    expect(text).toMatch(/Second latte half price/);
    expect(text.split('\n').filter((l) => /^Discount\s/.test(l))).toEqual([]);
  });
});
