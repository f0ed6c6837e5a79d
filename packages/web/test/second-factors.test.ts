// Real browser: a manager enrols a passkey in Chromium's virtual authenticator (user verification
// on, like a fingerprint), signs in with it alone, and approves a cashier's refund with it; an
// owner enrols an authenticator app and signs in with a generated code.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  Api,
  base32,
  DEMO_PASSWORD,
  e2eSession,
  payExactCash,
  pieceTiles,
  registerLogin,
  tile,
  waitSynced,
  totpNow,
} from './e2e-harness';

const e2e = e2eSession({ login: false });
/** WebAuthn needs a secure context and an RP ID that is a host name: localhost, not 127.0.0.1 */
let base: string;
/** the manager's recovery codes, shown once at enrolment */
let managerCodes: string[] = [];

beforeAll(() => {
  base = e2e.server.base.replace('127.0.0.1', 'localhost');
});

const T = (id: string) => e2e.page.getByTestId(id);

async function signInWithPassword(username: string) {
  await e2e.page.goto(`${base}/admin`);
  await T('admin-signin').waitFor();
  await T('admin-signin-username').fill(username);
  await T('admin-signin-password').fill(DEMO_PASSWORD);
  await T('admin-signin-submit').click();
}

async function signOut() {
  await T('admin-signout').click();
  await T('admin-signin').waitFor();
}

describe('second factors in the back office', () => {
  test(
    'enrols a passkey, signs in with it alone, and approves a refund with it',
    { timeout: 120_000 },
    async () => {
      // a platform authenticator that verifies the user (fingerprint or face) without asking
      const cdp = await e2e.browser.context.newCDPSession(e2e.page);
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

      // first sign-in: managers must enrol a second factor before anything else
      await signInWithPassword('manager');
      await T('admin-enrol').waitFor();
      await T('admin-enrol-passkey').click();
      await T('admin-recovery-codes').waitFor();
      const codes = ((await T('admin-recovery-codes').textContent()) ?? '').trim().split('\n');
      expect(codes).toHaveLength(10);
      managerCodes = codes;
      await T('admin-enrol-continue').click();
      await T('admin-shell').waitFor();
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]!.isResidentCredential).toBe(true);

      // sign out, then sign in with the passkey alone: no username, no password
      await signOut();
      await T('admin-signin-passkey').click();
      await T('admin-shell').waitFor();
      expect(await T('admin-user').textContent()).toContain('Manager');
      const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);

      // refunds above 1.00 need a manager: set the threshold on the Security page
      await T('admin-nav-security').click();
      await T('admin-security').waitFor();
      await T('admin-policy-refundAbove-CNY').fill('100');
      await T('admin-policy-save').click();
      await expect.poll(async () => (await T('admin-policy-form').textContent()) ?? '').toContain('Saved');

      // a cashier sells and asks for a refund of 2.00 through the API (the register does the same)
      const cashier = await Api.login(e2e.server.base, 'cashier');
      const store = (await cashier.stores()).find((s) => s.currency === 'CNY')!;
      const register = (await cashier.registers(store.id))[0]!;
      const products = await cashier.get<{ items: { variants: { id: string }[] }[] }>('/products?limit=1');
      const variantId = products.items[0]!.variants[0]!.id;
      const basket = { storeId: store.id, registerId: register.id, lines: [{ variantId, quantity: 3 }] };
      const quote = await cashier.call<{ total: number }>('POST', '/orders/quote', basket);
      const orderId = `ord_e2e-${Date.now().toString(16)}`;
      const sale = await cashierCall(
        cashier,
        'POST',
        '/orders',
        {
          ...basket,
          id: orderId,
          tenders: [{ kind: 'card', amount: quote.body.total, reference: 'e2e-terminal-1' }],
        },
        { 'idempotency-key': `e2e-${orderId}` },
      );
      expect(sale.status).toBe(201);
      const refund = { amount: 200, reason: 'damaged' };
      const refused = await cashierCall(cashier, 'POST', `/orders/${orderId}/refunds`, refund);
      expect(refused.status).toBe(403);
      const action = (refused.body as { error: { code: string; details: { action: unknown } } }).error;
      expect(action.code).toBe('approval_required');
      const asked = await cashierCall(cashier, 'POST', '/approvals', action.details.action);
      const approvalId = (asked.body as { id: string }).id;

      // the request shows up in the back office; the manager approves with the passkey
      await T('admin-approval-row').first().waitFor({ timeout: 20_000 });
      await T('admin-approval-passkey').first().click();
      await expect
        .poll(async () => (await cashier.get<{ status: string }>(`/approvals/${approvalId}`)).status, {
          timeout: 15_000,
        })
        .toBe('approved');
      const approval = await cashier.get<{ method: string; signature: string }>(`/approvals/${approvalId}`);
      expect(approval.method).toBe('session+passkey');
      expect(approval.signature).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // the refund goes through with the approval, once
      const done = await cashierCall(cashier, 'POST', `/orders/${orderId}/refunds`, refund, {
        'x-approval-id': approvalId,
      });
      expect(done.status).toBe(201);
      const twice = await cashierCall(cashier, 'POST', `/orders/${orderId}/refunds`, refund, {
        'x-approval-id': approvalId,
      });
      expect((twice.body as { error: { code: string } }).error.code).toBe('invalid_approval');
      await signOut();
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      expect(e2e.errors).toEqual([]);
    },
  );

  test('enrols an authenticator app and signs in with a generated code', { timeout: 120_000 }, async () => {
    await signInWithPassword('owner');
    await T('admin-enrol').waitFor();
    await T('admin-enrol-totp').click();
    const secret = ((await T('admin-enrol-totp-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const seed = base32(secret);
    const enrolledAt = Math.floor(Date.now() / 1000);
    await T('admin-enrol-totp-code').fill(totpNow(seed, enrolledAt));
    await T('admin-enrol-totp-confirm').click();
    await T('admin-recovery-codes').waitFor();
    await T('admin-enrol-continue').click();
    await T('admin-shell').waitFor();
    await signOut();

    // the next sign-in asks for a code; a code of the enrolment's time-step would be a replay
    await signInWithPassword('owner');
    await T('admin-mfa').waitFor();
    const step = (s: number) => Math.floor(s / 30);
    while (step(Math.floor(Date.now() / 1000)) <= step(enrolledAt)) await e2e.page.waitForTimeout(500);
    await T('admin-mfa-code').fill(totpNow(seed));
    await T('admin-mfa-submit').click();
    await T('admin-shell').waitFor();
    expect(await T('admin-user').textContent()).toContain('Owner');
    await signOut();
    expect(e2e.errors).toEqual([]);
  });

  test('a manager approves a refund on the register with PIN and passkey', { timeout: 150_000 }, async () => {
    const cdp = await e2e.browser.context.newCDPSession(e2e.page);
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
    // the manager adds a passkey on this device (signing in with a recovery code)
    await signInWithPassword('manager');
    await T('admin-mfa').waitFor();
    // with no authenticator app the code field already takes a recovery code
    if (await T('admin-mfa-recovery').count()) await T('admin-mfa-recovery').click();
    await T('admin-mfa-code').fill(managerCodes[0]!);
    await T('admin-mfa-submit').click();
    await T('admin-shell').waitFor();
    await T('admin-nav-security').click();
    await T('admin-factor-add').click();
    await T('admin-enrol-passkey').click();
    await expect.poll(() => T('admin-factor-row').count()).toBe(2);
    await signOut();

    // the cashier sells one item for cash and refunds it: above 1.00 a manager must approve
    const api = await Api.login(e2e.server.base, 'cashier');
    await registerLogin(e2e.page, base, { currency: 'CNY' });
    const [item] = await pieceTiles(e2e.page, api, 1);
    await tile(e2e.page, item!).click();
    const orderId = await payExactCash(e2e.page);
    await waitSynced(e2e.page, 30_000);
    await T('new-sale').click();
    await T('refund-open').click();
    await T('refund-screen').waitFor();
    await T('refund-order-input').fill(orderId);
    await T('refund-find').click();
    await T('refund-line').first().waitFor();
    await T('refund-line').first().getByTestId('refund-qty-plus').click();
    await T('refund-reason').fill('broken lid');
    await T('refund-submit').click();
    await T('approval-prompt').waitFor();
    await T('approval-username').fill('manager');
    await T('approval-pin').fill('4321');
    await T('approval-passkey').click();
    await T('refund-result').waitFor({ timeout: 20_000 });
    const order = await api.order(orderId);
    expect(order.status).toBe('refunded');
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    expect(e2e.errors).toEqual([]);
  });
});

/** A cashier API call with extra headers (the Api helper sends only the token). */
async function cashierCall(
  api: Api,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${api.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}
