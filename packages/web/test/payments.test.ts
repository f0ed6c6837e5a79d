// Real browser: the register's tender screens against the real server, its simulated payment
// terminals and the in-process sandbox acquirer (ISO 8583 over TCP) and sandbox wallet. Card on
// the terminal (approved; declined 51; partial approval then cash for the rest), an e-wallet QR on
// the customer display paid by the sandbox's signed callback, a tip chosen on the customer display,
// a gift card in split tender, and card sales taken offline under the register's floor limit,
// forwarded when the network returns (the declined one on the back office's exception list).
// Every test checks the order as the server keeps it afterwards.
import { decodeQr, summarizeQr } from '@opentill/payments';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DEMO_PASSWORD,
  e2eSession,
  pieceTiles,
  presentCard,
  recoveryCode,
  registerLogin,
  tile,
  unsynced,
  waitSynced,
  watchErrors,
  type OrderRow,
  type TillWindow,
} from './e2e-harness';

const e2e = e2eSession();
let registerId = '';
let storeId = '';
let items: string[] = [];

interface Payment {
  kind: string;
  status: string;
  amount: number;
  tendered: number;
  reference: string | null;
}
type Order = OrderRow & { total: number; tip: number; change: number; payments: Payment[] };

interface LimitWindow {
  __opentill: {
    till: { refresh(): Promise<void>; session(): { register: { offlineCardLimit: number } } | null };
  };
}

const T = (id: string) => e2e.page.getByTestId(id);
const minor = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));
/** Minor units (CNY, exponent 2) as the cashier types them. */
const typed = (amount: number) => (amount / 100).toFixed(2);
/** Screen text without thousands separators, to find a typed amount in it. */
const plain = async (text: Promise<string | null>) => ((await text) ?? '').replace(/,/g, '');

beforeAll(async () => {
  ({ registerId, storeId } = await registerLogin(e2e.page, e2e.server.base, { currency: 'CNY' }));
  items = await pieceTiles(e2e.page, e2e.api, 3);
}, 60_000);

/** Puts one of each item in the cart and opens the pay screen; returns the amount due. */
async function openPay(variantIds: string[]): Promise<number> {
  for (const id of variantIds) await tile(e2e.page, id).first().click();
  await expect.poll(() => T('cart-line').count()).toBe(new Set(variantIds).size);
  await T('pay-button').click();
  await T('pay-screen').waitFor();
  return minor(await T('pay-total').textContent());
}

/** Completes the sale; returns the receipt's order id and goes back to an empty cart. */
async function completeSale(): Promise<string> {
  await T('complete-sale').click();
  await T('receipt').waitFor();
  const id = await T('receipt').getAttribute('data-order-id');
  if (!id) throw new Error('the receipt has no order id');
  await T('new-sale').click();
  await T('cart-empty').waitFor();
  return id;
}

async function serverOrder(id: string): Promise<Order> {
  return (await e2e.api.order(id)) as Order;
}

/** Money in = what the order is due, plus the change handed back. */
function expectSettled(order: Order): void {
  const taken = order.payments.filter((p) => p.status === 'captured').reduce((a, p) => a + p.amount, 0);
  expect(taken).toBe(order.total + order.tip);
}

describe('register: tenders in a real browser', () => {
  test('card on the terminal: approved', { timeout: 60_000 }, async () => {
    const due = await openPay([items[0]!]);
    await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'visa', { entryMode: 'chip' });
    await T('tender-card').click();
    await T('card-terminal').click();
    await expect.poll(() => T('tender-line').count()).toBe(1);
    const id = await completeSale();

    const order = await serverOrder(id);
    expect(order.status).toBe('paid');
    expect(order.total).toBe(due);
    expect(order.payments).toEqual([
      expect.objectContaining({ kind: 'card', status: 'captured', amount: due }),
    ]);
    // the card as kept: brand, masked number, approval code and RRN, never the number
    expect(order.payments[0]!.reference).toMatch(/^VISA 424242\*{6}4242 AUTH \w+ RRN \d+/);
    expect(JSON.stringify(order)).not.toContain('4242424242424242');
    expectSettled(order);
  });

  test(
    'card declined with 51: the register offers another tender; cash completes',
    { timeout: 60_000 },
    async () => {
      const before = (await e2e.api.orders(registerId)).length;
      const due = await openPay([items[1]!]);
      await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'insufficient_funds');
      await T('tender-card').click();
      await T('card-terminal').click();
      await T('complete-sale').click();
      await expect.poll(() => T('error').textContent()).toContain('51');
      // the declined card is taken off; nothing reached the server's orders
      expect(await T('tender-line').count()).toBe(0);
      expect(minor(await T('pay-left').textContent())).toBe(due);
      expect((await e2e.api.orders(registerId)).length).toBe(before);

      await T('tender-cash').click();
      await e2e.page.keyboard.press('F4');
      const id = await completeSale();
      const order = await serverOrder(id);
      expect(order.status).toBe('paid');
      expect(order.payments.map((p) => [p.kind, p.status])).toEqual([['cash', 'captured']]);
      expectSettled(order);
      expect((await e2e.api.orders(registerId)).length).toBe(before + 1);
    },
  );

  test(
    'partial approval: the card keeps what it approved, cash takes the rest',
    { timeout: 60_000 },
    async () => {
      const due = await openPay([items[0]!, items[1]!]);
      // the sandbox approves half of an amount ending in .10
      const onCard = Math.floor((due - 10) / 100) * 100 + 10;
      expect(onCard).toBeGreaterThan(0);
      await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'mastercard');
      await T('tender-card').click();
      await T('tender-amount').fill(typed(onCard));
      await T('card-terminal').click();
      await T('tender-cash').click();
      await e2e.page.keyboard.press('F4');
      await expect.poll(() => T('tender-line').count()).toBe(2);
      await T('complete-sale').click();
      const approved = Math.floor(onCard / 2);
      await expect.poll(() => plain(T('error').textContent())).toContain(typed(approved));
      // the card line now holds the approved amount; the rest is left to pay
      expect(minor(await T('tender-line').first().locator('strong').textContent())).toBe(approved);
      await T('tender-cash').click();
      await e2e.page.keyboard.press('F4');
      const id = await completeSale();

      const order = await serverOrder(id);
      expect(order.status).toBe('paid');
      const card = order.payments.filter((p) => p.kind === 'card');
      // charged once: the retry reused the partial approval
      expect(card).toEqual([expect.objectContaining({ status: 'captured', amount: approved })]);
      expect(card[0]!.reference).toMatch(/^MASTERCARD 555555\*{6}4444/);
      expect(order.payments.filter((p) => p.kind === 'cash').reduce((a, p) => a + p.amount, 0)).toBe(
        order.total - approved,
      );
      expectSettled(order);
    },
  );

  test(
    'e-wallet: the QR on the customer display, paid by the sandbox callback',
    { timeout: 60_000 },
    async () => {
      const display = await e2e.browser.context.newPage();
      watchErrors(display, e2e.errors);
      await display.goto(`${e2e.server.base}/display?register=${registerId}&lang=en`);
      await display.getByTestId('display-root').waitFor();
      await e2e.page.bringToFront();

      const due = await openPay([items[2]!]);
      await T('tender-wallet').click();
      const started = e2e.page.waitForResponse(
        (r) => r.url().endsWith('/api/v1/payments/wallet') && r.request().method() === 'POST',
      );
      await T('wallet-qr').click();
      const wallet = (await (await started).json()) as { id: string; amount: number };
      expect(wallet.amount).toBe(due);
      await T('wallet-pending').waitFor();

      // the shopper sees a dynamic EMV QR with the amount and the payment's reference
      const qr = display.getByTestId('display-payment-qr');
      await expect.poll(() => qr.getAttribute('data-qr-text')).toBeTruthy();
      const decoded = decodeQr((await qr.getAttribute('data-qr-text'))!);
      expect(decoded.valid).toBe(true);
      const summary = summarizeQr(decoded);
      expect(summary.amount).toBe(due);
      expect(summary.currency).toBe('CNY');
      expect(wallet.id.replace(/[^0-9A-Za-z]/g, '')).toContain(summary.reference ?? '(none)');

      // the shopper pays: the sandbox provider sends its signed callback to the server
      const paidAt = Date.now();
      const cb = await e2e.api.call('POST', `/payments/wallet/${wallet.id}/sandbox-approve`);
      expect(cb.status).toBe(200);
      // the register sees it (long poll) and takes the wallet tender
      await expect.poll(() => T('tender-line').count(), { timeout: 5000 }).toBe(1);
      console.log(`wallet callback → register: ${Date.now() - paidAt} ms`);
      expect(await T('tender-line').textContent()).toContain('E-wallet');
      const id = await completeSale();
      await display.close();

      const order = await serverOrder(id);
      expect(order.status).toBe('paid');
      expect(order.payments).toEqual([
        expect.objectContaining({ kind: 'wallet', status: 'captured', amount: due }),
      ]);
      expectSettled(order);
      const after = await e2e.api.get<{ status: string }>(`/payments/wallet/${wallet.id}`);
      expect(after.status).toBe('used');
    },
  );

  test('a tip chosen on the customer display is paid with the sale', { timeout: 60_000 }, async () => {
    const display = await e2e.browser.context.newPage();
    watchErrors(display, e2e.errors);
    await display.goto(`${e2e.server.base}/display?register=${registerId}&lang=en`);
    await display.getByTestId('display-root').waitFor();
    await e2e.page.bringToFront();

    const due = await openPay([items[0]!, items[2]!]);
    await display.bringToFront();
    await display.getByTestId('display-tip-preset').nth(1).click(); // 15 %
    const tip = Math.round((due * 1500) / 10000);
    await display.getByTestId('display-tip-chosen').waitFor();
    await e2e.page.bringToFront();
    await expect.poll(() => T('pay-tip').textContent().then(minor)).toBe(tip);
    expect(minor(await T('pay-total').textContent())).toBe(due + tip);

    await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'visa');
    await T('tender-card').click();
    await T('card-terminal').click();
    const id = await completeSale();
    await display.close();

    const order = await serverOrder(id);
    expect(order.status).toBe('paid');
    expect(order.total).toBe(due);
    expect(order.tip).toBe(tip);
    expect(order.payments).toEqual([
      expect.objectContaining({ kind: 'card', status: 'captured', amount: due + tip }),
    ]);
    expectSettled(order);
  });

  test('gift card in split tender: part on the card, the rest in cash', { timeout: 60_000 }, async () => {
    const issued = await e2e.api.call<{ id: string; code: string }>('POST', '/stored-value', {
      kind: 'gift_card',
      storeId,
      amount: 500,
    });
    expect(issued.status).toBe(201);
    const { id: accountId, code } = issued.body;

    const due = await openPay([items[0]!, items[1]!]);
    expect(due).toBeGreaterThan(500);
    await T('tender-gift_card').click();
    await T('tender-reference').fill(code);
    await T('check-balance').click();
    await expect.poll(() => plain(T('pay-notice').textContent())).toContain('5.00');
    await T('tender-amount').fill(typed(500));
    await T('tender-add').click();
    await T('tender-cash').click();
    await e2e.page.keyboard.press('F4');
    await expect.poll(() => T('tender-line').count()).toBe(2);
    await T('complete-sale').click();
    await T('receipt').waitFor();
    // the receipt names the card by its last four symbols only: the code is a bearer secret
    expect(await T('receipt').textContent()).not.toContain(code);
    const id = await T('receipt').getAttribute('data-order-id');
    await T('new-sale').click();
    // nor does the device keep it
    const kept = await e2e.page.evaluate(async () =>
      JSON.stringify(
        await (
          window as unknown as { __opentill: { db: { outbox: { toArray(): Promise<unknown[]> } } } }
        ).__opentill.db.outbox.toArray(),
      ),
    );
    expect(kept).toContain(code.slice(-4));
    expect(kept).not.toContain(code);

    const order = await serverOrder(id!);
    expect(order.status).toBe('paid');
    expect(order.payments.find((p) => p.kind === 'gift_card')).toMatchObject({
      status: 'captured',
      amount: 500,
    });
    expect(order.payments.filter((p) => p.kind === 'cash').reduce((a, p) => a + p.amount, 0)).toBe(
      order.total - 500,
    );
    expectSettled(order);
    const account = await e2e.api.get<{ balance: number }>(`/stored-value/${accountId}`);
    expect(account.balance).toBe(0);
  });

  test(
    'offline card sales under the floor limit are forwarded on reconnect; the declined one reaches the exception list',
    { timeout: 120_000 },
    async () => {
      // prices: one sale of A+B (part card, part cash), one of A alone (all card)
      const saleA = await openPay([items[0]!]);
      await T('pay-back').click();
      await T('line-remove').first().click();
      await T('cart-empty').waitFor();
      const limit = saleA + 100;
      const patched = await e2e.api.call('PATCH', `/registers/${registerId}`, { offlineCardLimit: limit });
      expect(patched.status).toBe(200);
      // the till picks the new limit up with its reference data
      await e2e.page.evaluate(() => (window as unknown as LimitWindow).__opentill.till.refresh());
      await e2e.page.waitForFunction(
        (l) => (window as unknown as LimitWindow).__opentill.till.session()?.register.offlineCardLimit === l,
        limit,
      );
      const ordersBefore = (await e2e.api.orders(registerId)).map((o) => o.id);

      await e2e.browser.context.setOffline(true);
      await expect.poll(() => T('sync-badge').getAttribute('data-online')).toBe('false');

      // sale 1: over the limit on card → the register says so; under it → the terminal stores the card
      const due1 = await openPay([items[0]!, items[1]!]);
      expect(due1).toBeGreaterThan(limit);
      await T('tender-card').click();
      await T('offline-card-note').waitFor();
      expect(await T('card-reference').count()).toBe(0);
      await T('card-terminal-offline').click();
      await expect.poll(() => T('error').textContent()).toContain('offline card limit');
      expect(await plain(T('error').textContent())).toContain(typed(limit));
      expect(await T('tender-line').count()).toBe(0);
      // and in Chinese
      await T('lang-switch').click();
      await expect.poll(() => T('offline-card-note').textContent()).toContain('离线');
      expect(await T('card-terminal-offline').textContent()).toBe('在终端离线刷卡');
      expect(await e2e.page.evaluate(() => (window as TillWindow).__opentillMissingKeys ?? [])).toEqual([]);
      await T('lang-switch').click();
      await expect
        .poll(() => T('card-terminal-offline').textContent())
        .toBe('Take card on terminal (offline)');
      // a whole amount: the sandbox host gives endings like .99 (never answered) special meanings
      const onCard1 = Math.floor(limit / 100) * 100;
      expect(onCard1).toBeGreaterThan(0);
      await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'visa', { offline: true });
      await T('tender-amount').fill(typed(onCard1));
      await T('card-terminal-offline').click();
      await expect.poll(() => T('tender-line').count()).toBe(1);
      expect(await T('tender-masked-pan').textContent()).toContain('424242******4242');
      await T('tender-offline').waitFor();
      await T('tender-cash').click();
      await e2e.page.keyboard.press('F4');
      await T('complete-sale').click();
      await T('receipt').waitFor();
      const id1 = (await T('receipt').getAttribute('data-order-id'))!;
      expect(await T('receipt').textContent()).toContain('424242******4242');
      await T('new-sale').click();
      await T('cart-empty').waitFor();

      // sale 2: all on a card the bank will decline once it is sent
      const due2 = await openPay([items[0]!]);
      expect(due2).toBeLessThanOrEqual(limit);
      await presentCard({ api: e2e.api, page: e2e.page, registerId }, 'declined', { offline: true });
      await T('tender-card').click();
      await T('card-terminal-offline').click();
      await expect.poll(() => T('tender-line').count()).toBe(1);
      const id2 = await completeSale();

      // held on the device: no card number anywhere in its storage, nothing on the server yet
      await expect.poll(() => unsynced(e2e.page)).toBe(2);
      const stored = await e2e.page.evaluate(async () => {
        const w = window as unknown as {
          __opentill: {
            db: {
              outbox: { toArray(): Promise<unknown[]> };
              terminalReads: { toArray(): Promise<unknown[]> };
            };
          };
        };
        return JSON.stringify([
          await w.__opentill.db.outbox.toArray(),
          await w.__opentill.db.terminalReads.toArray(),
        ]);
      });
      expect(stored).not.toMatch(/4242424242424242|4000000000000002/);
      expect(stored).toContain('400000******0002');
      expect((await e2e.api.orders(registerId)).map((o) => o.id)).toEqual(ordersBefore);

      // the network returns: the terminal hands over its reads, the outbox sends the sales, the
      // server forwards them to the acquirer
      await e2e.browser.context.setOffline(false);
      await waitSynced(e2e.page, 60_000);
      const settledOf = async (id: string) =>
        (await serverOrder(id)).payments.find((p) => p.kind === 'card')?.status;
      await expect.poll(() => settledOf(id1), { timeout: 30_000 }).toBe('captured');
      await expect.poll(() => settledOf(id2), { timeout: 30_000 }).toBe('declined');

      const order1 = await serverOrder(id1);
      expect(order1.status).toBe('paid');
      const card1 = order1.payments.find((p) => p.kind === 'card')!;
      expect(card1.amount).toBe(onCard1);
      expect(card1.reference).toMatch(/^VISA 424242\*{6}4242 AUTH \w+ RRN \d+/);
      expect(order1.payments.filter((p) => p.kind === 'cash').reduce((a, p) => a + p.amount, 0)).toBe(
        order1.total - onCard1,
      );
      const order2 = await serverOrder(id2);
      expect(order2.total).toBe(due2);
      expect(order2.payments).toEqual([
        expect.objectContaining({ kind: 'card', status: 'declined', amount: due2 }),
      ]);

      const exceptions = await e2e.api.get<{
        items: { orderId: string; responseCode: string; maskedPan: string }[];
      }>('/payments/card/exceptions');
      expect(exceptions.items).toEqual([
        expect.objectContaining({ orderId: id2, responseCode: '05', maskedPan: '400000******0002' }),
      ]);

      // the back office's exception list shows it
      const admin = await e2e.browser.context.newPage();
      watchErrors(admin, e2e.errors);
      const A = (tid: string) => admin.getByTestId(tid);
      await admin.goto(`${e2e.server.base}/admin`);
      await A('admin-signin-username').fill('manager');
      await A('admin-signin-password').fill(DEMO_PASSWORD);
      await A('admin-signin-submit').click();
      await A('admin-mfa').waitFor();
      await A('admin-mfa-recovery').click();
      await A('admin-mfa-code').fill(recoveryCode(e2e.server.base, 'manager'));
      await A('admin-mfa-submit').click();
      await A('admin-shell').waitFor();
      await A('admin-nav-cardExceptions').click();
      const row = admin.locator(`[data-testid=admin-card-exception-row][data-order-id="${id2}"]`);
      await row.waitFor();
      expect(await A('admin-card-exception-row').count()).toBe(1);
      expect(await row.getByTestId('admin-card-exception-card').textContent()).toBe('VISA 400000******0002');
      expect(await row.getByTestId('admin-card-exception-code').getAttribute('data-code')).toBe('05');
      expect(await row.getByTestId('admin-card-exception-code').textContent()).toContain('Do not honour');
      await admin.close();
      expect(e2e.errors).toEqual([]);
    },
  );
});
