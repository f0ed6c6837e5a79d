// Real browser: a register paired with a code from the back office, a cashier signs in by PIN
// (no password), sells, and the pairing survives a reload; revoked, the register asks to pair again.
import { describe, expect, test } from 'vitest';
import {
  e2eSession,
  pairRegisterAndPinSignIn,
  pieceTiles,
  registerLogin,
  registerSession,
  sellTiles,
  tile,
  waitSynced,
  watchErrors,
} from './e2e-harness';

const e2e = e2eSession();

describe('register: pairing and PIN sign-in', () => {
  test('pair with a code, sign in by PIN, sell, reload, revoke', { timeout: 120_000 }, async () => {
    const T = (id: string) => e2e.page.getByTestId(id);
    const store = (await e2e.api.stores()).find((s) => s.currency === 'CNY')!;
    // the second register of the store: the register comes from the pairing, not from a choice
    const registers = await e2e.api.registers(store.id);
    const register = registers[registers.length - 1]!;
    const { deviceId } = await pairRegisterAndPinSignIn(e2e.page, e2e.server.base, e2e.api, {
      storeId: store.id,
      registerId: register.id,
    });
    expect((await registerSession(e2e.page)).registerId).toBe(register.id);
    expect(await T('register-name').textContent()).toContain(register.name);
    // the device is listed as paired and seen
    const listed = await e2e.api.get<{ items: { id: string; state: string; lastSeenAt: string | null }[] }>(
      '/devices',
    );
    expect(listed.items.find((d) => d.id === deviceId)).toMatchObject({ state: 'paired' });
    expect(listed.items.find((d) => d.id === deviceId)?.lastSeenAt).not.toBeNull();

    const [a] = await pieceTiles(e2e.page, e2e.api, 1);
    const orderId = await sellTiles(e2e.page, [a!]);
    await waitSynced(e2e.page);
    const order = await e2e.api.order(orderId);
    expect(order.registerId).toBe(register.id);
    expect(order.status).toBe('paid');

    // signed out and reloaded: the register is still paired and asks for a PIN
    await T('logout').click();
    await T('pin-login-form').waitFor();
    await e2e.page.reload();
    await T('pin-login-form').waitFor();
    expect(await T('paired-register').textContent()).toContain(register.name);
    await T('pin-login-username').fill('cashier');
    await T('pin-login-pin').fill('0000');
    await T('pin-login-submit').click();
    await e2e.page.locator('[data-testid=pin-login-form] [data-testid=error]').waitFor();
    await T('pin-login-form').waitFor();

    // revoked in the back office: the PIN is refused and the register asks to pair again
    const revoked = await e2e.api.call('DELETE', `/devices/${deviceId}`);
    expect(revoked.status).toBe(204);
    await T('pin-login-username').fill('cashier');
    await T('pin-login-pin').fill('1234');
    await T('pin-login-submit').click();
    await T('pairing-form').waitFor();
    await e2e.page.reload();
    await T('pairing-form').waitFor();
    expect(e2e.errors).toEqual([]);
  });

  test(
    'a customer display paired in Devices follows its register through the server and posts feedback as itself',
    { timeout: 120_000 },
    async () => {
      const T = (id: string) => e2e.page.getByTestId(id);
      // the register signs in with a password here (the pairing above was revoked)
      await e2e.page.goto(`${e2e.server.base}/`);
      const { registerId, storeId } = await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' });
      const made = await e2e.api.call<{ device: { id: string }; pairing: { code: string } }>(
        'POST',
        '/devices',
        {
          kind: 'customer_display',
          name: 'Counter screen',
          storeId,
          registerId,
        },
      );
      expect(made.status).toBe(201);

      const display = await e2e.browser.context.newPage();
      watchErrors(display, e2e.errors);
      const D = (id: string) => display.getByTestId(id);
      await display.goto(`${e2e.server.base}/display`);
      await D('pairing-code-input').fill(made.body.pairing.code.toLowerCase());
      await D('pairing-submit').click();
      await display.locator('[data-testid=display-root][data-status=live]').waitFor();
      const listed = await e2e.api.get<{ items: { id: string; state: string }[] }>('/devices');
      expect(listed.items.find((d) => d.id === made.body.device.id)?.state).toBe('paired');

      // the cart reaches the display through the server, not through this machine's channel
      const [a] = await pieceTiles(e2e.page, e2e.api, 1);
      await tile(e2e.page, a!).first().click();
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
      await e2e.page.keyboard.press('F4');
      await T('complete-sale').click();
      await T('receipt').waitFor();
      const orderId = (await T('receipt').getAttribute('data-order-id'))!;
      await D('display-thanks').waitFor();
      await D('feedback-star-4').click();
      await D('feedback-submit').click();
      await D('feedback-thanks').waitFor();
      await T('new-sale').click();
      const feedback = await e2e.api.get<{ items: { orderId?: string; rating: number; source?: string }[] }>(
        '/feedback',
      );
      expect(JSON.stringify(feedback)).toContain(orderId);
      await waitSynced(e2e.page);
      expect(((await e2e.api.order(orderId)) as { tip?: number }).tip).toBeGreaterThan(0);

      // revoked: the open stream ends at once and the display asks to be paired again, also after a reload
      expect((await e2e.api.call('DELETE', `/devices/${made.body.device.id}`)).status).toBe(204);
      await D('display-pairing').waitFor();
      await display.reload();
      await D('display-pairing').waitFor();
      expect(e2e.errors).toEqual([]);
    },
  );
});
