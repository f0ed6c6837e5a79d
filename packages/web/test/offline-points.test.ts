// Real browser: points redeemed while the register is offline. The member is attached online,
// then the network is cut; two sales pay part with points. The register lets each one spend only
// what is left of its offline allowance (300 points here) after the points already taken in sales
// still waiting to sync, and refuses more. When the network returns, the server books both sales:
// the orders carry the points tenders and the points ledger has one redemption per sale, marked
// offline, with the balance as the sum of the ledger.
import { describe, expect, test } from 'vitest';
import { e2eSession, pieceTiles, registerLogin, tile, unsynced, waitSynced } from './e2e-harness';

const e2e = e2eSession();

interface LedgerEntry {
  kind: string;
  points: number;
  balanceAfter: number;
  orderId: string | null;
  offline: boolean;
}

describe('register: points redeemed offline', () => {
  test(
    'within the register allowance, refused above it, booked on reconnect',
    { timeout: 150_000 },
    async () => {
      const T = (id: string) => e2e.page.getByTestId(id);
      // 100 points pay 1 yuan (1 point = 1 fen); a register may let 300 points be spent offline
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
        name: '王芳',
        phone: '138 0000 1111',
        consents: { processing: true, marketing: false },
        consentSource: 'register',
      });
      expect(created.status).toBe(201);
      const customerId = created.body.id;
      const welcome = await e2e.api.call('POST', `/customers/${customerId}/loyalty/adjustments`, {
        points: 1000,
        note: 'welcome',
      });
      expect(welcome.status).toBe(200);

      await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' });
      const [a, b] = await pieceTiles(e2e.page, e2e.api, 2);

      const attach = async () => {
        await T('member-open').click();
        await T('member-query').fill('13800001111');
        await T('member-find').click();
        await T('member-result').waitFor();
        await T('member-attach').click();
        await expect.poll(async () => (await T('member-name').textContent())?.trim()).toBe('王芳');
      };
      /** Asks to pay `tooMuch` with points (refused: at most `max`), pays `pay`, the rest in cash. */
      const payWithPoints = async (tooMuch: string, max: string, pay: string): Promise<string> => {
        await T('pay-button').click();
        await T('pay-screen').waitFor();
        await T('tender-loyalty_points').click();
        await T('points-available').waitFor();
        await T('tender-amount').fill(tooMuch);
        await T('tender-add').click();
        // refused on the register: more than what is left of the allowance
        await T('error').waitFor();
        expect(await T('error').textContent()).toContain(`¥${max}`);
        expect(await T('tender-line').count()).toBe(0);
        await T('tender-amount').fill(pay);
        await T('tender-add').click();
        await expect.poll(() => T('tender-line').count()).toBe(1);
        await T('tender-cash').click();
        await T('quick-amount').first().click();
        await T('complete-sale').click();
        await T('receipt').waitFor();
        const id = (await T('receipt').getAttribute('data-order-id'))!;
        await T('new-sale').click();
        await T('cart-empty').waitFor();
        return id;
      };

      // online: the member is looked up for two carts; the first is parked (it keeps the member)
      await tile(e2e.page, a!).click();
      await tile(e2e.page, b!).click();
      await attach();
      expect(await T('member-points').getAttribute('data-points')).toBe('1000');
      await T('park').click();
      await T('park-note').fill('second basket');
      await T('park-confirm').click();
      await T('cart-empty').waitFor();
      await tile(e2e.page, a!).click();
      await tile(e2e.page, b!).click();
      await attach();

      // the network goes
      await e2e.browser.context.setOffline(true);
      await expect.poll(async () => T('sync-badge').getAttribute('data-online')).toBe('false');

      // first sale: ¥3.50 (350 points) is over the 300-point allowance; ¥2.00 (200 points) is taken
      const first = await payWithPoints('3.50', '3.00', '2.00');
      expect(await unsynced(e2e.page)).toBe(1);

      // second sale, still offline: 100 points of the allowance are left while the first is unsynced
      await T('resume').click();
      await T('resume-ticket').first().click();
      await expect.poll(async () => (await T('member-name').textContent())?.trim()).toBe('王芳');
      const second = await payWithPoints('1.50', '1.00', '1.00');
      expect(await unsynced(e2e.page)).toBe(2);

      // the network returns: both sales reach the server
      await e2e.browser.context.setOffline(false);
      await waitSynced(e2e.page, 60_000);
      for (const [orderId, minor] of [
        [first, 200],
        [second, 100],
      ] as const) {
        const order = await e2e.api.order(orderId);
        expect(order.status).toBe('paid');
        expect(order.customerId).toBe(customerId);
        const payments = order.payments as { kind: string; amount: number }[];
        expect(payments.find((p) => p.kind === 'loyalty_points')?.amount).toBe(minor);
      }
      const { account, ledger } = await e2e.api.get<{
        account: { balance: number };
        ledger: LedgerEntry[];
      }>(`/customers/${customerId}/loyalty`);
      const redemptions = ledger.filter((e) => e.kind === 'redeem');
      expect(redemptions.map((e) => [e.orderId, e.points, e.offline]).sort()).toEqual(
        [
          [first, -200, true],
          [second, -100, true],
        ].sort(),
      );
      // the balance is the sum of the ledger: 1000 − 300 redeemed + what the two sales earned
      const earned = ledger.filter((e) => e.kind === 'earn').reduce((s, e) => s + e.points, 0);
      expect(earned).toBeGreaterThan(0);
      expect(account.balance).toBe(ledger.reduce((s, e) => s + e.points, 0));
      expect(account.balance).toBe(1000 - 300 + earned);
      expect(e2e.errors).toEqual([]);
    },
  );
});
