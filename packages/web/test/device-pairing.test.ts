// Real browser: a register paired with a code from the back office, a cashier signs in by PIN
// (no password), sells, and the pairing survives a reload; revoked, the register asks to pair again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Api,
  buildWebOnce,
  firstPage,
  launchBrowser,
  pairRegisterAndPinSignIn,
  pieceTiles,
  registerLogin,
  registerSession,
  sellTiles,
  tile,
  startServer,
  waitSynced,
  watchErrors,
  type Browser,
  type TestServer,
} from './e2e-harness';

let server: TestServer;
let browser: Browser;
let page: Page;
let api: Api;
const errors: string[] = [];

beforeAll(async () => {
  await buildWebOnce();
  server = await startServer();
  browser = await launchBrowser();
  page = await firstPage(browser.context);
  watchErrors(page, errors);
  api = await Api.login(server.base);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('register: pairing and PIN sign-in', () => {
  test('pair with a code, sign in by PIN, sell, reload, revoke', { timeout: 120_000 }, async () => {
    const T = (id: string) => page.getByTestId(id);
    const store = (await api.stores()).find((s) => s.currency === 'CNY')!;
    // the second register of the store: the register comes from the pairing, not from a choice
    const registers = await api.registers(store.id);
    const register = registers[registers.length - 1]!;
    const { deviceId } = await pairRegisterAndPinSignIn(page, server.base, api, {
      storeId: store.id,
      registerId: register.id,
    });
    expect((await registerSession(page)).registerId).toBe(register.id);
    expect(await T('register-name').textContent()).toContain(register.name);
    // the device is listed as paired and seen
    const listed = await api.get<{ items: { id: string; state: string; lastSeenAt: string | null }[] }>(
      '/devices',
    );
    expect(listed.items.find((d) => d.id === deviceId)).toMatchObject({ state: 'paired' });
    expect(listed.items.find((d) => d.id === deviceId)?.lastSeenAt).not.toBeNull();

    const [a] = await pieceTiles(page, api, 1);
    const orderId = await sellTiles(page, [a!]);
    await waitSynced(page);
    const order = await api.order(orderId);
    expect(order.registerId).toBe(register.id);
    expect(order.status).toBe('paid');

    // signed out and reloaded: the register is still paired and asks for a PIN
    await T('logout').click();
    await T('pin-login-form').waitFor();
    await page.reload();
    await T('pin-login-form').waitFor();
    expect(await T('paired-register').textContent()).toContain(register.name);
    await T('pin-login-username').fill('cashier');
    await T('pin-login-pin').fill('0000');
    await T('pin-login-submit').click();
    await page.locator('[data-testid=pin-login-form] [data-testid=error]').waitFor();
    await T('pin-login-form').waitFor();

    // revoked in the back office: the PIN is refused and the register asks to pair again
    const revoked = await api.call('DELETE', `/devices/${deviceId}`);
    expect(revoked.status).toBe(204);
    await T('pin-login-username').fill('cashier');
    await T('pin-login-pin').fill('1234');
    await T('pin-login-submit').click();
    await T('pairing-form').waitFor();
    await page.reload();
    await T('pairing-form').waitFor();
    expect(errors).toEqual([]);
  });

  test(
    'a customer display paired in Devices follows its register through the server and posts feedback as itself',
    { timeout: 120_000 },
    async () => {
      const T = (id: string) => page.getByTestId(id);
      // the register signs in with a password here (the pairing above was revoked)
      await page.goto(`${server.base}/`);
      const { registerId, storeId } = await registerLogin(page, server.base, { currency: 'CNY' });
      const made = await api.call<{ device: { id: string }; pairing: { code: string } }>('POST', '/devices', {
        kind: 'customer_display',
        name: 'Counter screen',
        storeId,
        registerId,
      });
      expect(made.status).toBe(201);

      const display = await browser.context.newPage();
      watchErrors(display, errors);
      const D = (id: string) => display.getByTestId(id);
      await display.goto(`${server.base}/display`);
      await D('pairing-code-input').fill(made.body.pairing.code.toLowerCase());
      await D('pairing-submit').click();
      await display.locator('[data-testid=display-root][data-status=live]').waitFor();
      const listed = await api.get<{ items: { id: string; state: string }[] }>('/devices');
      expect(listed.items.find((d) => d.id === made.body.device.id)?.state).toBe('paired');

      // the cart reaches the display through the server, not through this machine's channel
      const [a] = await pieceTiles(page, api, 1);
      await tile(page, a!).first().click();
      await display.locator('[data-testid=display-root][data-kind=cart]').waitFor();
      // the shopper picks a tip on the display; the register (another machine, as far as it knows)
      // reads it from the server and the display shows the register's answer
      await T('pay-button').click();
      await T('pay-screen').waitFor();
      await display.locator('[data-testid=display-root][data-kind=paying]').waitFor();
      await D('display-tip-preset').first().click();
      await T('pay-tip').waitFor();
      await D('display-tip-chosen').waitFor();
      await T('tender-cash').click();
      await page.keyboard.press('F4');
      await T('complete-sale').click();
      await T('receipt').waitFor();
      const orderId = (await T('receipt').getAttribute('data-order-id'))!;
      await D('display-thanks').waitFor();
      await D('feedback-star-4').click();
      await D('feedback-submit').click();
      await D('feedback-thanks').waitFor();
      await T('new-sale').click();
      const feedback = await api.get<{ items: { orderId?: string; rating: number; source?: string }[] }>(
        '/feedback',
      );
      expect(JSON.stringify(feedback)).toContain(orderId);
      await waitSynced(page);
      expect(((await api.order(orderId)) as { tip?: number }).tip).toBeGreaterThan(0);

      // revoked: the open stream ends at once and the display asks to be paired again, also after a reload
      expect((await api.call('DELETE', `/devices/${made.body.device.id}`)).status).toBe(204);
      await D('display-pairing').waitFor();
      await display.reload();
      await D('display-pairing').waitFor();
      expect(errors).toEqual([]);
    },
  );
});
