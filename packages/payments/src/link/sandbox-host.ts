/**
 * The sandbox acquirer host: a node:net server speaking the `opentill-link` ISO 8583 profile in
 * 2-byte length-prefixed frames. It answers by the rules in `acquirer/sandbox-rules.ts`, checks
 * online PINs through an HSM, keeps a ledger (masked PANs only) and can be told to delay or drop
 * answers. In-process for tests and the default server set-up; standalone with
 * `npx opentill acquirer-sandbox --port N`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { maskPan } from '../cards';
import { pack, unpack } from '../iso8583/codec';
import { OPENTILL_LINK } from '../iso8583/profiles';
import type { Iso8583Message } from '../iso8583/spec';
import { messageCurrency, requestCard, responseMti } from '../acquirer/messages';
import { decideSandbox, SANDBOX_CARDS, type SandboxDecision } from '../acquirer/sandbox-rules';
import { SoftwareHsm, type Hsm } from '../crypto/hsm';
import { FrameReader, frame } from './frame';

/** The published X9.24 test BDKs: the sandbox terminal simulator is injected from these. */
export const SANDBOX_KEYS = {
  tdesBdkId: 'sandbox-bdk-tdes',
  tdesBdk: '0123456789ABCDEFFEDCBA9876543210',
  aesBdkId: 'sandbox-bdk-aes',
  aesBdk: 'FEDCBA9876543210F1F1F1F1F1F1F1F1',
  pvkId: 'sandbox-pvk',
  pvk: '00112233445566778899AABBCCDDEEFF',
} as const;

/** A software HSM holding the sandbox's test keys. */
export function sandboxHsm(): SoftwareHsm {
  return new SoftwareHsm({
    [SANDBOX_KEYS.tdesBdkId]: { type: 'bdk-tdes', key: SANDBOX_KEYS.tdesBdk },
    [SANDBOX_KEYS.aesBdkId]: { type: 'bdk-aes', key: SANDBOX_KEYS.aesBdk },
    [SANDBOX_KEYS.pvkId]: { type: 'pvk', key: SANDBOX_KEYS.pvk },
  });
}

export interface SandboxLedgerEntry {
  kind: 'sale' | 'refund' | 'reversal';
  terminalId: string;
  stan: string;
  rrn: string;
  transmittedAt: string;
  maskedPan?: string;
  amount: number;
  currency?: string;
  responseCode: string;
  approvedAmount: number;
  /** For sales and refunds: a later reversal undid it. */
  reversed: boolean;
  /** For reversals: whether the original was found. */
  originalFound?: boolean;
}

export interface SandboxControl {
  /** Extra delay before every answer, in ms. */
  delayMs: number;
  /** Drop every request (no answer at all). */
  drop: boolean;
  /** Delay used for amounts ending in 98. */
  slowMs: number;
}

export interface SandboxAcquirer {
  port: number;
  host: string;
  control: SandboxControl;
  /** What the host answered, in order (the most recent 100,000 entries at most). */
  ledger(): readonly SandboxLedgerEntry[];
  /** Cuts every open connection (clients must reconnect and sign on again). */
  dropConnections(): void;
  connectionCount(): number;
  close(): Promise<void>;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  hsm?: Hsm;
  tdesBdkId?: string;
  aesBdkId?: string;
  pvkId?: string;
  clock?: () => Date;
  control?: Partial<SandboxControl>;
}

const LEDGER_LIMIT = 100_000;

interface Connection {
  socket: Socket;
  signedOn: boolean;
}

export async function startSandboxAcquirer(options: SandboxOptions = {}): Promise<SandboxAcquirer> {
  const hsm = options.hsm ?? sandboxHsm();
  const tdesBdkId = options.tdesBdkId ?? SANDBOX_KEYS.tdesBdkId;
  const aesBdkId = options.aesBdkId ?? SANDBOX_KEYS.aesBdkId;
  const pvkId = options.pvkId ?? SANDBOX_KEYS.pvkId;
  const clock = options.clock ?? (() => new Date());
  const control: SandboxControl = { delayMs: 0, drop: false, slowMs: 2000, ...options.control };
  const ledger: SandboxLedgerEntry[] = [];
  // approved sales/refunds by terminal + STAN + DE 7, which is what DE 90 of a reversal names
  const originals = new Map<string, SandboxLedgerEntry>();
  const connections = new Set<Connection>();
  const timers = new Set<NodeJS.Timeout>();

  // PIN verification values of the online-PIN test cards, issued once through the HSM
  const pvvs = new Map<string, string>();
  for (const card of SANDBOX_CARDS) {
    if (!card.pin) continue;
    const pvv = await hsm.pinVerificationValue(pvkId, card.pan, card.pin);
    if (!pvv.ok) throw new Error(`sandbox HSM: ${pvv.error.message}`);
    pvvs.set(card.pan, pvv.value);
  }

  const originalKey = (e: SandboxLedgerEntry) => `${e.terminalId}|${e.stan}|${e.transmittedAt}`;

  // a standalone sandbox may run for days: keep the most recent entries only
  function record(entry: SandboxLedgerEntry) {
    ledger.push(entry);
    if (ledger.length > LEDGER_LIMIT) {
      for (const old of ledger.splice(0, LEDGER_LIMIT / 10)) {
        if (originals.get(originalKey(old)) === old) originals.delete(originalKey(old));
      }
    }
  }

  function reply(conn: Connection, message: Iso8583Message, timing: SandboxDecision['timing'] = 'now') {
    if (control.drop || timing === 'drop') return;
    const bytes = frame(pack(OPENTILL_LINK, message));
    const delay = control.delayMs + (timing === 'delay' ? control.slowMs : 0);
    const send = () => {
      if (!conn.socket.destroyed) conn.socket.write(bytes);
    };
    if (delay <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delay);
    timers.add(timer);
  }

  function echoFields(request: Iso8583Message, keep: number[]): Record<number, string> {
    const out: Record<number, string> = {};
    for (const de of keep) if (request.fields[de] !== undefined) out[de] = request.fields[de]!;
    return out;
  }

  async function financial(conn: Connection, request: Iso8583Message) {
    const kind = request.fields[3]?.startsWith('20') ? 'refund' : 'sale';
    const base = echoFields(request, [3, 4, 7, 11, 12, 13, 37, 41, 42, 49]);
    const respond = (responseCode: string, timing: SandboxDecision['timing'], approvedAmount = 0) => {
      const fields: Record<number, string> = { ...base, 39: responseCode };
      if (responseCode === '00' || responseCode === '10') {
        fields[4] = String(approvedAmount).padStart(12, '0');
        fields[38] = String(ledger.length + 1).padStart(6, '0');
      }
      reply(conn, { mti: responseMti(request.mti), fields }, timing);
    };
    if (!conn.signedOn) return respond('91', 'now');
    const { pan, expiry } = requestCard(request);
    const amount = Number(request.fields[4] ?? '0');
    const decision = decideSandbox({
      kind,
      pan,
      expiry,
      amount,
      hasPinBlock: Boolean(request.fields[52]),
      now: clock(),
    });
    let code = decision.responseCode;
    if (decision.verifyPinOf && pan) {
      const ksn = request.fields[53] ?? '';
      const bdkId = ksn.length === 24 ? aesBdkId : tdesBdkId;
      const verified = await hsm.verifyPin(
        { bdkId, ksn, pinBlock: request.fields[52] ?? '', pan },
        pvkId,
        pvvs.get(pan) ?? '',
      );
      if (!verified.ok || !verified.value.verified) code = '55';
    }
    const approved = code === '00' || code === '10';
    const approvedAmount = approved ? (decision.approvedAmount ?? amount) : 0;
    const entry: SandboxLedgerEntry = {
      kind,
      terminalId: (request.fields[41] ?? '').trim(),
      stan: request.fields[11] ?? '',
      rrn: request.fields[37] ?? '',
      transmittedAt: request.fields[7] ?? '',
      amount,
      currency: messageCurrency(request),
      responseCode: code,
      approvedAmount,
      reversed: false,
    };
    if (pan) entry.maskedPan = maskPan(pan);
    record(entry);
    if (approved) originals.set(originalKey(entry), entry);
    respond(code, decision.timing, approvedAmount);
  }

  function reversal(conn: Connection, request: Iso8583Message) {
    const base = echoFields(request, [3, 4, 7, 11, 37, 41, 42, 49]);
    if (!conn.signedOn) return reply(conn, { mti: '0410', fields: { ...base, 39: '91' } });
    const terminalId = (request.fields[41] ?? '').trim();
    const de90 = request.fields[90] ?? '';
    const original = originals.get(`${terminalId}|${de90.slice(4, 10)}|${de90.slice(10, 20)}`);
    // a reversal is acknowledged whether or not the original arrived: repeats must be harmless
    if (original) original.reversed = true;
    record({
      kind: 'reversal',
      terminalId,
      stan: request.fields[11] ?? '',
      rrn: request.fields[37] ?? '',
      transmittedAt: request.fields[7] ?? '',
      amount: Number(request.fields[4] ?? '0'),
      currency: messageCurrency(request),
      responseCode: '00',
      approvedAmount: 0,
      reversed: false,
      originalFound: Boolean(original),
    });
    reply(conn, { mti: '0410', fields: { ...base, 39: '00' } });
  }

  function network(conn: Connection, request: Iso8583Message) {
    const code = request.fields[70];
    if (code === '001') conn.signedOn = true;
    if (code === '002') conn.signedOn = false;
    const known = code === '001' || code === '002' || code === '301';
    reply(conn, { mti: '0810', fields: { ...echoFields(request, [7, 11, 70]), 39: known ? '00' : '12' } });
  }

  function handle(conn: Connection, body: Buffer) {
    const parsed = unpack(OPENTILL_LINK, body);
    if (!parsed.ok) return; // unparseable: nothing to match an answer to
    const request = parsed.value;
    if (request.mti === '0200') {
      financial(conn, request).catch(() =>
        reply(conn, { mti: '0210', fields: { ...echoFields(request, [3, 4, 7, 11, 37, 41]), 39: '96' } }),
      );
    } else if (request.mti === '0400' || request.mti === '0401') {
      reversal(conn, request);
    } else if (request.mti === '0800') {
      network(conn, request);
    }
  }

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const conn: Connection = { socket, signedOn: false };
    connections.add(conn);
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      for (const body of reader.push(chunk)) handle(conn, body);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => connections.delete(conn));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    port: address.port,
    host: address.address,
    control,
    ledger: () => ledger,
    dropConnections() {
      for (const conn of connections) conn.socket.destroy();
    },
    connectionCount: () => connections.size,
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const conn of connections) conn.socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
