// Real browser: the register sells with the server unreachable (the network cut, then the server
// process stopped), keeps its sales through a reload and a browser restart, and when the server is
// back every sale reaches it exactly once and stock moves by exactly what was sold.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Api,
  buildWebOnce,
  firstPage,
  launchBrowser,
  pieceTiles,
  registerLogin,
  registerSession,
  sellTiles,
  startServer,
  unsynced,
  waitSynced,
  watchErrors,
  type Browser,
  type TestServer,
} from './e2e-harness';

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

interface Setup {
  browser: Browser;
  page: Page;
  registerId: string;
  storeId: string;
  a: string;
  b: string;
  stockBefore: { a: number; b: number };
  ordersBefore: string[];
  errors: string[];
}

/** A fresh browser, signed in on the register, the service worker controlling the page. */
async function setUp(currency: string): Promise<Setup> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = await firstPage(browser.context);
  const errors: string[] = [];
  watchErrors(page, errors);
  const { registerId, storeId } = await registerLogin(page, server.base, { currency });
  // the app shell is cached once the service worker is active and controls the page
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 15_000 });
  const [a, b] = await pieceTiles(page, api, 2);
  return {
    browser,
    page,
    registerId,
    storeId,
    a: a!,
    b: b!,
    stockBefore: { a: await api.onHand(storeId, a!), b: await api.onHand(storeId, b!) },
    ordersBefore: (await api.orders(registerId)).map((o) => o.id),
    errors,
  };
}

/** Three sales: A; A+B; B+A — 3 of A and 2 of B in all. Returns their order ids. */
async function sellThree(page: Page, a: string, b: string): Promise<string[]> {
  const ids = [await sellTiles(page, [a]), await sellTiles(page, [a, b]), await sellTiles(page, [b, a])];
  expect(new Set(ids).size).toBe(3);
  await expect.poll(() => unsynced(page)).toBe(3);
  expect(await page.getByTestId('sync-badge').getAttribute('data-unsynced')).toBe('3');
  return ids;
}

/** The page is the register again (after a reload or a browser restart), still holding 3 sales. */
async function stillThere(page: Page, registerId: string): Promise<void> {
  expect((await registerSession(page)).registerId).toBe(registerId);
  await page.getByTestId('product-tile').first().waitFor();
  await expect.poll(() => unsynced(page)).toBe(3);
}

/** Exactly the three sales are on the server, once each, and stock moved by what was sold. */
async function checkServer(s: Setup, sold: string[]): Promise<void> {
  const orders = await api.orders(s.registerId);
  const ids = orders.map((o) => o.id);
  expect(new Set(ids).size, 'duplicate orders on the server').toBe(ids.length);
  const fresh = ids.filter((id) => !s.ordersBefore.includes(id));
  expect(fresh.sort()).toEqual([...sold].sort());
  for (const id of sold) expect((await api.order(id)).status).toBe('paid');
  expect(await api.onHand(s.storeId, s.a)).toBe(s.stockBefore.a - 3);
  expect(await api.onHand(s.storeId, s.b)).toBe(s.stockBefore.b - 2);
}

describe('register offline', () => {
  test(
    'network cut: sell 3, reload, restart the browser, reconnect: exactly 3 orders',
    { timeout: 120_000 },
    async () => {
      const s = await setUp('CNY');
      await s.browser.context.setOffline(true);
      await expect.poll(() => s.page.getByTestId('sync-badge').getAttribute('data-online')).toBe('false');

      const sold = await sellThree(s.page, s.a, s.b);

      await s.page.reload();
      await stillThere(s.page, s.registerId);

      const context = await s.browser.restart();
      await context.setOffline(true);
      const page = await firstPage(context);
      watchErrors(page, s.errors);
      await page.goto(`${server.base}/`);
      await stillThere(page, s.registerId);
      // nothing reached the server while offline
      expect((await api.orders(s.registerId)).length).toBe(s.ordersBefore.length);

      await context.setOffline(false);
      await waitSynced(page, 60_000);
      await expect.poll(() => page.getByTestId('sync-badge').getAttribute('data-unsynced')).toBe('0');
      await checkServer(s, sold);
      expect(s.errors).toEqual([]);
    },
  );

  test(
    'server stopped: sell 3, reload, restart the browser, start the server: exactly 3 orders',
    { timeout: 120_000 },
    async () => {
      const s = await setUp('USD');
      await server.stop();

      const sold = await sellThree(s.page, s.a, s.b);
      await expect.poll(() => s.page.getByTestId('sync-badge').getAttribute('data-online')).toBe('false');

      await s.page.reload();
      await stillThere(s.page, s.registerId);

      const context = await s.browser.restart();
      const page = await firstPage(context);
      watchErrors(page, s.errors);
      await page.goto(`${server.base}/`);
      await stillThere(page, s.registerId);

      await server.start();
      await waitSynced(page, 60_000);
      await expect.poll(() => page.getByTestId('sync-badge').getAttribute('data-online')).toBe('true');
      await checkServer(s, sold);
      expect(s.errors).toEqual([]);
    },
  );
});
