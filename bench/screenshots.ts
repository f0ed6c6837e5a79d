/**
 * README screenshots of the register, the customer display and the back office, in English and
 * 简体中文, at 1280×800: builds the web app, starts the real server on a fresh demo database,
 * drives Chromium (/usr/bin/chromium; Chinese glyphs need fonts-wqy-microhei) and writes
 *
 *   docs/register-en.png  docs/register-zh.png   a cart with a few lines
 *   docs/display-en.png   docs/display-zh.png    the customer display following that cart
 *   docs/admin-en.png     docs/admin-zh.png      the back office's orders page
 *
 *   npx tsx bench/screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  Api,
  buildWebOnce,
  DEMO_PASSWORD,
  firstPage,
  launchBrowser,
  pieceTiles,
  registerLogin,
  ROOT,
  sellTiles,
  startServer,
  tile,
  waitSynced,
  type TestServer,
} from '../packages/web/test/e2e-harness';

const DOCS = join(ROOT, 'docs');
const LANGS = [
  { lang: 'en', file: 'en' },
  { lang: 'zh-CN', file: 'zh' },
] as const;

async function settle(page: Page) {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.waitForTimeout(400);
}

async function shoot(server: TestServer, api: Api, lang: 'en' | 'zh-CN', file: string): Promise<string[]> {
  const browser = await launchBrowser({ locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US' });
  const written: string[] = [];
  try {
    const context = browser.context;
    await context.addInitScript((l) => localStorage.setItem('opentill.lang', l), lang);
    const reg = await firstPage(context);
    await registerLogin(reg, server.base, { currency: 'CNY' });
    const { registerId } = await reg.evaluate(() => {
      const w = window as unknown as { __opentill: { till: { session(): { register: { id: string } } } } };
      return { registerId: w.__opentill.till.session().register.id };
    });
    const tiles = await pieceTiles(reg, api, 5);

    // a few sales first, so the back office has orders to show
    await sellTiles(reg, [tiles[0]!, tiles[1]!]);
    await sellTiles(reg, [tiles[2]!]);
    await sellTiles(reg, [tiles[3]!, tiles[4]!, tiles[0]!]);
    await waitSynced(reg, 30_000);

    // the cart: four lines, one of them twice
    for (const id of [tiles[0]!, tiles[0]!, tiles[1]!, tiles[2]!, tiles[3]!]) await tile(reg, id).click();
    await reg.getByTestId('cart-line').nth(3).waitFor();
    await settle(reg);
    const registerPng = join(DOCS, `register-${file}.png`);
    await reg.screenshot({ path: registerPng });
    written.push(registerPng);

    // the customer display follows the register (BroadcastChannel, same machine)
    const disp = await context.newPage();
    await disp.goto(`${server.base}/display?register=${registerId}&lang=${lang}`);
    await disp.getByTestId('display-cart').waitFor();
    await disp.getByTestId('display-line').nth(3).waitFor();
    await settle(disp);
    const displayPng = join(DOCS, `display-${file}.png`);
    await disp.screenshot({ path: displayPng });
    written.push(displayPng);

    // the back office's orders
    const adm = await context.newPage();
    await adm.goto(`${server.base}/admin#/orders`);
    await adm.getByTestId('admin-signin-username').fill('manager');
    await adm.getByTestId('admin-signin-password').fill(DEMO_PASSWORD);
    await adm.getByTestId('admin-signin-submit').click();
    await adm.getByTestId('admin-shell').waitFor();
    await adm.getByTestId('admin-nav-orders').click();
    await adm.getByTestId('admin-order-row').first().waitFor();
    await settle(adm);
    const adminPng = join(DOCS, `admin-${file}.png`);
    await adm.screenshot({ path: adminPng });
    written.push(adminPng);
  } finally {
    await browser.close();
  }
  return written;
}

mkdirSync(DOCS, { recursive: true });
await buildWebOnce();
const server = await startServer();
try {
  const api = await Api.login(server.base);
  for (const { lang, file } of LANGS) {
    for (const path of await shoot(server, api, lang, file)) console.log('wrote', path);
  }
} finally {
  await server.dispose();
}
