// Real browser: the back office's customer, coupon and campaign forms, and a campaign's effect as
// the back office reports it. Sales of the promoted item are made before the campaign (the
// baseline window: one unit) and during it (three units) through the API; the uplift panel shows
// the server's figures per day and the change (+200%). The measurement itself over generated
// history is tested on both engines in packages/server/src/modules/marketing/marketing.test.ts.
import { describe, expect, test } from 'vitest';
import {
  Api,
  DEMO_PASSWORD,
  e2eSession,
  firstPage,
  recoveryCode,
  watchErrors,
  type TillWindow,
} from './e2e-harness';

const e2e = e2eSession();

const sleepUntil = async (at: number) => {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

describe('back office: members, coupons, campaigns', () => {
  test('the forms create what they say; a campaign reports its effect', { timeout: 150_000 }, async () => {
    const errors: string[] = [];
    const cashier = await Api.login(e2e.server.base, 'cashier');
    const sh = (await cashier.stores()).find((s) => s.currency === 'CNY')!;
    const [register] = await cashier.registers(sh.id);
    const products = await cashier.get<{
      items: { variants: { id: string; unit: string; prices: Record<string, number> }[] }[];
    }>(`/products?storeId=${sh.id}&limit=20`);
    const sellable = products.items
      .flatMap((p) => p.variants)
      .filter((v) => v.unit === 'each' && v.prices[sh.id]);
    const promoted = sellable[0]!;
    const other = sellable[1]!;
    let n = 0;
    const sell = async (lines: { variantId: string; quantity: number }[]) => {
      n += 1;
      const id = `ord_${Date.now().toString(16)}-e2e-uplift-${n}`;
      const amount = lines.reduce(
        (s, l) => s + sellable.find((v) => v.id === l.variantId)!.prices[sh.id]! * l.quantity,
        0,
      );
      const res = await fetch(`${e2e.server.base}/api/v1/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${cashier.token}`,
          'content-type': 'application/json',
          'idempotency-key': `sale-${id}`,
        },
        body: JSON.stringify({
          id,
          storeId: sh.id,
          registerId: register!.id,
          lines,
          tenders: [{ kind: 'cash', amount }],
        }),
      });
      expect(res.status).toBe(201);
    };

    // a campaign 6 s long starting 6 s from now: the 6 s before it are its baseline
    const t0 = Date.now();
    const startsAt = t0 + 6000;
    const endsAt = startsAt + 6000;
    const measured = await e2e.api.call<{ id: string }>('POST', '/campaigns', {
      name: 'Flash sale',
      storeId: sh.id,
      mediaKind: 'text',
      text: 'Flash sale',
      variantIds: [promoted.id],
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
    });
    expect(measured.status).toBe(201);
    await sell([
      { variantId: promoted.id, quantity: 1 },
      { variantId: other.id, quantity: 2 },
    ]);
    await sleepUntil(startsAt + 300);
    await sell([{ variantId: promoted.id, quantity: 2 }]);
    await sell([
      { variantId: promoted.id, quantity: 1 },
      { variantId: other.id, quantity: 1 },
    ]);
    expect(Date.now()).toBeLessThan(endsAt);

    const adm = await firstPage(e2e.browser.context);
    watchErrors(adm, errors);
    const A = (id: string) => adm.getByTestId(id);
    await adm.goto(`${e2e.server.base}/admin`);
    await A('admin-signin-username').fill('manager');
    await A('admin-signin-password').fill(DEMO_PASSWORD);
    await A('admin-signin-submit').click();
    await A('admin-mfa').waitFor();
    await A('admin-mfa-recovery').click();
    await A('admin-mfa-code').fill(recoveryCode(e2e.server.base, 'manager'));
    await A('admin-mfa-submit').click();
    await A('admin-shell').waitFor();

    // a customer through the form
    await A('admin-nav-customers').click();
    await A('admin-customers').waitFor();
    await A('admin-customer-new').click();
    await A('admin-customer-name').fill('赵敏');
    await A('admin-customer-phone').fill('137 0000 2222');
    await A('admin-customer-marketing').check();
    await A('admin-customer-save').click();
    await A('admin-customer-row').filter({ hasText: '赵敏' }).waitFor();
    const customers = await e2e.api.get<{
      items: { name: string; consents: { marketing: { granted: boolean } } }[];
    }>('/customers?q=13700002222');
    expect(customers.items.map((c) => [c.name, c.consents.marketing.granted])).toEqual([['赵敏', true]]);

    // a percent coupon through the form
    await A('admin-nav-coupons').click();
    await A('admin-coupons').waitFor();
    await adm.getByRole('button', { name: 'New coupons' }).click();
    await A('admin-coupon-name').fill('Ten percent');
    await A('admin-coupon-kind').selectOption('percent');
    await A('admin-coupon-value').fill('10');
    await A('admin-coupon-code').fill('TENOFF');
    await A('admin-coupon-max-uses').fill('1');
    await A('admin-coupon-save').click();
    await A('admin-coupon-row').filter({ hasText: 'TENOFF' }).waitFor();
    const coupons = await e2e.api.get<{
      items: { code: string; kind: string; value: number; maxUses: number }[];
    }>('/coupons');
    expect(coupons.items.find((c) => c.code === 'TENOFF')).toMatchObject({
      kind: 'percent',
      value: 1000,
      maxUses: 1,
    });

    // a campaign through the form, then the effect of the measured one
    await A('admin-nav-campaigns').click();
    await A('admin-campaigns').waitFor();
    await adm.getByRole('button', { name: 'New campaign' }).click();
    await A('admin-campaign-name').fill('Tea week');
    await A('admin-campaign-text').fill('Tea week');
    await A('admin-campaign-text-zh').fill('茶叶周');
    await A('admin-campaign-variants').fill(other.id);
    await A('admin-campaign-from').fill('2027-01-04T09:00');
    await A('admin-campaign-to').fill('2027-01-10T21:00');
    await A('admin-campaign-save').click();
    await A('admin-campaign-row').filter({ hasText: 'Tea week' }).waitFor();
    const campaigns = await e2e.api.get<{ items: { name: string; variantIds: string[]; textZh: string }[] }>(
      '/campaigns',
    );
    expect(campaigns.items.find((c) => c.name === 'Tea week')).toMatchObject({
      variantIds: [other.id],
      textZh: '茶叶周',
    });

    await A('admin-campaign-row')
      .filter({ hasText: 'Flash sale' })
      .getByTestId('admin-campaign-uplift')
      .click();
    await A('admin-uplift').waitFor();
    // each window is shorter than a day, so each counts as one day: 1 unit before, 3 during
    expect(await A('admin-uplift-baseline').getAttribute('data-units-per-day')).toBe('1');
    expect(await A('admin-uplift-during').getAttribute('data-units-per-day')).toBe('3');
    expect(await A('admin-uplift-change').getAttribute('data-units-pct')).toBe('200');
    expect(await A('admin-uplift-change').textContent()).toContain('200%');
    const report = await e2e.api.get<{ unitsUpliftPct: number; during: { revenue: number } }>(
      `/campaigns/${measured.body.id}/uplift`,
    );
    expect(report.unitsUpliftPct).toBe(200);
    expect(report.during.revenue).toBe(3 * promoted.prices[sh.id]!);

    // the same pages in Chinese, forms open: no missing translation
    await A('admin-lang').click();
    await adm.getByRole('button', { name: '新建活动' }).click();
    await A('admin-campaign-form').waitFor();
    await A('admin-nav-coupons').click();
    await A('admin-coupons').waitFor();
    const missing = await adm.evaluate(() => (window as TillWindow).__opentillMissingKeys ?? []);
    expect(missing).toEqual([]);
    expect(errors).toEqual([]);
  });
});
