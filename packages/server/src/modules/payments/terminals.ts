import { createHmac, randomBytes } from 'node:crypto';
import {
  cardBrand,
  maskPan,
  parseTrack2,
  SANDBOX_KEYS,
  startSandboxAcquirer,
  TcpAcquirerConnector,
  TerminalSimulator,
  type AcquirerConnector,
  type CardInput,
  type CardResult,
  type EntryMode,
  type RefundRequest,
  type ReversalRequest,
  type SaleRequest,
  type SandboxAcquirer,
  type TestCard,
  type TransactionRef,
} from '@opentill/payments/node';
import type { CardRead, TerminalOutcome, TerminalPort } from './cards';

/**
 * Tokenizes a card: a keyed hash of the PAN (the same card gives the same token, so a refund can
 * check it is the card of the sale), never reversible without the key.
 */
export function cardToken(key: string, pan: string): string {
  return `tok_${createHmac('sha256', key).update(pan).digest('base64url').slice(0, 32)}`;
}

function panOf(card: CardInput): string | undefined {
  if (card.pan) return card.pan;
  return card.track2 ? parseTrack2(card.track2)?.pan : undefined;
}

/** What the server keeps of a read: token, masked number, brand, entry mode; the card data goes on to the acquirer only. */
export function describeRead(
  tokenKey: string,
  read: { card: CardInput; pin?: CardRead['pin'] },
): CardRead | null {
  const pan = panOf(read.card);
  if (!pan) return null;
  return {
    token: cardToken(tokenKey, pan),
    maskedPan: maskPan(pan),
    brand: cardBrand(pan)?.brand ?? 'unknown',
    entryMode: read.card.entryMode,
    card: read.card,
    ...(read.pin ? { pin: read.pin } : {}),
  };
}

interface Presented {
  card: TestCard;
  entryMode: EntryMode;
  pin?: string;
}

/**
 * Payment terminals simulated in-process (the demo and the tests): each has its own DUKPT key
 * injected from the sandbox BDK, so PINs reach the server only as encrypted blocks. A test or
 * the demo "presents" the next card; without one, a Visa test card is tapped.
 */
export function createSimulatedTerminals(opts: { tokenKey?: string } = {}) {
  const tokenKey = opts.tokenKey ?? randomBytes(32).toString('hex');
  const devices = new Map<string, { sim: TerminalSimulator; queue: Presented[] }>();
  // reads a terminal stored while the register was offline (store-and-forward), per tenant too
  const offline = new Map<string, Presented>();
  const offlineKey = (tenantId: string | undefined, terminalId: string, reference: string) =>
    `${tenantId ?? ''}\u0000${terminalId}\u0000${reference}`;
  let serial = 0;
  // cards presented through the API wait per tenant: terminal ids are register ids, so another
  // tenant naming the same id must not choose the card this tenant's next sale reads
  const presented = new Map<string, Presented[]>();
  const queueOf = (tenantId: string, terminalId: string) => {
    const k = `${tenantId}\u0000${terminalId}`;
    let q = presented.get(k);
    if (!q) {
      q = [];
      presented.set(k, q);
    }
    return q;
  };

  function device(terminalId: string) {
    let d = devices.get(terminalId);
    if (!d) {
      serial += 1;
      // a distinct initial key ID per device, all under the sandbox AES BDK
      const ikid = `12345678${serial.toString(16).padStart(8, '0')}`.toUpperCase();
      d = { sim: TerminalSimulator.aes(SANDBOX_KEYS.aesBdk, ikid), queue: [] };
      devices.set(terminalId, d);
    }
    return d;
  }

  function read(d: { sim: TerminalSimulator }, p: Presented): TerminalOutcome {
    const described = describeRead(tokenKey, d.sim.read(p.card, p.entryMode, p.pin));
    if (!described) return { status: 'unavailable', message: 'The terminal could not read the card.' };
    return { status: 'read', card: described };
  }

  const port: TerminalPort & {
    /** the next card: for one tenant's sales (the API), or for any (in-process tests and demo) */
    present(terminalId: string, p: Presented, tenantId?: string): void;
    /** a read the terminal took offline: for one tenant's sales (the API), or for any (in-process tests) */
    storeOffline(terminalId: string, reference: string, p: Presented, tenantId?: string): void;
    tokenKey: string;
  } = {
    tokenKey,
    async readCard(req) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(req.terminalId)) {
        return { status: 'unknown_terminal', message: `No payment terminal ${req.terminalId}.` };
      }
      const d = device(req.terminalId);
      const p = queueOf(req.tenantId, req.terminalId).shift() ??
        d.queue.shift() ?? {
          card: { pan: '4242424242424242', expiry: '3012' },
          entryMode: 'contactless',
        };
      return read(d, p);
    },
    async takeOffline(req) {
      const d = device(req.terminalId);
      const key = [
        offlineKey(req.tenantId, req.terminalId, req.reference),
        offlineKey(undefined, req.terminalId, req.reference),
      ].find((k) => offline.has(k));
      const p = key === undefined ? undefined : offline.get(key);
      if (key === undefined || !p)
        return { status: 'unavailable', message: 'The terminal has no offline sale with that reference.' };
      // kept until the terminal restarts: a forward the host did not answer is sent again later
      return read(d, p);
    },
    present(terminalId, p, tenantId) {
      if (tenantId !== undefined) queueOf(tenantId, terminalId).push(p);
      else device(terminalId).queue.push(p);
    },
    storeOffline(terminalId, reference, p, tenantId) {
      offline.set(offlineKey(tenantId, terminalId, reference), p);
    },
  };
  return port;
}

export type SimulatedTerminals = ReturnType<typeof createSimulatedTerminals>;

/**
 * The acquirer the server talks to: a TCP connector to `OPENTILL_ACQUIRER_HOST:PORT` when set,
 * else an in-process sandbox host started on first use (so servers and tests that take no cards
 * pay nothing for it).
 */
export function createLazyAcquirer(
  env: NodeJS.ProcessEnv = process.env,
  opts: { timeoutMs?: number } = {},
): AcquirerConnector & { sandbox(): SandboxAcquirer | null; warmUp(): Promise<void> } {
  let connector: TcpAcquirerConnector | null = null;
  let sandbox: SandboxAcquirer | null = null;
  let starting: Promise<TcpAcquirerConnector> | null = null;
  const identity = {
    terminalId: (env.OPENTILL_ACQUIRER_TERMINAL_ID ?? 'OT000001').slice(0, 8),
    merchantId: (env.OPENTILL_ACQUIRER_MERCHANT_ID ?? 'OPENTILLDEMO001').slice(0, 15),
  };
  const timeoutMs = opts.timeoutMs ?? Number(env.OPENTILL_ACQUIRER_TIMEOUT_MS ?? 10_000);

  const ready = () =>
    (starting ??= (async () => {
      let port = Number(env.OPENTILL_ACQUIRER_PORT ?? 0);
      const host = env.OPENTILL_ACQUIRER_HOST ?? '127.0.0.1';
      if (!env.OPENTILL_ACQUIRER_HOST) {
        sandbox = await startSandboxAcquirer({ host: '127.0.0.1', port: 0 });
        port = sandbox.port;
      }
      connector = new TcpAcquirerConnector({ ...identity, host, port, timeoutMs });
      await connector.connect();
      return connector;
    })());

  return {
    nextRef(): TransactionRef {
      if (!connector) throw new Error('acquirer link not started: await warmUp() first');
      return connector.nextRef();
    },
    async warmUp() {
      await ready();
    },
    async sale(r: SaleRequest): Promise<CardResult> {
      return (await ready()).sale(r);
    },
    async refund(r: RefundRequest): Promise<CardResult> {
      return (await ready()).refund(r);
    },
    async reversal(r: ReversalRequest): Promise<CardResult> {
      return (await ready()).reversal(r);
    },
    async echo(): Promise<CardResult> {
      return (await ready()).echo();
    },
    async close() {
      if (starting) await starting.catch(() => undefined);
      await connector?.close();
      await sandbox?.close();
    },
    sandbox: () => sandbox,
  };
}
