// Real browser: every main screen of the register, the customer display and the back office, in
// English and in 简体中文, with no missing translation key (src/i18n/index.ts collects them in
// window.__opentillMissingKeys) and no raw key ("register.pay.total") on screen.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Api,
  buildWebOnce,
  DEMO_PASSWORD,
  firstPage,
  launchBrowser,
  pieceTiles,
  registerSession,
  recoveryCode,
  startServer,
  tile,
  waitSynced,
  watchErrors,
  type Browser,
  type TestServer,
  type TillWindow,
} from './e2e-harness';

type Lang = 'en' | 'zh-CN';

let server: TestServer;
let api: Api;
const browsers: Browser[] = [];

beforeAll(async () => {
  await buildWebOnce();
  server = await startServer();
  api = await Api.login(server.base);
}, 120_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.dispose();
});

/** What is wrong with the page as shown: missing keys, raw keys in text or labels. */
async function problemsOn(page: Page, screen: string, lang: Lang): Promise<string[]> {
  // let pending renders and fetches settle
  await page.waitForTimeout(150);
  const found = await page.evaluate(() => {
    const missing = (window as TillWindow).__opentillMissingKeys ?? [];
    const raw = /(?:^|[\s"'(])((?:app|register|admin|display)\.[a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)/g;
    const texts = [document.body.innerText];
    for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],img[alt]')) {
      for (const attr of ['placeholder', 'aria-label', 'title', 'alt']) {
        const v = el.getAttribute(attr);
        if (v) texts.push(v);
      }
    }
    texts.push(document.title);
    const keys = texts.flatMap((t) => [...t.matchAll(raw)].map((m) => m[1]!));
    return { missing, keys, text: document.body.innerText };
  });
  const out = [
    ...found.missing.map((k) => `${lang} ${screen}: missing key ${k}`),
    ...found.keys.map((k) => `${lang} ${screen}: raw key on screen ${k}`),
  ];
  if (found.text.trim().length === 0) out.push(`${lang} ${screen}: blank screen`);
  if (lang === 'zh-CN' && !/[\u4e00-\u9fff]/.test(found.text)) out.push(`${lang} ${screen}: no Chinese text`);
  return out;
}

async function visitAll(lang: Lang): Promise<{ problems: string[]; screens: string[] }> {
  const browser = await launchBrowser({ locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US' });
  browsers.push(browser);
  const context = browser.context;
  await context.addInitScript((l) => {
    if (!localStorage.getItem('opentill.lang')) localStorage.setItem('opentill.lang', l);
    if (!localStorage.getItem('opentill.display.lang')) localStorage.setItem('opentill.display.lang', l);
  }, lang);
  const problems: string[] = [];
  const screens: string[] = [];
  const errors: string[] = [];
  const check = async (page: Page, screen: string) => {
    screens.push(screen);
    problems.push(...(await problemsOn(page, screen, lang)));
  };

  // ---- register
  const reg = await firstPage(context);
  watchErrors(reg, errors);
  const T = (id: string) => reg.getByTestId(id);
  await reg.goto(`${server.base}/`);
  // first run: the register asks for a pairing code, or a password instead
  await T('pairing-form').waitFor();
  await check(reg, 'register pairing');
  await T('pairing-skip').click();
  await T('login-form').waitFor();
  await check(reg, 'register login');
  await T('login-username').fill('cashier');
  await T('login-password').fill(DEMO_PASSWORD);
  await T('login-submit').click();
  await T('choose-register').waitFor();
  await T('store-option').filter({ hasText: 'CNY' }).click();
  await T('register-option').first().waitFor();
  await check(reg, 'register choose register');
  await T('register-option').first().click();
  await T('product-tile').first().waitFor();
  const { registerId } = await registerSession(reg);
  await check(reg, 'register sell (empty cart)');

  // the customer display, following this register
  const disp = await context.newPage();
  watchErrors(disp, errors);
  await disp.goto(`${server.base}/display?register=${registerId}`);
  await disp.getByTestId('display-idle').waitFor();
  await check(disp, 'display idle');
  // drive the register in front (a background tab's animation frames are throttled)
  await reg.bringToFront();

  const [a, b] = await pieceTiles(reg, api, 2);
  await tile(reg, a!).click();
  await tile(reg, b!).click();
  await T('cart-line').nth(1).waitFor();
  await check(reg, 'register cart');
  await disp.getByTestId('display-cart').waitFor();
  await check(disp, 'display cart');

  await T('search-input').fill('latte');
  await T('search-result').first().waitFor();
  await check(reg, 'register search');
  await T('search-input').fill('');

  const dialogs: [string, string, string][] = [
    ['line-discount-button', 'discount-dialog', 'register line discount'],
    ['order-discount-button', 'discount-dialog', 'register order discount'],
    ['park', 'park-dialog', 'register park'],
    ['resume', 'parked-list', 'register parked tickets'],
    ['settings', 'settings-dialog', 'register settings'],
    ['pin-switch', 'pin-dialog', 'register PIN switch'],
    ['sync-badge', 'rejected-list', 'register sync details'],
  ];
  for (const [button, dialog, screen] of dialogs) {
    await T(button).first().click();
    await T(dialog).waitFor();
    await check(reg, screen);
    await T('modal-close').first().click();
    await T(dialog).waitFor({ state: 'detached' });
  }

  await T('pay-button').click();
  await T('pay-screen').waitFor();
  await check(reg, 'register pay');
  await disp.getByTestId('display-paying').waitFor();
  await check(disp, 'display paying');
  await T('tender-card').click();
  await T('card-reference').waitFor();
  await check(reg, 'register pay by card');
  await T('tender-cash').click();
  await reg.keyboard.press('F4');
  await T('complete-sale').click();
  await T('receipt').waitFor();
  const orderId = (await T('receipt').getAttribute('data-order-id'))!;
  await check(reg, 'register receipt');
  await disp.getByTestId('display-thanks').waitFor();
  await check(disp, 'display thank you');
  await waitSynced(reg, 20_000);

  await T('new-sale').click();
  await T('refund-open').click();
  await T('refund-screen').waitFor();
  await check(reg, 'register refunds');
  await T('refund-order-input').fill(orderId);
  await T('refund-find').click();
  await T('refund-line').first().waitFor();
  await check(reg, 'register refund order');

  await T('cash-open-screen').click();
  await T('cash-screen').waitFor();
  await reg.locator('[data-testid=cash-open-form],[data-testid=cash-session]').first().waitFor();
  await check(reg, 'register cash session');
  if (await T('cash-open-form').count()) {
    await T('cash-float').fill('500');
    await T('cash-open').click();
    await T('cash-session').waitFor();
    await check(reg, 'register cash session open');
  }
  await T('cash-x-report').click();
  await T('x-report').waitFor();
  await check(reg, 'register X report');
  await T('cash-close-start').click();
  await T('cash-close-form').waitFor();
  await check(reg, 'register close session');
  await T('nav-sell').click();
  await T('search-input').waitFor();

  // a display on another device, not paired yet
  const pairing = await context.newPage();
  watchErrors(pairing, errors);
  await pairing.goto(`${server.base}/display`);
  await pairing.getByTestId('pairing-code-input').waitFor();
  await check(pairing, 'display pairing');
  await pairing.getByTestId('pairing-code-input').fill('123456');
  await pairing.getByTestId('pairing-error').waitFor();
  await check(pairing, 'display pairing error');

  // ---- back office
  const adm = await context.newPage();
  watchErrors(adm, errors);
  const A = (id: string) => adm.getByTestId(id);
  await adm.goto(`${server.base}/admin`);
  await A('admin-signin').waitFor();
  await check(adm, 'admin sign in');
  await A('admin-signin-username').fill('manager');
  await A('admin-signin-password').fill(DEMO_PASSWORD);
  await A('admin-signin-submit').click();
  // Api.login enrolled the manager's authenticator app: the sign-in asks for a second factor
  await A('admin-mfa').waitFor();
  await check(adm, 'admin second factor');
  await A('admin-mfa-recovery').click();
  await A('admin-mfa-code').fill(recoveryCode(server.base, 'manager'));
  await A('admin-mfa-submit').click();
  await A('admin-shell').waitFor();
  const sections: [string, string][] = [
    ['dashboard', 'admin-dashboard'],
    ['products', 'admin-products'],
    ['categories', 'admin-categories'],
    ['taxClasses', 'admin-tax-classes'],
    ['stock', 'admin-stock'],
    ['movements', 'admin-movements'],
    ['staff', 'admin-staff'],
    ['stores', 'admin-stores'],
    ['cash', 'admin-cash'],
    ['security', 'admin-security'],
    ['devices', 'admin-devices'],
    ['analytics', 'admin-analytics'],
    ['cardExceptions', 'admin-card-exceptions'],
    ['orders', 'admin-orders'],
  ];
  for (const [section, testId] of sections) {
    await A(`admin-nav-${section}`).click();
    await A(testId).waitFor();
    await adm.waitForLoadState('networkidle');
    await check(adm, `admin ${section}`);
  }
  // devices: pair a new register from the back office; the one-time code shows as text and as a QR
  await A('admin-nav-devices').click();
  await A('admin-device-new').click();
  await A('admin-device-create').click();
  await adm.locator('img[data-testid=admin-device-qr]').waitFor();
  expect(await A('admin-device-code').textContent()).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
  await adm.locator('[data-testid=admin-device-row][data-state=pending]').first().waitFor();
  await check(adm, 'admin devices pairing code');
  await A('admin-nav-orders').click();
  await A('admin-orders').waitFor();
  await A('admin-order-row').first().click();
  await A('admin-order').waitFor();
  await check(adm, 'admin order detail');
  await A('admin-nav-products').click();
  await A('admin-product-row').first().click();
  await A('admin-product-form').waitFor();
  await check(adm, 'admin product form');
  await A('admin-nav-stock').click();
  await A('admin-stock-action-receive').click();
  await A('admin-stock-form').waitFor();
  await check(adm, 'admin stock receive');
  await A('admin-nav-cash').click();
  await A('admin-cash-x').first().click();
  await A('admin-report').waitFor();
  await check(adm, 'admin cash report');

  problems.push(...errors.map((e) => `${lang}: ${e}`));
  return { problems, screens };
}

describe('both languages', () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    test(`${lang}: every main screen renders without missing keys`, { timeout: 120_000 }, async () => {
      const { problems, screens } = await visitAll(lang);
      expect(screens.length).toBeGreaterThanOrEqual(35);
      expect(problems).toEqual([]);
    });
  }
});
