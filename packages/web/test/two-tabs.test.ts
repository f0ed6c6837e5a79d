// Real browser: two tabs on one register sell while offline; back online, every sale reaches the
// server once (one tab pushes the outbox; when it closes the other takes over).
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  e2eSession,
  pieceTiles,
  registerLogin,
  registerSession,
  sellTiles,
  unsynced,
  waitSynced,
  watchErrors,
  type TillWindow,
} from './e2e-harness';

const e2e = e2eSession();

const isLeader = (page: Page) => page.evaluate(() => (window as TillWindow).__opentill!.till.sync().leader);

describe('register in two tabs', () => {
  test('both tabs sell offline: no sale lost, none duplicated', { timeout: 120_000 }, async () => {
    const tabA = e2e.page;
    const { registerId, storeId } = await registerLogin(tabA, e2e.server.base, { currency: 'CNY' });
    const [a, b] = await pieceTiles(tabA, e2e.api, 2);
    const stockBefore = { a: await e2e.api.onHand(storeId, a!), b: await e2e.api.onHand(storeId, b!) };

    // the second tab opens on the same device: same session, same register
    const tabB = await e2e.browser.context.newPage();
    watchErrors(tabB, e2e.errors);
    await tabB.goto(`${e2e.server.base}/`);
    expect((await registerSession(tabB)).registerId).toBe(registerId);
    await tabB.getByTestId('product-tile').first().waitFor();
    // exactly one tab pushes the outbox
    await expect
      .poll(async () => [await isLeader(tabA), await isLeader(tabB)].filter(Boolean).length)
      .toBe(1);

    await e2e.browser.context.setOffline(true);
    const sold: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const tab of [tabA, tabB]) {
        await tab.bringToFront();
        sold.push(await sellTiles(tab, round % 2 === 0 ? [a!] : [a!, b!]));
      }
    }
    expect(new Set(sold).size).toBe(6);
    // both tabs see the one outbox
    await expect.poll(() => unsynced(tabA)).toBe(6);
    await expect.poll(() => unsynced(tabB)).toBe(6);
    expect((await e2e.api.orders(registerId)).length).toBe(0);

    // the pushing tab goes away while offline: the other one takes over
    const [leader, other] = (await isLeader(tabA)) ? [tabA, tabB] : [tabB, tabA];
    await leader.close();
    await expect.poll(() => isLeader(other)).toBe(true);

    await e2e.browser.context.setOffline(false);
    await waitSynced(other, 60_000);

    const orders = await e2e.api.orders(registerId);
    const ids = orders.map((o) => o.id);
    expect(new Set(ids).size, 'duplicate orders on the server').toBe(ids.length);
    expect(ids.sort()).toEqual([...sold].sort());
    // 6 of A (one in every sale), 2 of B (the second round, in both tabs)
    expect(await e2e.api.onHand(storeId, a!)).toBe(stockBefore.a - 6);
    expect(await e2e.api.onHand(storeId, b!)).toBe(stockBefore.b - 2);
    expect(e2e.errors).toEqual([]);
  });
});
