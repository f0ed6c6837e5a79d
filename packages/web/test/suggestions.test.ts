// Real browser: "frequently bought together" for the cart. A sales history is generated and rules
// are mined first; adding an item shows suggestions under the cart and on the customer display, and
// tapping one adds it to the cart like a product tile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api, childEnv, e2eSession, pieceTiles, registerLogin, ROOT, tile, watchErrors } from './e2e-harness';

const dir = mkdtempSync(join(tmpdir(), 'opentill-web-suggest-'));
const db = join(dir, 'opentill.db');

// registered before the session's hooks: the history is generated before the server starts, and
// the directory is removed after the server has stopped (after-hooks run in reverse order)
beforeAll(() => {
  // the demo tenant with a sales history the rules are mined from
  const gen = spawnSync(
    process.execPath,
    [join(ROOT, 'packages/server/bin/opentill.js'), 'gen', '--orders', '300'],
    {
      cwd: ROOT,
      env: childEnv({ OPENTILL_DB: db, DATABASE_URL: '' }),
      encoding: 'utf8',
    },
  );
  if (gen.status !== 0) throw new Error(`opentill gen failed:\n${gen.stdout}\n${gen.stderr}`);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const e2e = e2eSession({ login: 'owner', server: { db } });

describe('register: frequently bought together', () => {
  test(
    'suggestions for the cart on the register and the display; a tap adds one',
    { timeout: 120_000 },
    async () => {
      const owner = e2e.api;
      const mined = await owner.call<{ rules: number }>('POST', '/insights/rules/mine', {
        days: 60,
        minSupport: 0.003,
        minConfidence: 0.2,
      });
      expect(mined.status, JSON.stringify(mined.body)).toBe(200);
      expect(mined.body.rules).toBeGreaterThan(0);

      const T = (id: string) => e2e.page.getByTestId(id);
      const { registerId } = await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' });
      const cashier = await Api.login(e2e.server.base, 'cashier');
      const [a] = await pieceTiles(e2e.page, cashier, 1);
      const asked = await cashier.get<{ items: { variantId: string }[] }>(
        `/insights/recommendations?variantIds=${a}&limit=8`,
      );
      expect(asked.items.length).toBeGreaterThan(0);

      // no cart, no strip
      expect(await T('suggestions').count()).toBe(0);
      await tile(e2e.page, a!).click();
      await T('suggestion').first().waitFor();
      const shown = await T('suggestion').evaluateAll((els) =>
        els.map((e) => ({ id: e.getAttribute('data-variant-id') ?? '', text: e.textContent ?? '' })),
      );
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThanOrEqual(4);
      expect(await T('suggestions').textContent()).toContain('Frequently bought together');
      // what the server suggested, in its order, without the item already in the cart
      const offered = asked.items.map((i) => i.variantId).filter((id) => id !== a);
      expect(shown.map((s) => s.id)).toEqual(offered.filter((id) => shown.some((s) => s.id === id)));
      expect(shown[0]!.id).toBe(offered.find((id) => shown.some((s) => s.id === id)));
      // local names and store prices (the register's own catalog), in the strip's order
      const local = await e2e.page.evaluate(
        (ids) =>
          (
            window as unknown as {
              __opentill: {
                till: {
                  itemsByIds(
                    ids: string[],
                  ): Promise<{ variantId: string; name: string; unit: string; price: number | null }[]>;
                };
              };
            }
          ).__opentill.till.itemsByIds(ids),
        shown.map((x) => x.id),
      );
      expect(local.map((l) => l.variantId)).toEqual(shown.map((x) => x.id));
      shown.forEach((x, i) => expect(x.text).toContain(local[i]!.name));
      expect(local.every((l) => l.price !== null)).toBe(true);
      const v = local[0]!;
      // a tap on a piece-sold item adds it straight away (a weighed one asks for the weight first)
      const pick = local.find((l) => l.unit === 'each');
      expect(pick, 'no piece-sold suggestion to tap').toBeDefined();

      // the customer display shows the same suggestions with the cart
      const display = await e2e.browser.context.newPage();
      watchErrors(display, e2e.errors);
      await display.goto(`${e2e.server.base}/display?register=${registerId}&lang=en`);
      await display.getByTestId('display-suggestion').first().waitFor();
      expect(await display.getByTestId('display-suggestions').textContent()).toContain('You may also like');
      expect(await display.getByTestId('display-suggestion').count()).toBe(shown.length);
      expect(await display.getByTestId('display-suggestion').first().textContent()).toContain(v.name);
      await e2e.page.bringToFront();

      // a tap adds it to the cart, and it leaves the strip
      await e2e.page.locator(`[data-testid=suggestion][data-variant-id="${pick!.variantId}"]`).click();
      const line = e2e.page.locator(`[data-testid=cart-line][data-variant-id="${pick!.variantId}"]`);
      await line.waitFor();
      expect(await T('cart-line').count()).toBe(2);
      await expect
        .poll(() =>
          e2e.page.locator(`[data-testid=suggestion][data-variant-id="${pick!.variantId}"]`).count(),
        )
        .toBe(0);
      await expect.poll(() => display.getByTestId('display-line').count()).toBe(2);

      // emptying the cart hides the strip
      await T('clear-cart').click();
      await T('cart-empty').waitFor();
      expect(await T('suggestions').count()).toBe(0);
      expect(e2e.errors).toEqual([]);
    },
  );
});
