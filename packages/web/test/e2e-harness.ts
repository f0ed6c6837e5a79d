/**
 * The real-browser harness shared by the web tests (packages/web/test/*.test.ts), the screenshots
 * (bench/screenshots.ts) and the browser benchmark (bench/web.ts):
 *
 * - builds the web app once per test run (`npm run build`, guarded so parallel files build once);
 * - runs the REAL server as a child process (`opentill serve`) on a free port with its own SQLite
 *   file and the demo tenant, and can stop and restart it on the same port and file;
 * - launches Debian's Chromium through playwright-core with a persistent profile, so a test can
 *   close the browser and start it again with the same IndexedDB and service worker;
 * - talks to the API (login, orders, stock) to check what actually reached the server.
 *
 * A test file gets all of this in one call, `e2eSession()` (at the end of this file).
 *
 * A missing /usr/bin/chromium is an error, never a skip: `.ci/run` installs the package.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
export const DEMO_PASSWORD = 'opentill-demo';
export const VIEWPORT = { width: 1280, height: 800 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fails loudly (never skips) when the browser is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it ` +
        '(Debian: `apt-get install -y chromium fonts-wqy-microhei`; .ci/run does this).',
    );
  }
}

/**
 * The environment for child processes, without what the test runner adds: under Vitest
 * NODE_ENV is `test`, and a Vite build with that is not a production build (no service worker).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_ENV' || k.startsWith('VITEST') || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// build

/** The parent process (the test runner) by pid and, on Linux, start time (pids are reused). */
function runId(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return `${process.ppid}-${started ?? 0}`;
  } catch {
    return String(process.ppid);
  }
}

/**
 * `npm run build` once per test run. Vitest forks one process per file from the same parent, so
 * the parent's pid names the run; a lock directory keeps files running in parallel from building
 * (and emptying dist/) at the same time.
 */
export async function buildWebOnce(): Promise<void> {
  const run = runId();
  const stamp = join(tmpdir(), `opentill-web-build-${run}.done`);
  const lock = join(tmpdir(), `opentill-web-build-${run}.lock`);
  if (existsSync(stamp)) return;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
    } catch {
      // another file is building: wait for its stamp
      if (existsSync(stamp)) return;
      if (Date.now() > deadline) throw new Error('timed out waiting for the web build of another test file');
      await sleep(200);
      continue;
    }
    try {
      if (!existsSync(stamp)) {
        execFileSync('npm', ['run', 'build'], {
          cwd: ROOT,
          stdio: 'pipe',
          timeout: 120_000,
          env: childEnv({ NODE_ENV: 'production' }),
        });
        writeFileSync(stamp, new Date().toISOString());
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
}

// ---------------------------------------------------------------------------------------------
// server

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  /** SQLite file; a fresh one in a temp dir when absent */
  db?: string;
  port?: number;
  /** seed the demo tenant on first start (default on) */
  demo?: boolean;
  startTimeoutMs?: number;
}

/** The real server (`node packages/server/bin/opentill.js serve`) as a child process. */
export class TestServer {
  private child: ChildProcess | null = null;
  private output = '';
  readonly base: string;

  constructor(
    readonly port: number,
    readonly db: string,
    private readonly demo: boolean,
    private readonly startTimeoutMs: number,
    /** a temp dir made for this server, removed by dispose() */
    private readonly ownDir: string | null = null,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.output = '';
    const child = spawn(process.execPath, [join(ROOT, 'packages/server/bin/opentill.js'), 'serve'], {
      cwd: ROOT,
      env: childEnv({
        PORT: String(this.port),
        HOST: '127.0.0.1',
        OPENTILL_DB: this.db,
        OPENTILL_DEMO: this.demo ? '1' : '0',
        DATABASE_URL: '',
        LOG_LEVEL: process.env.OPENTILL_TEST_LOG_LEVEL ?? 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // never leave a server behind when this process ends early (a crash, a timeout)
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    child.once('exit', () => {
      exited = true;
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`the server exited while starting:\n${this.output}`);
      try {
        const res = await fetch(`${this.base}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await this.stop();
    throw new Error(`the server did not answer /health within ${this.startTimeoutMs} ms:\n${this.output}`);
  }

  /** SIGTERM (the server closes its database), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = await Promise.race([gone.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await gone;
    }
  }

  logs(): string {
    return this.output;
  }

  /** Stops the server and removes the database it made for itself. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
  }
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const ownDir = options.db ? null : mkdtempSync(join(tmpdir(), 'opentill-web-db-'));
  const db = options.db ?? join(ownDir!, 'opentill.db');
  const server = new TestServer(
    options.port ?? (await freePort()),
    db,
    options.demo ?? true,
    options.startTimeoutMs ?? 60_000,
    ownDir,
  );
  await server.start();
  return server;
}

// ---------------------------------------------------------------------------------------------
// API

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

const recoveryCodes = new Map<string, string[]>();

/** One unused recovery code of someone `Api.login` enrolled on this server (each works once). */
export function recoveryCode(base: string, username: string): string {
  const left = recoveryCodes.get(`${base}|${username}`);
  const code = left?.shift();
  if (!code) throw new Error(`no recovery code left for ${username}; was it enrolled by Api.login?`);
  return code;
}

/** RFC 4226/6238 with node:crypto: the 6-digit code of a base32 seed at `unixSeconds`. */
export function totpNow(seed: Buffer, unixSeconds = Math.floor(Date.now() / 1000)): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', seed).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A signed-in API client, to check what reached the server. */
export class Api {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  /**
   * Signs in with the demo password. Owners, managers and auditors owe a second factor: the
   * first sign-in enrols an authenticator app through the API (as a person would) and keeps the
   * recovery codes; later sign-ins spend one (`recoveryCode`).
   */
  static async login(base: string, username = 'manager'): Promise<Api> {
    const post = async (path: string, payload: unknown, token?: string) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(payload),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
    };
    const r = await post('/auth/login', { username, password: DEMO_PASSWORD });
    const token = r.body?.token as string | undefined;
    if (r.status !== 200 || !token) throw new Error(`login as ${username} failed: ${r.status}`);
    if (r.body.level === 'enrol') {
      const begin = await post('/auth/mfa/totp', {}, token);
      const { factorId, secret } = begin.body as { factorId: string; secret: string };
      const code = totpNow(base32(secret));
      const done = await post('/auth/mfa/totp/confirm', { factorId, code }, token);
      if (done.status !== 200) throw new Error(`TOTP enrolment of ${username} failed: ${done.status}`);
      recoveryCodes.set(`${base}|${username}`, (done.body.recoveryCodes as string[]) ?? []);
    } else if (r.body.level === 'mfa') {
      const code = recoveryCode(base, username);
      const ok = await post('/auth/mfa/verify', { method: 'recovery', code }, token);
      if (ok.status !== 200) throw new Error(`second factor of ${username} failed: ${ok.status}`);
    }
    return new Api(base, token);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }

  async get<T = unknown>(path: string): Promise<T> {
    const r = await this.call<T>('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async stores(): Promise<StoreRow[]> {
    return (await this.get<{ items: StoreRow[] }>('/stores')).items;
  }

  async registers(storeId: string): Promise<RegisterRow[]> {
    return (await this.get<{ items: RegisterRow[] }>(`/registers?storeId=${storeId}`)).items;
  }

  /** Every order (all pages), newest first; optionally for one register. */
  async orders(registerId?: string): Promise<OrderRow[]> {
    const all: OrderRow[] = [];
    let before: string | null = null;
    for (;;) {
      const q = new URLSearchParams({ limit: '200' });
      if (registerId) q.set('registerId', registerId);
      if (before) q.set('before', before);
      const page = await this.get<{ items: OrderRow[]; nextBefore: string | null }>(`/orders?${q}`);
      all.push(...page.items);
      if (!page.nextBefore || page.items.length === 0) return all;
      before = page.nextBefore;
    }
  }

  async order(id: string): Promise<OrderRow> {
    return this.get<OrderRow>(`/orders/${id}`);
  }

  async onHand(storeId: string, variantId: string): Promise<number> {
    const r = await this.get<{ items: { onHand: number }[] }>(
      `/stock?storeId=${storeId}&variantId=${variantId}`,
    );
    return r.items[0]?.onHand ?? 0;
  }
}

export interface StoreRow {
  id: string;
  name: string;
  currency: string;
}
export interface RegisterRow {
  id: string;
  storeId: string;
  name: string;
}
export interface OrderRow {
  id: string;
  status: string;
  registerId: string;
  total?: number;
  lines?: { id: string; variantId: string; quantity: number }[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// browser

export interface LaunchOptions {
  /** persistent profile dir (IndexedDB, service worker, caches); a fresh temp dir when absent */
  dir?: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /** the default timeout of every wait and action (default 15 s) */
  actionTimeoutMs?: number;
}

export interface Browser {
  context: BrowserContext;
  dir: string;
  /** closes the browser and starts it again on the same profile */
  restart(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  requireChromium();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'opentill-web-profile-'));
  const launch = async () => {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: options.viewport ?? VIEWPORT,
      locale: options.locale ?? 'en-US',
      timeout: 60_000,
    });
    // bounded waits: a stuck step fails with its locator instead of hanging the run
    context.setDefaultTimeout(options.actionTimeoutMs ?? 15_000);
    context.setDefaultNavigationTimeout(30_000);
    return context;
  };
  const browser: Browser = {
    context: await launch(),
    dir,
    async restart() {
      await browser.context.close();
      browser.context = await launch();
      return browser.context;
    },
    async close() {
      await browser.context.close().catch(() => undefined);
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return browser;
}

/** The first page of a persistent context (it opens with one blank page). */
export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/** Collects page errors so a test can fail on them. */
export function watchErrors(page: Page, into: string[]): void {
  page.on('pageerror', (e) => into.push(`pageerror: ${e.message}`));
}

// ---------------------------------------------------------------------------------------------
// register flows (through the UI, by data-testid; see register/register-app.tsx)

export interface TillWindow {
  __opentill?: {
    till: {
      start(): Promise<void>;
      sync(): { online: boolean; unsynced: number; rejected: number; leader: boolean };
      session(): { register: { id: string }; store: { id: string } } | null;
    };
    db: { items: { count(): Promise<number> } };
  };
  __opentillMissingKeys?: string[];
}

/** Signs in on the register and picks the first register of the store with that currency. */
export async function registerLogin(
  page: Page,
  base: string,
  options: { currency?: string; username?: string } = {},
): Promise<{ registerId: string; storeId: string }> {
  const T = (id: string) => page.getByTestId(id);
  await page.goto(`${base}/`);
  await passwordSignInScreen(page);
  await T('login-username').fill(options.username ?? 'cashier');
  await T('login-password').fill(DEMO_PASSWORD);
  await T('login-submit').click();
  await page.locator('[data-testid=choose-register],[data-testid=search-input]').first().waitFor();
  if (await T('choose-register').count()) {
    await T('store-option')
      .filter({ hasText: options.currency ?? 'CNY' })
      .click();
    await T('register-option').first().click();
  }
  await T('search-input').waitFor();
  await T('product-tile').first().waitFor();
  return registerSession(page);
}

/**
 * From the register's first screen to its password sign-in: an unpaired register first asks for
 * a pairing code (first run), and a paired one for a PIN; both offer the password instead.
 */
export async function passwordSignInScreen(page: Page): Promise<void> {
  const T = (id: string) => page.getByTestId(id);
  await page
    .locator('[data-testid=login-form],[data-testid=pairing-form],[data-testid=pin-login-form]')
    .first()
    .waitFor();
  if (await T('pairing-form').count()) await T('pairing-skip').click();
  else if (await T('pin-login-form').count()) await T('use-password').click();
  await T('login-form').waitFor();
}

/**
 * Pairs the register in this browser with a code from the back office (made through the API by a
 * manager, as the Devices page does) and signs a cashier in with username and PIN.
 */
export async function pairRegisterAndPinSignIn(
  page: Page,
  base: string,
  manager: Api,
  options: { storeId: string; registerId: string; username?: string; pin?: string },
): Promise<{ deviceId: string }> {
  const T = (id: string) => page.getByTestId(id);
  const made = await manager.call<{ device: { id: string }; pairing: { code: string } }>('POST', '/devices', {
    kind: 'register',
    name: 'Browser till',
    storeId: options.storeId,
    registerId: options.registerId,
  });
  if (made.status !== 201)
    throw new Error(`registering the device failed: ${made.status} ${JSON.stringify(made.body)}`);
  await page.goto(`${base}/`);
  await page.locator('[data-testid=login-form],[data-testid=pairing-form]').first().waitFor();
  if (await T('login-form').count()) await T('pairing-open').click();
  await T('pairing-code').fill(made.body.pairing.code);
  await T('pairing-submit').click();
  await T('pin-login-form').waitFor();
  await T('pin-login-username').fill(options.username ?? 'cashier');
  await T('pin-login-pin').fill(options.pin ?? '1234');
  await T('pin-login-submit').click();
  await T('search-input').waitFor();
  await T('product-tile').first().waitFor();
  return { deviceId: made.body.device.id };
}

export async function registerSession(page: Page): Promise<{ registerId: string; storeId: string }> {
  await page.waitForFunction(() => !!(window as TillWindow).__opentill?.till.session());
  return page.evaluate(() => {
    const s = (window as TillWindow).__opentill!.till.session()!;
    return { registerId: s.register.id, storeId: s.store.id };
  });
}

/** A tile that adds one unit straight away (not weighed), by variant id. */
export function tile(page: Page, variantId: string) {
  return page.locator(`[data-testid=product-tile][data-variant-id="${variantId}"]`);
}

/** The variant ids of the tiles on the grid that sell by the piece. */
export async function pieceTiles(page: Page, api: Api, count: number): Promise<string[]> {
  const ids = await page
    .getByTestId('product-tile')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-variant-id') ?? ''));
  const picked: string[] = [];
  for (const id of ids) {
    if (!id || picked.includes(id)) continue;
    const v = await api.get<{ unit: string }>(`/variants/${id}`);
    if (v.unit === 'each') picked.push(id);
    if (picked.length === count) return picked;
  }
  throw new Error(`only ${picked.length} piece-sold tiles on the grid, wanted ${count}`);
}

/** Pays the current cart with exactly the cash due and returns the receipt's order id. */
export async function payExactCash(page: Page): Promise<string> {
  const T = (id: string) => page.getByTestId(id);
  await T('pay-button').click();
  await T('pay-screen').waitFor();
  await T('tender-cash').click();
  await page.keyboard.press('F4');
  await T('complete-sale').click();
  await T('receipt').waitFor();
  const id = await T('receipt').getAttribute('data-order-id');
  if (!id) throw new Error('the receipt has no order id');
  return id;
}

/** Sells the given variants (one of each, by tile) for exact cash; back on the sale screen after. */
export async function sellTiles(page: Page, variantIds: string[]): Promise<string> {
  for (const id of variantIds) await tile(page, id).first().click();
  const orderId = await payExactCash(page);
  await page.getByTestId('new-sale').click();
  await page.getByTestId('cart-empty').waitFor();
  return orderId;
}

/** Waits until the till's outbox is empty (all sales on the server). */
export async function waitSynced(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const t = (window as TillWindow).__opentill?.till;
      return !!t && t.sync().unsynced === 0;
    },
    null,
    { timeout: timeoutMs, polling: 100 },
  );
}

export async function unsynced(page: Page): Promise<number> {
  return page.evaluate(() => (window as TillWindow).__opentill?.till.sync().unsynced ?? -1);
}

// ---------------------------------------------------------------------------------------------
// payment terminal

/** The sandbox's named test cards (packages/payments TERMINAL_TEST_CARDS). */
export type TestCardName =
  'visa' | 'visa_debit_pin' | 'unionpay_pin' | 'mastercard' | 'declined' | 'insufficient_funds';

export interface PresentOptions {
  entryMode?: 'chip' | 'contactless' | 'swipe' | 'manual';
  /** the shopper types a wrong PIN on the terminal (PIN cards) */
  wrongPin?: boolean;
  /**
   * the register is offline: the card goes to the terminal's local link in the register page
   * (store-and-forward), not through the server
   */
  offline?: boolean;
}

/**
 * The ONE way the browser tests put a test card on a register's simulated payment terminal (the
 * shopper taps or inserts it); its next read takes it. Online the server drives the terminal, so
 * the card is presented through the API (`POST /payments/terminals/{id}/present`, as `api`'s
 * staff); offline the register reads the terminal over its local link, so the card is presented
 * to the simulated terminal in the page. When terminals get their own credentials, change this
 * function only.
 */
export async function presentCard(
  to: { api: Api; page: Page; registerId: string },
  card: TestCardName,
  options: PresentOptions = {},
): Promise<void> {
  const entryMode = options.entryMode ?? 'contactless';
  if (options.offline) {
    await to.page.evaluate(
      (next) => {
        const w = window as unknown as {
          __opentill?: { terminal?: { present(p: { card: string; entryMode: string }): void } };
        };
        if (!w.__opentill?.terminal) throw new Error('the register has no simulated terminal');
        w.__opentill.terminal.present(next);
      },
      { card, entryMode },
    );
    return;
  }
  const terminal = await terminalFor(to.api, to.registerId);
  const res = await fetch(`${to.api.base}/api/v1/payments/terminals/${to.registerId}/present`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${terminal}` },
    body: JSON.stringify({ card, entryMode, ...(options.wrongPin ? { wrongPin: true } : {}) }),
  });
  if (res.status !== 204) throw new Error(`presenting ${card}: ${res.status} ${await res.text()}`);
}

const terminals = new Map<string, Promise<string>>();

/**
 * The device token of a payment terminal paired to this register, paired once per server as a
 * merchant would: the back office registers the terminal, the terminal trades the pairing code for
 * its credential and the credential for a token. `api` must be an owner or a manager.
 */
function terminalFor(api: Api, registerId: string): Promise<string> {
  const key = `${api.base} ${registerId}`;
  let token = terminals.get(key);
  if (!token) {
    token = (async () => {
      const all = await api.get<{ items: RegisterRow[] }>('/registers');
      const storeId = all.items.find((r) => r.id === registerId)?.storeId;
      if (!storeId) throw new Error(`register ${registerId} is in no store`);
      const made = await api.call<{ pairing: { code: string } }>('POST', '/devices', {
        kind: 'payment_terminal',
        name: `Terminal for ${registerId}`,
        storeId,
        registerId,
      });
      if (made.status !== 201 && made.status !== 200)
        throw new Error(`registering a terminal: ${made.status} ${JSON.stringify(made.body)}`);
      const post = async (path: string, body: unknown, bearer?: string) => {
        const res = await fetch(`${api.base}/api/v1${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          },
          body: JSON.stringify(body),
        });
        const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
        return json ?? {};
      };
      const paired = await post('/devices/pair', { code: made.body.pairing.code });
      const tok = await post('/devices/token', {}, paired.credential as string);
      return tok.token as string;
    })();
    terminals.set(key, token);
  }
  return token;
}

// ---------------------------------------------------------------------------------------------
// one setup for a test file

export interface E2eSessionOptions {
  /** who the API client signs in as (default `manager`); false for no API client */
  login?: string | false;
  server?: ServerOptions;
  /** the time the setup may take (default 120 s) */
  timeoutMs?: number;
}

/** What a test file works with; the fields are there once the file's `beforeAll` has run. */
export interface E2eSession {
  server: TestServer;
  browser: Browser;
  /** the browser's first page, its errors collected in `errors` */
  page: Page;
  api: Api;
  /** page errors of `page` (add others with `watchErrors(other, session.errors)`) */
  errors: string[];
}

/**
 * The setup of a browser test file: registers a `beforeAll` that builds the web app (once per
 * run), starts the real server with the demo tenant, signs in to the API, launches Chromium and
 * watches its first page for errors, and an `afterAll` that closes the browser and disposes of
 * the server. Call it at the top level of the file; a field read before the setup has run throws.
 */
export function e2eSession(options: E2eSessionOptions = {}): E2eSession {
  const filled: Partial<E2eSession> = {};
  const errors: string[] = [];
  const field = <K extends 'server' | 'browser' | 'page' | 'api'>(name: K): E2eSession[K] => {
    const value = filled[name];
    if (value === undefined) {
      throw new Error(
        name === 'api' && options.login === false
          ? 'this e2eSession has no API client (login: false)'
          : `e2eSession().${name} is read before its beforeAll has run`,
      );
    }
    return value as E2eSession[K];
  };
  beforeAll(async () => {
    await buildWebOnce();
    filled.server = await startServer(options.server);
    if (options.login !== false) filled.api = await Api.login(filled.server.base, options.login ?? 'manager');
    filled.browser = await launchBrowser();
    filled.page = await firstPage(filled.browser.context);
    watchErrors(filled.page, errors);
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    await filled.browser?.close();
    await filled.server?.dispose();
  });
  return {
    get server() {
      return field('server');
    },
    get browser() {
      return field('browser');
    },
    get page() {
      return field('page');
    },
    get api() {
      return field('api');
    },
    errors,
  };
}
