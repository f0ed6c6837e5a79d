/**
 * The TCP acquirer connector: one persistent connection to the acquirer host, ISO 8583
 * (`opentill-link`) in 2-byte length-prefixed frames. Requests are pipelined (many in flight) and
 * answers matched by STAN and RRN; each request has its own timeout that resolves to a typed
 * `timeout` result. The connection signs on (0800/001) before carrying traffic and reconnects
 * with backoff when it drops.
 */
import { connect, type Socket } from 'node:net';
import { maskPan, parseTrack2 } from '../cards';
import { pack, unpack } from '../iso8583/codec';
import { OPENTILL_LINK } from '../iso8583/profiles';
import type { Iso8583Message, Iso8583Profile } from '../iso8583/spec';
import {
  makeRef,
  networkMessage,
  readResponse,
  refundMessage,
  reversalMessage,
  saleMessage,
  type TerminalIdentity,
} from '../acquirer/messages';
import type {
  AcquirerConnector,
  CardInput,
  CardResult,
  RefundRequest,
  ReversalRequest,
  SaleRequest,
  TransactionRef,
} from '../acquirer/types';
import { FrameReader, frame } from './frame';

export interface TcpConnectorOptions extends TerminalIdentity {
  port: number;
  host?: string;
  /** Per-request timeout in ms, from the call until the answer (default 10,000). */
  timeoutMs?: number;
  /** Reconnect backoff: first delay and cap, in ms (defaults 100 and 5,000). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  clock?: () => Date;
  profile?: Iso8583Profile;
}

interface Pending {
  rrn: string | undefined;
  resolve: (response: Iso8583Message | 'lost') => void;
}

type Outcome =
  { kind: 'answer'; message: Iso8583Message } | { kind: 'timeout' } | { kind: 'lost' } | { kind: 'not_sent' };

export interface ConnectorStats {
  connects: number;
  signOns: number;
  lateAnswers: number;
  unreadableFrames: number;
}

export class TcpAcquirerConnector implements AcquirerConnector {
  readonly #options: Required<Omit<TcpConnectorOptions, 'host'>> & { host: string };
  #socket: Socket | undefined;
  #ready = false;
  #closed = false;
  #connecting = false;
  #backoff: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #stan = 0;
  readonly #pending = new Map<string, Pending>();
  readonly #waiting = new Set<() => void>();
  readonly stats: ConnectorStats = { connects: 0, signOns: 0, lateAnswers: 0, unreadableFrames: 0 };

  constructor(options: TcpConnectorOptions) {
    this.#options = {
      host: options.host ?? '127.0.0.1',
      timeoutMs: 10_000,
      reconnectMinMs: 100,
      reconnectMaxMs: 5_000,
      clock: () => new Date(),
      profile: OPENTILL_LINK,
      ...options,
    };
    this.#backoff = this.#options.reconnectMinMs;
  }

  /** True once signed on over a live connection. */
  get ready(): boolean {
    return this.#ready;
  }

  nextRef(): TransactionRef {
    // STANs cycle 1–999999 and skip any still in flight
    do {
      this.#stan = (this.#stan % 999_999) + 1;
    } while (this.#pending.has(String(this.#stan).padStart(6, '0')));
    return makeRef(this.#stan, this.#options.clock());
  }

  /** Opens the connection and signs on; resolves when ready (or when the timeout passes). */
  async connect(timeoutMs = this.#options.timeoutMs): Promise<boolean> {
    this.#closed = false;
    this.#open();
    return this.#whenReady(Date.now() + timeoutMs);
  }

  #open(): void {
    if (this.#socket || this.#connecting || this.#closed) return;
    this.#connecting = true;
    const socket = connect({ host: this.#options.host, port: this.#options.port });
    socket.setNoDelay(true);
    const reader = new FrameReader();
    socket.on('connect', () => {
      this.#connecting = false;
      this.#socket = socket;
      this.stats.connects += 1;
      void this.#signOn(socket);
    });
    socket.on('data', (chunk) => {
      for (const body of reader.push(chunk)) this.#onFrame(body);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#onClose(socket));
  }

  async #signOn(socket: Socket): Promise<void> {
    const ref = this.nextRef();
    const outcome = await this.#exchange(
      networkMessage('001', ref),
      ref,
      Date.now() + this.#options.timeoutMs,
      true,
    );
    if (outcome.kind === 'answer' && outcome.message.fields[39] === '00' && this.#socket === socket) {
      this.#ready = true;
      this.#backoff = this.#options.reconnectMinMs;
      this.stats.signOns += 1;
      for (const wake of this.#waiting) wake();
      this.#waiting.clear();
    } else {
      socket.destroy(); // sign-on refused or unanswered: start over
    }
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket && this.#socket !== undefined) return;
    this.#socket = undefined;
    this.#connecting = false;
    this.#ready = false;
    // answers to requests already sent can no longer arrive: their outcome is unknown
    for (const pending of this.#pending.values()) pending.resolve('lost');
    this.#pending.clear();
    if (this.#closed) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open();
    }, this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, this.#options.reconnectMaxMs);
  }

  #onFrame(body: Buffer): void {
    const parsed = unpack(this.#options.profile, body);
    if (!parsed.ok) {
      this.stats.unreadableFrames += 1;
      return;
    }
    const stan = parsed.value.fields[11];
    const pending = stan === undefined ? undefined : this.#pending.get(stan);
    const rrn = parsed.value.fields[37];
    if (!pending || (pending.rrn !== undefined && rrn !== undefined && rrn !== pending.rrn)) {
      this.stats.lateAnswers += 1; // answered after its timeout, or not ours
      return;
    }
    this.#pending.delete(stan!);
    pending.resolve(parsed.value);
  }

  #whenReady(deadline: number): Promise<boolean> {
    if (this.#ready) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    this.#open();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.#waiting.delete(wake);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#waiting.add(wake);
    });
  }

  /** Sends one request and waits for its answer until `deadline`. */
  async #exchange(
    message: Iso8583Message,
    ref: TransactionRef,
    deadline: number,
    signOn = false,
  ): Promise<Outcome> {
    if (!signOn && !(await this.#whenReady(deadline))) return { kind: 'not_sent' };
    const socket = this.#socket;
    if (!socket || socket.destroyed) return { kind: 'not_sent' };
    const bytes = frame(pack(this.#options.profile, message));
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(
        () => {
          this.#pending.delete(ref.stan);
          resolve({ kind: 'timeout' });
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#pending.set(ref.stan, {
        rrn: message.fields[37],
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer === 'lost' ? { kind: 'lost' } : { kind: 'answer', message: answer });
        },
      });
      socket.write(bytes);
    });
  }

  async #request(
    message: Iso8583Message,
    ref: TransactionRef,
    amount: number,
    maskedPan?: string,
  ): Promise<CardResult> {
    const started = Date.now();
    const outcome = await this.#exchange(message, ref, started + this.#options.timeoutMs);
    switch (outcome.kind) {
      case 'answer':
        return readResponse(outcome.message, ref, amount, maskedPan);
      case 'timeout':
      case 'lost':
        return { status: 'timeout', elapsedMs: Date.now() - started, ref };
      case 'not_sent':
        return {
          status: 'error',
          code: 'not_connected',
          message: `acquirer host ${this.#options.host}:${this.#options.port} not reachable or not signed on`,
          sent: false,
          ref,
        };
    }
  }

  #masked(card: CardInput): string | undefined {
    const pan = card.pan ?? (card.track2 ? parseTrack2(card.track2)?.pan : undefined);
    return pan ? maskPan(pan) : undefined;
  }

  async sale(request: SaleRequest): Promise<CardResult> {
    const ref = request.ref ?? this.nextRef();
    const message = saleMessage(request, ref, this.#options, this.#options.clock());
    return this.#request(message, ref, request.amount, this.#masked(request.card));
  }

  async refund(request: RefundRequest): Promise<CardResult> {
    const ref = request.ref ?? this.nextRef();
    const message = refundMessage(request, ref, this.#options, this.#options.clock());
    return this.#request(message, ref, request.amount, this.#masked(request.card));
  }

  async reversal(request: ReversalRequest): Promise<CardResult> {
    const ref = request.ref ?? this.nextRef();
    const message = reversalMessage(
      request.original,
      ref,
      this.#options,
      this.#options.clock(),
      request.repeat,
    );
    return this.#request(message, ref, 0);
  }

  async echo(): Promise<CardResult> {
    const ref = this.nextRef();
    return this.#request(networkMessage('301', ref), ref, 0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
