// Real browser: the back office's compliance pages. A large cash sale reaches the server's AML
// consumer through the outbox and shows up as a case; the owner moves it, runs the PCI check
// and screens a name; both languages show no missing key; the auditor reads without actions.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  Api,
  buildWebOnce,
  childEnv,
  DEMO_PASSWORD,
  firstPage,
  recoveryCode,
  launchBrowser,
  ROOT,
  startServer,
  watchErrors,
  type Browser,
  type TestServer,
  type TillWindow,
} from './e2e-harness';

let server: TestServer;
const browsers: Browser[] = [];

beforeAll(async () => {
  await buildWebOnce();
  server = await startServer();
}, 120_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.dispose();
});

test('compliance pages: case from a large cash sale, transitions, PCI check, screening, both languages', async () => {
  // the sanctions fixtures go in through the CLI, into the server's own database
  const fixtures = join(ROOT, 'packages/server/src/modules/compliance/sanctions/fixtures');
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'packages/server/bin/opentill.js'), ...args], {
      cwd: ROOT,
      env: childEnv({ OPENTILL_DB: server.db, DATABASE_URL: '', LOG_LEVEL: 'warn' }),
      encoding: 'utf8',
    });
  expect(cli('sanctions', 'import', '--source', 'ofac', '--from', fixtures)).toContain('imported 5 entries');

  // a cash sale of CNY 50,000+ for a named customer in the Shanghai store
  const cashier = await Api.login(server.base, 'cashier');
  const stores = await cashier.stores();
  const sh = stores.find((s) => s.currency === 'CNY')!;
  const [register] = await cashier.registers(sh.id);
  const products = await cashier.get<{
    items: { variants: { id: string; prices: Record<string, number> }[] }[];
  }>(`/products?storeId=${sh.id}&limit=5`);
  const variant = products.items.flatMap((p) => p.variants).find((v) => v.prices[sh.id])!;
  const price = variant.prices[sh.id]!;
  const quantity = Math.ceil(5_000_000 / price);
  const owner = await Api.login(server.base, 'owner');
  const member = await owner.call<{ id: string }>('POST', '/customers', { name: 'Large Cash Buyer' });
  expect(member.status).toBe(201);
  const customerId = member.body.id;
  const orderId = `ord_${Date.now().toString(16)}-e2e-compliance`;
  const sold = await fetch(`${server.base}/api/v1/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${cashier.token}`,
      'content-type': 'application/json',
      'idempotency-key': `sale-${orderId}`,
    },
    body: JSON.stringify({
      id: orderId,
      storeId: sh.id,
      registerId: register!.id,
      customerId,
      lines: [{ variantId: variant.id, quantity }],
      tenders: [{ kind: 'cash', amount: price * quantity }],
    }),
  });
  expect(sold.status).toBe(201);

  // the server's AML consumer picks the sale up from the outbox (it polls every second)
  let caseId: string | undefined;
  for (let i = 0; i < 50 && !caseId; i++) {
    const cases = await owner.get<{ items: { id: string; subject: string }[] }>('/compliance/cases');
    caseId = cases.items.find((c) => c.subject === `customer:${customerId}`)?.id;
    if (!caseId) await new Promise((r) => setTimeout(r, 200));
  }
  expect(caseId).toBeDefined();

  const browser = await launchBrowser();
  browsers.push(browser);
  const page = await firstPage(browser.context);
  const errors: string[] = [];
  watchErrors(page, errors);
  const A = (id: string) => page.getByTestId(id);
  const missingKeys = () => page.evaluate(() => (window as TillWindow).__opentillMissingKeys ?? []);

  // Api.login enrolled each person's authenticator app: the browser sign-in asks for a second
  // factor, answered here with one of their recovery codes
  await Api.login(server.base, 'auditor');
  await Api.login(server.base, 'manager');
  const signIn = async (username: string) => {
    await A('admin-signin-username').fill(username);
    await A('admin-signin-password').fill(DEMO_PASSWORD);
    await A('admin-signin-submit').click();
    await A('admin-mfa').waitFor();
    await A('admin-mfa-recovery').click();
    await A('admin-mfa-code').fill(recoveryCode(server.base, username));
    await A('admin-mfa-submit').click();
    await A('admin-shell').waitFor();
  };
  await page.goto(`${server.base}/admin`);
  await signIn('owner');
  await A('admin-nav-compliance').click();
  await A('admin-case-row').first().waitFor();
  await page.getByText(`customer:${customerId}`).first().click();
  await A('admin-case').waitFor();
  await A('admin-case-move-to').selectOption('investigating');
  await A('admin-case-move').click();
  await page.getByRole('heading', { name: /Investigating/ }).waitFor();
  await A('admin-case-note').fill('Asked the customer for ID.');
  await A('admin-case-note-add').click();
  await page.getByText('Asked the customer for ID.').waitFor();

  await A('admin-nav-pci').click();
  await A('admin-pci-run').click();
  await A('admin-pci-item').first().waitFor();
  expect(await A('admin-pci-item').count()).toBeGreaterThanOrEqual(10);

  await A('admin-nav-sanctions').click();
  await A('admin-screen-name').fill('Zhao Minghui');
  await A('admin-screen-submit').click();
  await A('admin-screening-row').first().waitFor();
  await expect.poll(() => page.getByText('ZHAO, Minghui').count()).toBeGreaterThan(0);

  await A('admin-nav-amlRules').click();
  await A('admin-rules-CN').waitFor();
  await A('admin-nav-privacy').click();
  await A('admin-privacy-subject').fill(customerId);
  await A('admin-privacy-create').click();
  await A('admin-privacy-row').first().waitFor();

  // 简体中文: the same pages, no missing key
  await A('admin-lang').click();
  await page.getByText('反洗钱案件').first().waitFor();
  for (const s of ['compliance', 'amlRules', 'sanctions', 'pci', 'privacy']) {
    await A(`admin-nav-${s}`).click();
    await page.waitForTimeout(200);
  }
  expect(await missingKeys()).toEqual([]);
  await A('admin-lang').click();

  // the auditor reads the same pages without the buttons that act
  await A('admin-signout').click();
  await signIn('auditor');
  await A('admin-nav-pci').click();
  await A('admin-pci-item').first().waitFor();
  expect(await A('admin-pci-run').count()).toBe(0);
  // managers do not see compliance at all
  await A('admin-signout').click();
  await signIn('manager');
  expect(await A('admin-nav-compliance').count()).toBe(0);
  expect(errors).toEqual([]);
}, 180_000);
