// Real browser: a manager creates a promotion on the back office page (both languages, no missing
// translation key), the register picks it up, shows it by name in the cart, sells with the
// network cut, and after sync the server's order carries the same promotion and total
// (the server recomputes it; a disagreement would have rejected the sale as price_mismatch).
import { describe, expect, test } from 'vitest';
import {
  DEMO_PASSWORD,
  e2eSession,
  firstPage,
  recoveryCode,
  payExactCash,
  pieceTiles,
  registerLogin,
  tile,
  waitSynced,
  watchErrors,
  type TillWindow,
} from './e2e-harness';

const e2e = e2eSession();

interface ServerOrder {
  total: number;
  promotions: { name: string; amount: number }[];
  lines: { promotionDiscount: number }[];
}

describe('promotions end to end', () => {
  test(
    'created in the back office, applied by the offline register, confirmed by the server',
    { timeout: 180_000 },
    async () => {
      const errors: string[] = [];
      const adm = await firstPage(e2e.browser.context);
      watchErrors(adm, errors);
      const A = (id: string) => adm.getByTestId(id);
      await adm.goto(`${e2e.server.base}/admin`);
      await A('admin-signin-username').fill('manager');
      await A('admin-signin-password').fill(DEMO_PASSWORD);
      await A('admin-signin-submit').click();
      // Api.login enrolled the manager's authenticator app: answer the second step with a recovery code
      await A('admin-mfa').waitFor();
      await A('admin-mfa-recovery').click();
      await A('admin-mfa-code').fill(recoveryCode(e2e.server.base, 'manager'));
      await A('admin-mfa-submit').click();
      await A('admin-shell').waitFor();
      await A('admin-nav-promotions').click();
      await A('admin-promotions').waitFor();
      await adm.getByRole('button', { name: 'New promotion' }).click();
      await A('admin-promotion-form').waitFor();
      await A('admin-promotion-name').fill('Ten percent off everything');
      await adm.getByLabel('Name (Chinese)').fill('全场九折');
      await A('admin-promotion-kind').selectOption('percent_off');
      await A('admin-promotion-value').fill('10');
      await A('admin-promotion-save').click();
      await A('admin-promotion-row').filter({ hasText: 'Ten percent off everything' }).waitFor();
      // the same page in Chinese, form open: every label translated
      await A('admin-lang').click();
      await A('admin-promotion-row').filter({ hasText: '全场九折' }).waitFor();
      await adm.getByRole('button', { name: '新建促销' }).click();
      await A('admin-promotion-form').waitFor();
      for (const kind of [
        'percent_off',
        'amount_off',
        'bundle_price',
        'buy_x_get_y',
        'nth_item',
        'free_item',
        'bonus_points',
      ]) {
        await A('admin-promotion-kind').selectOption(kind);
      }
      const missing = await adm.evaluate(() => (window as TillWindow).__opentillMissingKeys ?? []);
      expect(missing).toEqual([]);
      await A('admin-lang').click();

      const created = await e2e.api.get<{
        items: { id: string; name: string; action: { percentBp: number } }[];
      }>('/promotions');
      expect(created.items.map((p) => [p.name, p.action.percentBp])).toEqual([
        ['Ten percent off everything', 1000],
      ]);

      // the register: cached promotions price the cart, and again with the network cut
      const reg = await e2e.browser.context.newPage();
      watchErrors(reg, errors);
      const { storeId } = await registerLogin(reg, e2e.server.base);
      const [variantId] = await pieceTiles(reg, e2e.api, 1);
      await e2e.browser.context.setOffline(true);
      await tile(reg, variantId!).first().click();
      await reg.getByTestId('promotion-name').filter({ hasText: 'Ten percent off everything' }).waitFor();
      const orderId = await payExactCash(reg);
      await e2e.browser.context.setOffline(false);
      await waitSynced(reg);

      const order = await e2e.api.get<ServerOrder & { status: string }>(`/orders/${orderId}`);
      expect(order.status).toBe('paid');
      expect(order.promotions.map((p) => p.name)).toEqual(['Ten percent off everything']);
      const price = (await e2e.api.get<{ prices: Record<string, number> }>(`/variants/${variantId}`)).prices[
        storeId
      ]!;
      // one unit, tax included: 10 % off, rounded half up, is the whole difference
      expect(order.promotions[0]!.amount).toBe(Math.round(price / 10));
      expect(order.total).toBe(price - Math.round(price / 10));
      expect(order.lines[0]!.promotionDiscount).toBe(order.promotions[0]!.amount);
      const receipt = await e2e.api.get<{ promotions: { name: string }[] }>(
        `/orders/${orderId}/receipt?format=json`,
      );
      expect(receipt.promotions.map((p) => p.name)).toEqual(['Ten percent off everything']);
      expect(errors).toEqual([]);
    },
  );
});
