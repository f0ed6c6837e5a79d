// Real browser: cart hints during a sale, with the network cut. A promotion gives 20% off three of
// an item; with two in the cart the register shows "add 1 × …" with the saving, and the customer
// display (in Chinese) shows the same offer. A tap on the hint adds the item; the promotion then
// applies with exactly the saving shown, and the server, after sync, books the same amount.
import { describe, expect, test } from 'vitest';
import {
  e2eSession,
  firstPage,
  payExactCash,
  pieceTiles,
  registerLogin,
  tile,
  waitSynced,
  watchErrors,
} from './e2e-harness';

const e2e = e2eSession();

describe('promotion hints end to end', () => {
  test(
    'shown on the register and the display offline; the tap gives the saving shown',
    { timeout: 150_000 },
    async () => {
      const errors: string[] = [];
      const page = await firstPage(e2e.browser.context);
      watchErrors(page, errors);
      const T = (id: string) => page.getByTestId(id);
      const { registerId, storeId } = await registerLogin(page, e2e.server.base);
      const [a] = await pieceTiles(page, e2e.api, 1);
      const created = await e2e.api.call<{ id: string }>('POST', '/promotions', {
        name: 'Three for 20% off',
        nameZh: '三件八折',
        conditions: [{ kind: 'items', selector: { variantIds: [a] }, minQuantity: 3 }],
        action: { kind: 'percent_off', percentBp: 2000, target: 'lines', selector: { variantIds: [a] } },
      });
      expect(created.status).toBe(201);
      const promotionId = created.body.id;
      const price = (await e2e.api.get<{ prices: Record<string, number> }>(`/variants/${a}`)).prices[
        storeId
      ]!;
      // 20% of three units, half up: what the engine gives once the third is in the cart
      const expected = Math.round((3 * price) / 5);

      // the register picks up the promotion; then the network goes
      await page.reload();
      await T('product-tile').first().waitFor();
      const display = await e2e.browser.context.newPage();
      watchErrors(display, errors);
      await display.goto(`${e2e.server.base}/display?register=${registerId}&lang=zh-CN`);
      await display.getByTestId('display-idle').waitFor();
      await page.bringToFront();
      await e2e.browser.context.setOffline(true);
      await expect.poll(async () => T('sync-badge').getAttribute('data-online')).toBe('false');

      // one in the cart: two short
      await tile(page, a!).first().click();
      const shown = T('promotion-hint').first();
      await expect.poll(() => shown.getAttribute('data-quantity')).toBe('2');
      // two in the cart: one short
      await tile(page, a!).first().click();
      await expect.poll(() => shown.getAttribute('data-quantity')).toBe('1');
      expect(await T('promotion-hint').count()).toBe(1);
      expect(await shown.getAttribute('data-promotion-id')).toBe(promotionId);
      expect(await shown.getAttribute('data-variant-id')).toBe(a);
      expect(Number(await shown.getAttribute('data-saving'))).toBe(expected);
      expect(await shown.textContent()).toContain('Add 1 ×');
      expect(await shown.textContent()).toContain('Three for 20% off');

      // the customer display, in Chinese
      const offer = display.getByTestId('display-offer');
      await offer.waitFor();
      expect(Number(await offer.getAttribute('data-saving'))).toBe(expected);
      expect(await offer.textContent()).toContain('再加 1 件');
      expect(await offer.textContent()).toContain('三件八折');
      expect(await offer.textContent()).toContain('立省');

      // the register in Chinese too
      await T('lang-switch').click();
      await expect.poll(async () => (await shown.textContent()) ?? '').toContain('再加 1 件');
      await T('lang-switch').click();
      await expect.poll(async () => (await shown.textContent()) ?? '').toContain('Add 1 ×');

      // the tap adds the third unit: the promotion applies with the saving shown, the hint goes
      await shown.click();
      await expect.poll(async () => T('cart-line').first().getAttribute('data-quantity')).toBe('3');
      await T('promotion-name').filter({ hasText: 'Three for 20% off' }).waitFor();
      await expect.poll(() => T('promotion-hint').count()).toBe(0);
      await expect.poll(() => display.getByTestId('display-offer').count()).toBe(0);

      const orderId = await payExactCash(page);
      await e2e.browser.context.setOffline(false);
      await waitSynced(page);
      const order = await e2e.api.get<{
        status: string;
        promotions: { id: string; amount: number }[];
        total: number;
      }>(`/orders/${orderId}`);
      expect(order.status).toBe('paid');
      expect(order.promotions.map((p) => [p.id, p.amount])).toEqual([[promotionId, expected]]);
      expect(order.total).toBe(3 * price - expected);
      expect(errors).toEqual([]);
    },
  );
});
