// Real browser: a member sale with a coupon and part of the points balance as a tender, then the
// e-receipt from the receipt's QR with feedback.
import { describe, expect, test } from 'vitest';
import { e2eSession, pieceTiles, registerLogin, tile, waitSynced, watchErrors } from './e2e-harness';

const e2e = e2eSession();

interface Account {
  balance: number;
  available: number;
}

describe('register: member sale', () => {
  test('coupon, partial points redemption, earning, e-receipt feedback', { timeout: 120_000 }, async () => {
    const T = (id: string) => e2e.page.getByTestId(id);
    // 1 point per yuan before VAT; 100 points pay 1 yuan (1 point = 1 fen)
    const program = await e2e.api.call('PUT', '/loyalty/program', {
      programs: [
        {
          currency: 'CNY',
          earnPoints: 1,
          earnPerMinor: 100,
          pointsPerUnit: 100,
          minorPerUnit: 100,
          offlineAllowancePoints: 300,
        },
      ],
    });
    expect(program.status).toBe(200);
    const created = await e2e.api.call<{ id: string }>('POST', '/customers', {
      name: '李华',
      phone: '139 1234 5678',
      consents: { processing: true, marketing: true },
      consentSource: 'register',
    });
    expect(created.status).toBe(201);
    const customerId = created.body.id;
    expect(
      (
        await e2e.api.call('POST', `/customers/${customerId}/loyalty/adjustments`, {
          points: 500,
          note: 'welcome',
        })
      ).status,
    ).toBe(200);
    // the coupon unlocks a promotion (the promotions engine gives ¥5 off); the coupons module
    // makes the code single-use
    const promotion = await e2e.api.call('POST', '/promotions', {
      name: 'Coupon ¥5 off',
      nameZh: '优惠券立减 5 元',
      conditions: [{ kind: 'coupon', codes: ['E2E-FIVE'] }],
      action: { kind: 'amount_off', amount: 500, target: 'order' },
    });
    expect(promotion.status).toBe(201);
    const coupon = await e2e.api.call('POST', '/coupons', {
      code: 'E2E-FIVE',
      name: '¥5 off',
      kind: 'promotion',
      value: 0,
    });
    expect(coupon.status).toBe(201);

    const { registerId, storeId } = await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' });
    const [a, b] = await pieceTiles(e2e.page, e2e.api, 2);
    // a campaign on the store's display, with a cart hint for item A
    const campaign = await e2e.api.call('POST', '/campaigns', {
      name: 'Coffee week',
      storeId,
      mediaKind: 'text',
      text: 'Coffee week: try our beans',
      textZh: '咖啡周：尝尝我们的咖啡豆',
      hint: 'Add one more for 20% off',
      hintZh: '再加一件享八折',
      variantIds: [a],
      startsAt: new Date(Date.now() - 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(campaign.status).toBe(201);
    await e2e.page.reload();
    await T('product-tile').first().waitFor();
    const display = await e2e.browser.context.newPage();
    watchErrors(display, e2e.errors);
    await display.goto(`${e2e.server.base}/display?register=${registerId}&lang=zh-CN`);
    await display.getByTestId('display-campaign').waitFor();
    expect(await display.getByTestId('display-campaign').textContent()).toContain('咖啡周');
    await e2e.page.bringToFront();
    await tile(e2e.page, a!).click();
    await tile(e2e.page, a!).click();
    await tile(e2e.page, b!).click();
    await expect.poll(() => T('cart-line').count()).toBe(2);
    await display.getByTestId('display-hint').waitFor();
    expect(await display.getByTestId('display-hint').textContent()).toContain('再加一件享八折');
    const totalBefore = (await T('total').textContent())?.trim();

    // attach the member by phone
    await T('member-open').click();
    await T('member-query').fill('13912345678');
    await T('member-find').click();
    await T('member-result').waitFor();
    await T('member-attach').click();
    await expect.poll(async () => (await T('member-name').textContent())?.trim()).toBe('李华');
    expect(await T('member-points').getAttribute('data-points')).toBe('500');

    // the coupon takes ¥5 off, priced on the register
    await T('coupon-open').click();
    await T('coupon-code').fill('e2e five');
    await T('coupon-apply').click();
    await T('coupon-chip').waitFor();
    await expect.poll(async () => (await T('total').textContent())?.trim()).not.toBe(totalBefore);

    // pay ¥2.37 with points (237 of the 500), the rest in cash
    await T('pay-button').click();
    await T('pay-screen').waitFor();
    await T('tender-loyalty_points').click();
    await T('points-available').waitFor();
    await T('tender-amount').fill('2.37');
    await T('tender-add').click();
    await T('tender-cash').click();
    await T('quick-amount').first().click();
    await T('complete-sale').click();
    await T('receipt').waitFor();
    const orderId = (await T('receipt').getAttribute('data-order-id'))!;

    // the display thanks the customer and asks for a rating
    await display.getByTestId('display-thanks').waitFor();
    await display.getByTestId('feedback-star-5').click();
    await display.getByTestId('feedback-comment').fill('收银员很友好');
    await display.getByTestId('feedback-submit').click();
    await display.getByTestId('feedback-thanks').waitFor();

    await waitSynced(e2e.page, 30_000);
    const order = await e2e.api.order(orderId);
    const payments = order.payments as { kind: string; amount: number }[];
    expect(order.customerId).toBe(customerId);
    expect(payments.find((p) => p.kind === 'loyalty_points')?.amount).toBe(237);
    expect(order.discountTotal).toBe(500);
    expect((order.promotions as { name: string }[]).map((p) => p.name)).toEqual(['Coupon ¥5 off']);
    const lines = order.lines as unknown as { total: number; tax: number }[];
    const total = order.total as number;
    // earned on the part not paid with points, before VAT, one point per whole yuan
    const preTax = lines.reduce((s, l) => s + l.total - l.tax, 0);
    const earnedMax = Math.floor(preTax / 100);
    const { account, ledger } = await e2e.api.get<{
      account: Account;
      ledger: { kind: string; points: number; orderId: string | null; offline: boolean }[];
    }>(`/customers/${customerId}/loyalty`);
    // the ledger: the welcome points, one redemption and one earning for this order; the balance is its sum
    expect(
      ledger
        .filter((e) => e.orderId === orderId)
        .map((e) => [e.kind, e.offline])
        .sort(),
    ).toEqual([
      ['earn', false],
      ['redeem', false],
    ]);
    expect(ledger.find((e) => e.kind === 'redeem')?.points).toBe(-237);
    expect(account.balance).toBe(ledger.reduce((s, e) => s + e.points, 0));
    const earned = account.balance - (500 - 237);
    expect(ledger.find((e) => e.kind === 'earn')?.points).toBe(earned);
    expect(earned).toBeGreaterThan(0);
    expect(earned).toBeLessThanOrEqual(earnedMax);
    expect(earned).toBeGreaterThanOrEqual(Math.floor((preTax * (total - 237)) / total / 100) - 1);
    const used = (await e2e.api.get<{ items: { code: string; uses: number }[] }>('/coupons')).items.find(
      (c) => c.code === 'E2EFIVE',
    );
    expect(used?.uses).toBe(1);

    // the e-receipt behind the receipt's QR, with feedback
    const url = await T('receipt-e-qr').getAttribute('data-url');
    expect(url).toMatch(/\/receipt\/[A-Za-z0-9_-]{22}$/);
    const phone = await e2e.browser.context.newPage();
    await phone.goto(url!);
    await phone.getByTestId('e-receipt').waitFor();
    expect(await phone.getByTestId('e-receipt-line').count()).toBe(2);
    expect(await phone.getByTestId('e-receipt-payment').count()).toBe(2);
    // feedback was given on the display: the page thanks instead of asking again
    await phone.getByTestId('feedback-thanks').waitFor();
    await phone.close();
    const fb = await e2e.api.get<{
      items: { orderId: string; rating: number; comment: string; source: string }[];
    }>('/feedback');
    expect(fb.items.find((f) => f.orderId === orderId)).toMatchObject({
      rating: 5,
      comment: '收银员很友好',
      source: 'display',
    });

    expect(e2e.errors).toEqual([]);
  });
});
