import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { pack, unpack } from '../iso8583/codec';
import { OPENTILL_LINK } from '../iso8583/profiles';
import { makeRef, saleMessage } from '../acquirer/messages';
import { SANDBOX_AMOUNT_RULES } from '../acquirer/sandbox-rules';
import type { CardResult, SaleRequest } from '../acquirer/types';
import { SoftwareHsm } from '../crypto/hsm';
import { TcpAcquirerConnector } from './connector';
import { FrameReader, frame } from './frame';
import { SANDBOX_KEYS, sandboxHsm, startSandboxAcquirer, type SandboxAcquirer } from './sandbox-host';
import { TerminalSimulator } from './terminal-simulator';

const who = { terminalId: 'TERM0001', merchantId: 'MERCHANT0000001' };
const visa = { pan: '4242424242424242', expiry: '3012' };
const pinCard = { pan: '4000056655665556', expiry: '3012' };
const unionPayPin = { pan: '6200000000000005', expiry: '3012' };

let host: SandboxAcquirer;
let connector: TcpAcquirerConnector;
const tdesTerminal = TerminalSimulator.tdes(SANDBOX_KEYS.tdesBdk, 'FFFF9876543210E00000');
const aesTerminal = TerminalSimulator.aes(SANDBOX_KEYS.aesBdk, '1234567890123456');

beforeAll(async () => {
  host = await startSandboxAcquirer({ control: { slowMs: 150 } });
  connector = new TcpAcquirerConnector({ port: host.port, ...who, timeoutMs: 2_000 });
  expect(await connector.connect()).toBe(true);
});

afterAll(async () => {
  await connector.close();
  await host.close();
});

function sale(amount: number, read = tdesTerminal.read(visa, 'chip')): SaleRequest {
  return { amount, currency: 'CNY', ...read };
}

function expectStatus<S extends CardResult['status']>(
  result: CardResult,
  status: S,
): Extract<CardResult, { status: S }> {
  expect(result.status, JSON.stringify(result)).toBe(status);
  return result as Extract<CardResult, { status: S }>;
}

describe('sales over TCP', () => {
  it('approves a chip sale and returns auth code, RRN and masked PAN', async () => {
    const result = expectStatus(await connector.sale(sale(1234)), 'approved');
    expect(result).toMatchObject({
      responseCode: '00',
      approvedAmount: 1234,
      partial: false,
      maskedPan: '424242******4242',
    });
    expect(result.authCode).toMatch(/^\d{6}$/);
    expect(result.ref.rrn).toHaveLength(12);
    const entry = host.ledger().find((e) => e.rrn === result.ref.rrn)!;
    expect(entry).toMatchObject({
      kind: 'sale',
      amount: 1234,
      currency: 'CNY',
      maskedPan: '424242******4242',
    });
    expect(JSON.stringify(host.ledger())).not.toContain(visa.pan);
  });

  it.each(SANDBOX_AMOUNT_RULES.filter((r) => r.effect === 'respond'))(
    'amount ending $ending → $responseCode',
    async (rule) => {
      const result = await connector.sale(sale(1200 + rule.ending));
      const expected = ['91', '96'].includes(rule.responseCode!) ? 'error' : 'declined';
      expect(result.status).toBe(expected);
      expect(result).toMatchObject({ responseCode: rule.responseCode });
    },
  );

  it('partial approval carries the approved amount', async () => {
    const result = expectStatus(
      await connector.sale(sale(5010, tdesTerminal.read(visa, 'contactless'))),
      'approved',
    );
    expect(result).toMatchObject({ responseCode: '10', approvedAmount: 2505, partial: true });
  });

  it('manual entry and swipe carry the card as DE 2/14 or track 2', async () => {
    expectStatus(await connector.sale(sale(700, tdesTerminal.read(visa, 'manual'))), 'approved');
    expectStatus(await connector.sale(sale(700, tdesTerminal.read(visa, 'swipe'))), 'approved');
    const bad = await connector.sale(
      sale(700, tdesTerminal.read({ pan: '4242424242424241', expiry: '3012' }, 'manual')),
    );
    expect(bad).toMatchObject({ status: 'declined', responseCode: '14' });
    const old = await connector.sale(sale(700, tdesTerminal.read({ pan: visa.pan, expiry: '2001' }, 'chip')));
    expect(old).toMatchObject({ status: 'declined', responseCode: '54' });
  });

  it('declining test cards', async () => {
    expect(
      await connector.sale(sale(100, tdesTerminal.read({ pan: '4000000000009995', expiry: '3012' }, 'chip'))),
    ).toMatchObject({
      status: 'declined',
      responseCode: '51',
      reason: 'insufficient funds',
    });
  });
});

describe('online PIN through the HSM', () => {
  it('TDES DUKPT format 0: right PIN approved, wrong PIN 55, no PIN 65', async () => {
    const right = tdesTerminal.read(pinCard, 'chip', '1234');
    expect(right.pin).toMatchObject({ format: 'iso0-tdes' });
    expect(right.pin!.block).toMatch(/^[0-9A-F]{16}$/);
    expectStatus(await connector.sale(sale(2000, right)), 'approved');
    expect(await connector.sale(sale(2000, tdesTerminal.read(pinCard, 'chip', '9999')))).toMatchObject({
      responseCode: '55',
    });
    expect(await connector.sale(sale(2000, tdesTerminal.read(pinCard, 'chip')))).toMatchObject({
      responseCode: '65',
    });
  });

  it('AES DUKPT format 4: right PIN approved, wrong PIN 55; each PIN uses a new KSN', async () => {
    const first = aesTerminal.read(unionPayPin, 'contactless', '1234');
    const second = aesTerminal.read(unionPayPin, 'contactless', '1234');
    expect(first.pin!.ksn).not.toBe(second.pin!.ksn);
    expect(first.pin!.block).toMatch(/^[0-9A-F]{32}$/);
    expectStatus(await connector.sale(sale(3000, first)), 'approved');
    expectStatus(await connector.sale(sale(3000, second)), 'approved');
    expect(
      await connector.sale(sale(3000, aesTerminal.read(unionPayPin, 'contactless', '4321'))),
    ).toMatchObject({
      status: 'declined',
      responseCode: '55',
      reason: 'incorrect PIN',
    });
  });
});

describe('refunds, reversals, echo', () => {
  it('refund is a 0200 with processing code 20', async () => {
    const result = expectStatus(
      await connector.refund({ amount: 851, currency: 'CNY', card: tdesTerminal.read(visa, 'chip').card }),
      'approved',
    );
    expect(host.ledger().find((e) => e.rrn === result.ref.rrn)).toMatchObject({
      kind: 'refund',
      amount: 851,
      responseCode: '00',
    });
  });

  it('a dropped sale times out; its reversal (and a repeat) are acknowledged and undo it', async () => {
    const fast = new TcpAcquirerConnector({ port: host.port, ...who, timeoutMs: 300 });
    try {
      const ref = fast.nextRef();
      const timedOut = expectStatus(await fast.sale({ ...sale(4599), ref }), 'timeout');
      expect(timedOut.ref).toEqual(ref);
      expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(250);
      const original = { mti: '0200', processingCode: '000000', amount: 4599, currency: 'CNY', ref };
      const reversal = expectStatus(await fast.reversal({ original }), 'approved');
      expect(reversal.responseCode).toBe('00');
      expectStatus(await fast.reversal({ original, repeat: true }), 'approved');
      const entry = host.ledger().find((e) => e.kind === 'sale' && e.rrn === ref.rrn)!;
      expect(entry.reversed).toBe(true);
      expect(
        host.ledger().filter((e) => e.kind === 'reversal' && e.rrn === ref.rrn && e.originalFound),
      ).toHaveLength(2);
    } finally {
      await fast.close();
    }
  });

  it('echo and sign-on', async () => {
    expect(await connector.echo()).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(connector.stats.signOns).toBeGreaterThanOrEqual(1);
  });
});

describe('the link', () => {
  it('pipelines requests and matches answers by STAN/RRN, even out of order', async () => {
    const amounts = Array.from({ length: 120 }, (_, i) => 100 * (i + 1) + (i % 3 === 0 ? 98 : 0));
    const order: number[] = [];
    const results = await Promise.all(
      amounts.map(async (amount) => {
        const result = await connector.sale(sale(amount));
        order.push(amount);
        return result;
      }),
    );
    results.forEach((result, i) =>
      expect(result).toMatchObject({ status: 'approved', approvedAmount: amounts[i] }),
    );
    expect(new Set(results.map((r) => r.ref.stan)).size).toBe(amounts.length);
    // the slow ones (ending 98) answer after the others
    expect(order.slice(0, 80).every((a) => a % 100 !== 98)).toBe(true);
  });

  it('per-request timeout with a host delay, late answers are ignored', async () => {
    const fast = new TcpAcquirerConnector({ port: host.port, ...who, timeoutMs: 200 });
    try {
      expect(await fast.connect()).toBe(true);
      host.control.delayMs = 400;
      expectStatus(await fast.sale(sale(100)), 'timeout');
      host.control.delayMs = 0;
      await new Promise((r) => setTimeout(r, 300));
      expect(fast.stats.lateAnswers).toBe(1);
      expectStatus(await fast.sale(sale(100)), 'approved');
    } finally {
      host.control.delayMs = 0;
      await fast.close();
    }
  });

  it('reconnects and signs on again after the host drops the connection', async () => {
    const before = connector.stats.signOns;
    host.dropConnections();
    await new Promise((r) => setTimeout(r, 20));
    expectStatus(await connector.sale(sale(300)), 'approved');
    expect(connector.stats.signOns).toBe(before + 1);
    expect(connector.stats.connects).toBeGreaterThanOrEqual(2);
  });

  it('a host that is not there gives error not_connected, never sent', async () => {
    const closed = await startSandboxAcquirer();
    const port = closed.port;
    await closed.close();
    const nowhere = new TcpAcquirerConnector({ port, ...who, timeoutMs: 250 });
    try {
      expect(await nowhere.sale(sale(100))).toMatchObject({
        status: 'error',
        code: 'not_connected',
        sent: false,
      });
    } finally {
      await nowhere.close();
    }
  });

  it('a closed connector answers not_connected at once', async () => {
    const closed = new TcpAcquirerConnector({ port: host.port, ...who, timeoutMs: 5_000 });
    expect(await closed.connect()).toBe(true);
    await closed.close();
    const started = Date.now();
    expect(await closed.sale(sale(100))).toMatchObject({
      status: 'error',
      code: 'not_connected',
      sent: false,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('the host refuses financial messages before sign-on (91)', async () => {
    const socket = connect({ port: host.port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    const ref = makeRef(777, new Date());
    const request = saleMessage(
      { amount: 100, currency: 'CNY', card: tdesTerminal.read(visa, 'chip').card },
      ref,
      who,
      new Date(),
    );
    const answer = new Promise<Buffer>((resolve) => {
      const reader = new FrameReader();
      socket.on('data', (chunk) => reader.push(chunk).forEach(resolve));
    });
    socket.write(frame(pack(OPENTILL_LINK, request)));
    const response = unpack(OPENTILL_LINK, await answer);
    socket.destroy();
    expect(response.ok && response.value).toMatchObject({ mti: '0210', fields: { 11: ref.stan, 39: '91' } });
  });
});

describe('software HSM', () => {
  const hsm = sandboxHsm();
  const terminal = TerminalSimulator.tdes(SANDBOX_KEYS.tdesBdk, 'FFFF9876543210E00000');

  it('verifies without revealing the PIN, and translates to a zone PIN key', async () => {
    const withZpk = new SoftwareHsm({
      bdk: { type: 'bdk-tdes', key: SANDBOX_KEYS.tdesBdk },
      pvk: { type: 'pvk', key: SANDBOX_KEYS.pvk },
      zpk: { type: 'zpk-aes', key: '000102030405060708090A0B0C0D0E0F' },
    });
    const pin = terminal.encryptPin('4321', pinCard.pan);
    const block = { bdkId: 'bdk', ksn: pin.ksn, pinBlock: pin.block, pan: pinCard.pan };
    const pvv = await withZpk.pinVerificationValue('pvk', pinCard.pan, '4321');
    expect(pvv.ok).toBe(true);
    if (!pvv.ok) return;
    expect(await withZpk.verifyPin(block, 'pvk', pvv.value)).toEqual({ ok: true, value: { verified: true } });
    const other = await withZpk.pinVerificationValue('pvk', pinCard.pan, '1111');
    expect(other.ok && (await withZpk.verifyPin(block, 'pvk', other.value))).toEqual({
      ok: true,
      value: { verified: false },
    });
    const translated = await withZpk.translatePin(block, 'zpk');
    expect(translated).toMatchObject({ ok: true, value: { format: 4 } });
    expect(JSON.stringify(translated)).not.toContain('4321');
  });

  it('names problems: unknown key, wrong key type, bad KSN', async () => {
    expect(await hsm.keyCheckValue('nope')).toMatchObject({ ok: false, error: { code: 'unknown_key' } });
    expect(await hsm.pinVerificationValue(SANDBOX_KEYS.tdesBdkId, visa.pan, '1234')).toMatchObject({
      ok: false,
      error: { code: 'wrong_key_type' },
    });
    expect(await hsm.transactionKeyCheckValue(SANDBOX_KEYS.aesBdkId, 'FFFF9876543210E00001')).toMatchObject({
      ok: false,
      error: { code: 'invalid_ksn' },
    });
    expect(await hsm.keyCheckValue(SANDBOX_KEYS.tdesBdkId)).toMatchObject({ ok: true });
  });
});
