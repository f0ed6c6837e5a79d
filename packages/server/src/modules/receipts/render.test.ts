import { describe, expect, it } from 'vitest';
import { encodeGbk, gbkAvailable, gbkWidth } from './gbk.js';
import {
  displayWidth,
  exponentOf,
  formatAmount,
  maskPan,
  printerProfiles,
  renderReceiptEscPos,
  renderReceiptHtml,
  renderReceiptText,
  type ReceiptData,
} from './render.js';

const PAN = '4111111111111111';

function cnyReceipt(overrides: Partial<ReceiptData> = {}): ReceiptData {
  return {
    orderId: 'ord_01HX7Q8Z3K4M5N6P7Q8R9S0T1V',
    receiptNumber: 'R-000123',
    createdAt: '2024-05-01T06:03:00Z',
    timeZone: 'Asia/Shanghai',
    locale: 'zh-CN',
    store: {
      name: 'Corner Cafe',
      nameZh: '街角咖啡',
      address: '上海市黄浦区南京东路100号 (Nanjing East Road 100, Huangpu, Shanghai)',
      currency: 'CNY',
      taxMode: 'inclusive',
    },
    registerName: 'Front counter 1',
    cashierName: '王小明',
    lines: [
      {
        name: 'Latte',
        nameZh: '拿铁',
        quantity: 2,
        unit: 'cup',
        unitPrice: 1400,
        total: 2800,
        discount: 200,
      },
      {
        name: 'Blueberry cheesecake with extra whipped cream and a very long name',
        nameZh: '蓝莓芝士蛋糕配额外奶油和一个非常非常长的名字',
        quantity: 0.25,
        unit: 'kg',
        unitPrice: 12000,
        total: 3000,
        discount: 0,
      },
    ],
    subtotal: 5800,
    discountTotal: 200,
    taxTotal: 644,
    total: 5600,
    cashRounding: 0,
    taxes: [{ name: 'VAT', ratePpm: 130000, taxable: 4956, tax: 644 }],
    tenders: [
      { kind: 'card', amount: 2800, tendered: 2800, reference: PAN },
      { kind: 'cash', amount: 2800, tendered: 5000 },
    ],
    change: 2200,
    refunds: [{ id: 'rf_01HX7Q8Z3K4M5N6P7Q8R9S0T1V', createdAt: '2024-05-01T07:00:00Z', total: 1400 }],
    status: 'partially_refunded',
    ...overrides,
  };
}

function jpyReceipt(): ReceiptData {
  return {
    ...cnyReceipt(),
    locale: 'en-US',
    timeZone: 'Asia/Tokyo',
    store: { name: 'Tokyo Ramen', currency: 'JPY', taxMode: 'inclusive' },
    lines: [{ name: 'Ramen', quantity: 1, unit: 'bowl', unitPrice: 1200, total: 1200, discount: 0 }],
    subtotal: 1200,
    discountTotal: 0,
    taxTotal: 109,
    total: 1200,
    taxes: [{ name: 'Consumption tax', ratePpm: 100000, taxable: 1091, tax: 109 }],
    tenders: [{ kind: 'cash', amount: 1200, tendered: 2000 }],
    change: 800,
    refunds: [],
    status: 'completed',
  };
}

function bytesContain(haystack: Uint8Array, needle: number[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Bytes printed per line (a GBK double-byte character is two bytes = two columns), skipping the commands we emit. */
function printedLineWidths(bytes: Uint8Array): number[] {
  const widths: number[] = [];
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      widths.push(n);
      n = 0;
    } else if (b === 0x0d) {
      continue;
    } else if (b === 0x1b) {
      const c = bytes[i + 1];
      i += c === 0x40 || c === 0x32 ? 1 : 2; // ESC @, ESC 2 | ESC E n, ESC M n, ESC a n, ESC t n
    } else if (b === 0x1c) {
      i += 1; // FS &, FS .
    } else if (b === 0x1d) {
      i += 2; // GS V m
    } else {
      n++;
    }
  }
  return widths;
}

describe('money', () => {
  it('uses the currency exponent, not a hard-coded 100', () => {
    expect(exponentOf('CNY')).toBe(2);
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('KWD')).toBe(3);
    expect(formatAmount(2800, 'CNY')).toBe('28.00');
    expect(formatAmount(1200, 'JPY')).toBe('1,200');
    expect(formatAmount(1234, 'KWD')).toBe('1.234');
    expect(formatAmount(-5, 'CNY')).toBe('-0.05');
    expect(formatAmount(123456789, 'USD')).toBe('1,234,567.89');
    expect(() => formatAmount(1.5, 'CNY')).toThrow(RangeError);
  });
});

describe('maskPan', () => {
  it('masks 13–19 digit references to first 6 / last 4', () => {
    expect(maskPan(PAN)).toBe('411111******1111');
    expect(maskPan('4111 1111 1111 1111')).toBe('411111******1111');
    expect(maskPan('card 5500-0000-0000-0004 ok')).toBe('card 550000******0004 ok');
    expect(maskPan('AUTH 123456')).toBe('AUTH 123456');
  });
});

describe('renderReceiptHtml', () => {
  it('escapes markup in product names', () => {
    const r = cnyReceipt();
    r.lines[0] = {
      ...r.lines[0]!,
      name: '<script>alert("x")</script>',
      nameZh: '<img src=x onerror=alert(1)>',
    };
    const html = renderReceiptHtml(r);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('is a complete document with lang, print styles and CNY totals', () => {
    const html = renderReceiptHtml(cnyReceipt({ total: 2800 }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('@media print');
    expect(html).toContain('80mm');
    expect(html).toMatch(/¥28\.00|CNY 28\.00/);
    expect(html).toContain('拿铁');
    expect(html.indexOf('拿铁')).toBeLessThan(html.indexOf('Latte'));
    expect(html).not.toContain('<script');
  });

  it('formats JPY without decimals', () => {
    const html = renderReceiptHtml(jpyReceipt());
    expect(html).toContain('<html lang="en-US">');
    expect(html).toMatch(/¥1,200(?![.\d])/);
    expect(html).not.toContain('1,200.00');
    expect(html).not.toContain('12.00');
  });

  it('never shows a full card number', () => {
    const html = renderReceiptHtml(cnyReceipt());
    expect(html).not.toContain(PAN);
    expect(html).toContain('411111******1111');
  });
});

describe('renderReceiptText', () => {
  for (const columns of [32, 48]) {
    it(`keeps every line within ${columns} columns (CJK counted double)`, () => {
      for (const r of [cnyReceipt(), cnyReceipt({ locale: 'en-US' }), jpyReceipt()]) {
        const lines = renderReceiptText(r, columns);
        expect(lines.length).toBeGreaterThan(10);
        for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
      }
    });
  }

  it('counts CJK characters as two columns', () => {
    expect(displayWidth('拿铁 Latte')).toBe(10);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('prints bilingual names (Chinese first) for zh-CN and English only for en-US', () => {
    const zh = renderReceiptText(cnyReceipt(), 48);
    expect(zh).toContain('拿铁 Latte');
    expect(zh.join('\n')).toContain('合计');
    const en = renderReceiptText(cnyReceipt({ locale: 'en-US' }), 48);
    expect(en).toContain('Latte');
    expect(en.join('\n')).not.toContain('拿铁');
    expect(en.join('\n')).toContain('TOTAL');
  });

  it('masks card numbers and prints totals with the right exponent', () => {
    const text = renderReceiptText(cnyReceipt(), 32).join('\n');
    expect(text).not.toContain(PAN);
    expect(text).toContain('411111******1111');
    expect(text).toContain('CNY 56.00');
    const jpy = renderReceiptText(jpyReceipt(), 32).join('\n');
    expect(jpy).toContain('JPY 1,200');
    expect(jpy).not.toContain('1,200.00');
  });

  it('removes control characters that could inject printer commands', () => {
    const r = cnyReceipt({ locale: 'en-US' });
    r.lines[0] = { ...r.lines[0]!, name: 'Evil\x1b@\x1dV\x00name' };
    for (const line of renderReceiptText(r, 32)) expect(line).not.toMatch(/\p{Cc}/u);
  });
});

describe('renderReceiptEscPos', () => {
  it('starts with ESC @ and contains a cut (GS V)', () => {
    for (const id of ['generic-58', 'generic-80', 'zh-58', 'zh-80']) {
      const bytes = renderReceiptEscPos(cnyReceipt(), printerProfiles[id]!);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect([bytes[0], bytes[1]]).toEqual([0x1b, 0x40]);
      expect(bytesContain(bytes, [0x1d, 0x56])).toBe(true);
    }
  });

  it('encodes Chinese names as GBK for the Chinese profile', () => {
    expect(gbkAvailable()).toBe(true);
    expect([...encodeGbk('拿铁')]).toEqual([0xc4, 0xc3, 0xcc, 0xfa]);
    const bytes = renderReceiptEscPos(cnyReceipt(), printerProfiles['zh-58']!);
    expect(bytesContain(bytes, [0x1c, 0x26])).toBe(true); // FS & — Chinese character mode
    expect(bytesContain(bytes, [0xc4, 0xc3, 0xcc, 0xfa])).toBe(true);
  });

  it('uses English names on single-byte code pages instead of printing ???', () => {
    const bytes = renderReceiptEscPos(cnyReceipt(), printerProfiles['generic-58']!);
    expect(bytesContain(bytes, [...Buffer.from('Latte')])).toBe(true);
    expect(bytesContain(bytes, [0xc4, 0xc3, 0xcc, 0xfa])).toBe(false);
  });

  it('never contains the full PAN', () => {
    for (const id of ['generic-58', 'zh-80']) {
      const bytes = renderReceiptEscPos(cnyReceipt(), printerProfiles[id]!);
      expect(bytesContain(bytes, [...Buffer.from(PAN)])).toBe(false);
      expect(bytesContain(bytes, [...Buffer.from('411111******1111')])).toBe(true);
    }
  });

  it('keeps printed GBK lines within the paper width', () => {
    const bytes = renderReceiptEscPos(cnyReceipt(), printerProfiles['zh-58']!);
    const widths = printedLineWidths(bytes);
    expect(widths.length).toBeGreaterThan(20);
    for (const w of widths) expect(w).toBeLessThanOrEqual(32);
    expect(gbkWidth('拿铁 Latte')).toBe(10);
  });

  it('rejects unknown code pages and models', () => {
    expect(() => renderReceiptEscPos(cnyReceipt(), { widthMm: 58, columns: 32, codepage: 'cp9999' })).toThrow(
      /cp9999/,
    );
    expect(() =>
      renderReceiptEscPos(cnyReceipt(), { widthMm: 80, columns: 48, codepage: 'cp437', model: 'nope' }),
    ).toThrow(/nope/);
  });
});
