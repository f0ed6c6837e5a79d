/**
 * README screenshots of the back office's Analytics page, in English and 简体中文, at 1280×1000:
 * builds the web app, starts the real server on a fresh demo database, fills it with generated
 * history (`opentill gen`, every order through the real checkout), mines rules and scores RFM
 * through the API, signs in as the owner in Chromium (password, then the second factor with a
 * recovery code of the authenticator the API enrolled) and writes
 *
 *   docs/img/analytics.png (English)   docs/img/analytics-zh.png (简体中文)
 *
 *   node --import tsx bench/analytics-screenshot.ts [--orders 1500] [--days 45]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Api,
  buildWebOnce,
  childEnv,
  DEMO_PASSWORD,
  firstPage,
  launchBrowser,
  recoveryCode,
  ROOT,
  startServer,
  type TestServer,
} from '../packages/web/test/e2e-harness';

const { values: args } = parseArgs({ options: { orders: { type: 'string' }, days: { type: 'string' } } });
const ORDERS = String(Number(args.orders ?? 1500));
const DAYS = String(Number(args.days ?? 45));
const OUT = join(ROOT, 'docs', 'img');

async function shoot(server: TestServer, lang: 'en' | 'zh-CN', file: string) {
  const browser = await launchBrowser({
    locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US',
    viewport: { width: 1280, height: 1000 },
  });
  try {
    const context = browser.context;
    await context.addInitScript((l) => localStorage.setItem('opentill.lang', l), lang);
    const page = await firstPage(context);
    const A = (id: string) => page.getByTestId(id);
    await page.goto(`${server.base}/admin`);
    await A('admin-signin-username').fill('owner');
    await A('admin-signin-password').fill(DEMO_PASSWORD);
    await A('admin-signin-submit').click();
    await A('admin-mfa').waitFor();
    await A('admin-mfa-recovery').click();
    await A('admin-mfa-code').fill(recoveryCode(server.base, 'owner'));
    await A('admin-mfa-submit').click();
    await A('admin-shell').waitFor();
    await A('admin-nav-analytics').click();
    await A('admin-analytics').waitFor();
    await A('admin-an-summary').waitFor();
    // charts draw into canvases; tables fill when their queries answer
    await page.locator('[data-testid="admin-analytics"] canvas').first().waitFor();
    await page.locator('[data-testid="admin-an-table-top"] tbody tr').first().waitFor();
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    // the click on the menu entry scrolled the page: show the page from its top
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(1200); // ECharts' entry animation
    const path = join(OUT, `analytics${file}.png`);
    await page.screenshot({ path });
    return path;
  } finally {
    await browser.close();
  }
}

mkdirSync(OUT, { recursive: true });
await buildWebOnce();
// first start seeds the demo merchant; history is generated with the server stopped
const server = await startServer();
try {
  await server.stop();
  const cli = join(ROOT, 'packages/server/bin/opentill.js');
  const env = childEnv({ OPENTILL_DB: server.db, DATABASE_URL: '' });
  console.log(
    execFileSync(process.execPath, [cli, 'gen', '--orders', ORDERS, '--days', DAYS], { env })
      .toString()
      .trim(),
  );
  await server.start();
  const owner = await Api.login(server.base, 'owner');
  for (const [path, body] of [
    ['/insights/rules/mine', { days: Number(DAYS), minSupport: 0.005, minConfidence: 0.2 }],
    ['/insights/segments/refresh', undefined],
  ] as const) {
    const r = await owner.call('POST', path, body);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  // one recovery code per browser sign-in below
  for (const [lang, file] of [
    ['en', ''],
    ['zh-CN', '-zh'],
  ] as const) {
    console.log('wrote', await shoot(server, lang, file));
  }
} finally {
  await server.dispose();
}
