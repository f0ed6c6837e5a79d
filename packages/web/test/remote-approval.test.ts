// Real browser: a cashier types a lower price on the register; the tenant's policy wants a manager
// for price overrides, so the sale waits. The manager, in a second browser context sized like a
// phone, sees the request arrive live in the back office, opens the approval page and approves
// with a passkey (Chromium's virtual authenticator, user verification on). The register notices
// by its long poll and completes the sale by itself.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Api,
  buildWebOnce,
  DEMO_PASSWORD,
  firstPage,
  launchBrowser,
  pieceTiles,
  registerLogin,
  startServer,
  tile,
  watchErrors,
  type Browser,
  type TestServer,
} from './e2e-harness';

let server: TestServer;
let till: Browser;
let phone: Browser;
let register: Page;
let manager: Page;
/** WebAuthn needs a secure context and an RP ID that is a host name: localhost, not 127.0.0.1 */
let base: string;
const errors: string[] = [];

beforeAll(async () => {
  await buildWebOnce();
  server = await startServer();
  base = server.base.replace('127.0.0.1', 'localhost');
  till = await launchBrowser();
  phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
  register = await firstPage(till.context);
  manager = await firstPage(phone.context);
  watchErrors(register, errors);
  watchErrors(manager, errors);
}, 120_000);

afterAll(async () => {
  await till?.close();
  await phone?.close();
  await server?.dispose();
});

describe('remote approval of a price override', () => {
  test(
    'the register waits for a manager who approves from a phone with a passkey, then completes the sale',
    { timeout: 180_000 },
    async () => {
      const M = (id: string) => manager.getByTestId(id);
      const R = (id: string) => register.getByTestId(id);

      // the manager's phone: a platform authenticator that verifies the user (fingerprint, face)
      const cdp = await phone.context.newCDPSession(manager);
      await cdp.send('WebAuthn.enable');
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      await manager.goto(`${base}/admin`);
      await M('admin-signin').waitFor();
      await M('admin-signin-username').fill('manager');
      await M('admin-signin-password').fill(DEMO_PASSWORD);
      await M('admin-signin-submit').click();
      await M('admin-enrol').waitFor();
      await M('admin-enrol-passkey').click();
      await M('admin-recovery-codes').waitFor();
      await M('admin-enrol-continue').click();
      await M('admin-shell').waitFor();

      // price overrides need a manager (the Security page's policy form)
      await manager.goto(`${base}/admin#/security`);
      await M('admin-security').waitFor();
      await M('admin-policy-priceOverride').check();
      await M('admin-policy-save').click();
      await expect.poll(async () => (await M('admin-policy-form').textContent()) ?? '').toContain('Saved');

      // the cashier sells one item at a typed price of 1.00
      const cashier = await Api.login(server.base, 'cashier');
      await registerLogin(register, base, { currency: 'CNY' });
      const [item] = await pieceTiles(register, cashier, 1);
      await tile(register, item!).first().click();
      await R('line-price-button').first().click();
      await R('price-dialog').waitFor();
      await R('price-value').fill('1');
      await R('price-apply').click();
      await R('line-price-override').waitFor();
      await R('pay-button').click();
      await R('pay-screen').waitFor();
      await R('tender-cash').click();
      await register.keyboard.press('F4');
      await R('complete-sale').click();
      // the server wants a manager: the prompt asks and waits
      await R('approval-prompt').waitFor();
      await expect
        .poll(async () => (await R('approval-waiting').textContent()) ?? '')
        .toContain('continue by itself');

      // the request shows up live on the manager's screen; the phone page approves it
      const row = M('admin-approval-row').first();
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('Price override');
      const approvalId = await row.getAttribute('data-approval-id');
      expect(approvalId).toMatch(/^apr_/);
      await manager.goto(`${base}/admin#/approve/${approvalId!}`);
      await M('admin-approve-page').waitFor();
      expect(await M('admin-approve-summary').textContent()).toContain('Price override');
      await M('admin-approval-passkey').click();

      // the register continues without anyone touching it
      await R('receipt').waitFor({ timeout: 30_000 });
      const orderId = await R('receipt').getAttribute('data-order-id');
      const order = await cashier.get<{ total: number; lines: { unitPrice: number }[] }>(
        `/orders/${orderId!}`,
      );
      expect(order.lines[0]!.unitPrice).toBe(100);
      expect(order.total).toBe(100);
      const approval = await cashier.get<{ status: string; method: string; action: { kind: string } }>(
        `/approvals/${approvalId!}`,
      );
      expect(approval).toMatchObject({ status: 'consumed', method: 'session+passkey' });
      expect(approval.action.kind).toBe('price_override');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials[0]!.signCount).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    },
  );

  test(
    'opening the drawer without a sale waits for the manager, then opens',
    { timeout: 120_000 },
    async () => {
      const M = (id: string) => manager.getByTestId(id);
      const R = (id: string) => register.getByTestId(id);
      // the manager (still signed in on the phone) turns the no-sale rule on
      await manager.goto(`${base}/admin#/security`);
      await M('admin-security').waitFor();
      await M('admin-policy-drawerOpen').check();
      await M('admin-policy-save').click();
      await expect.poll(async () => (await M('admin-policy-form').textContent()) ?? '').toContain('Saved');

      await R('new-sale').click();
      await R('cash-open-screen').click();
      await register.locator('[data-testid=cash-open-form],[data-testid=cash-session]').first().waitFor();
      if (await R('cash-open-form').count()) {
        await R('cash-float').fill('500');
        await R('cash-open').click();
      }
      await R('cash-session').waitFor();
      await R('cash-no-sale').click();
      await R('approval-prompt').waitFor();

      const row = M('admin-approval-row').first();
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('Open drawer');
      const approvalId = await row.getAttribute('data-approval-id');
      await row.getByTestId('admin-approval-passkey').click();
      await R('cash-drawer-opened').waitFor({ timeout: 30_000 });

      // the approval was for this drawer and is used up
      const cashier = await Api.login(server.base, 'cashier');
      const sessionId = await R('cash-session').getAttribute('data-session-id');
      const approval = await cashier.get<{ status: string; action: { kind: string; entityId: string } }>(
        `/approvals/${approvalId!}`,
      );
      expect(approval).toMatchObject({
        status: 'consumed',
        action: { kind: 'drawer_open', entityId: sessionId },
      });
      expect(errors).toEqual([]);
    },
  );
});
