// Real browser: sell with cash and change, the receipt and its print stylesheet, refund one line.
import { formatMoney } from '@opentill/core';
import { describe, expect, test } from 'vitest';
import { e2eSession, pieceTiles, registerLogin, tile, waitSynced } from './e2e-harness';

const e2e = e2eSession();

describe('register: sell, print, refund', () => {
  test('cash with change, receipt print preview, refund one line', { timeout: 90_000 }, async () => {
    const T = (id: string) => e2e.page.getByTestId(id);
    const { registerId } = await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' });
    const [a, b] = await pieceTiles(e2e.page, e2e.api, 2);

    // two of A, one of B
    await tile(e2e.page, a!).click();
    await tile(e2e.page, a!).click();
    await tile(e2e.page, b!).click();
    await expect.poll(() => T('cart-line').count()).toBe(2);
    expect(
      await e2e.page.locator(`[data-testid=cart-line][data-variant-id="${a}"]`).getAttribute('data-quantity'),
    ).toBe('2');

    // cash: ¥1,000 tendered for a few coffees leaves change
    await T('pay-button').click();
    await T('pay-screen').waitFor();
    await T('tender-cash').click();
    await T('tender-amount').fill('1000');
    await T('tender-add').click();
    const changeOnPayScreen = (await T('change-due').textContent())?.trim();
    await T('complete-sale').click();
    await T('receipt').waitFor();
    const orderId = await T('receipt').getAttribute('data-order-id');
    expect(orderId).toMatch(/^ord_/);
    expect(await T('receipt-line').count()).toBe(2);
    const changeOnReceipt = (await T('receipt-change').textContent())?.trim();

    // the order on the server, with the same change
    await waitSynced(e2e.page, 20_000);
    const order = await e2e.api.order(orderId!);
    const payments = order.payments as { kind: string; tendered: number; amount: number }[];
    expect(order.status).toBe('paid');
    expect(order.registerId).toBe(registerId);
    expect(order.lines).toHaveLength(2);
    expect(payments).toHaveLength(1);
    expect(payments[0]!.kind).toBe('cash');
    const change = order.change as number;
    expect(change).toBeGreaterThan(0);
    expect(change).toBe(payments[0]!.tendered - (order.amountDue as number));
    const shown = formatMoney(change, 'CNY', 'zh-CN');
    expect(changeOnPayScreen).toContain(shown);
    expect(changeOnReceipt).toContain(shown);

    // print preview: window.print() is called, and the print stylesheet shows only the receipt
    await e2e.page.evaluate(() => {
      const w = window as unknown as { __printed: number };
      w.__printed = 0;
      window.print = () => {
        w.__printed += 1;
      };
    });
    await T('print-receipt').click();
    expect(await e2e.page.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
    const hasPrintRules = await e2e.page.evaluate(() =>
      [...document.styleSheets].some((sheet) =>
        [...sheet.cssRules].some((r) => r instanceof CSSMediaRule && r.media.mediaText.includes('print')),
      ),
    );
    expect(hasPrintRules).toBe(true);
    await e2e.page.emulateMedia({ media: 'print' });
    try {
      await expect.poll(() => T('receipt').isVisible()).toBe(true);
      expect(await T('receipt-total').isVisible()).toBe(true);
      expect(await T('print-receipt').isVisible()).toBe(false);
      expect(await T('new-sale').isVisible()).toBe(false);
      expect(await T('sync-badge').isVisible()).toBe(false);
      expect(await T('logout').isVisible()).toBe(false);
    } finally {
      await e2e.page.emulateMedia({ media: 'screen' });
    }
    expect(await T('new-sale').isVisible()).toBe(true);

    // refund one unit of line A, from the register's refund screen
    await T('new-sale').click();
    await T('refund-open').click();
    await T('refund-screen').waitFor();
    await T('refund-order-input').fill(orderId!);
    await T('refund-find').click();
    await T('refund-line').first().waitFor();
    const lineA = order.lines!.find((l) => l.variantId === a)!;
    const row = e2e.page.locator(
      `[data-testid=refund-line][data-line-id="${(lineA as { lineId?: string }).lineId}"]`,
    );
    await row.getByTestId('refund-qty-plus').click();
    await expect.poll(() => row.getByTestId('refund-qty').textContent()).toContain('1');
    await T('refund-reason').fill('customer changed mind');
    await T('refund-submit').click();
    await T('refund-result').waitFor();

    const after = await e2e.api.order(orderId!);
    expect(after.status).toBe('partially_refunded');
    const refunded = after.lines!.map((l) => [
      l.variantId,
      (l as { refundedQuantity?: number }).refundedQuantity,
    ]);
    expect(refunded).toEqual(
      expect.arrayContaining([
        [a, 1],
        [b, 0],
      ]),
    );
    expect(e2e.errors).toEqual([]);
  });
});
