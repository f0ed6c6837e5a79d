import { randomBytes, randomInt } from 'node:crypto';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { sha256Hex } from '../../lib/secrets';
import type { StoresService } from '../stores/service';

/**
 * Customer displays on another device. The register asks for a 6-digit pairing code; the display
 * claims it and gets a read-only display token bound to that register; the register posts each
 * display state here and every stream of that register gets it at once.
 *
 * Everything lives in this process's memory (pairings, display tokens, the latest state per
 * register): several API nodes behind a load balancer need a shared bus (the MQTT issue), and a
 * restart asks displays to pair again.
 */

export const PAIRING_MINUTES = 10;
export const DISPLAY_TOKEN_HOURS = 12;
/** failed claims allowed per client per window before `too_many_attempts` */
export const CLAIM_ATTEMPTS = 10;
export const CLAIM_WINDOW_MS = 60_000;

/** What a display receives: the state as the register sent it (its shape is the web app's `DisplayState`). */
export interface DisplayMessage {
  /** the register's Date.now() when it published */
  at: number;
  state: Record<string, unknown>;
}

export interface DisplaySession {
  tenantId: string;
  registerId: string;
  expiresAt: string;
}

export interface Pairing {
  code: string;
  registerId: string;
  expiresAt: string;
}

export interface ClaimedPairing {
  token: string;
  registerId: string;
  registerName: string;
  storeName: string;
  storeNameZh: string | null;
  expiresAt: string;
}

/** A stream's side of a subscription: each message, then `end` when its pairing is revoked. */
export interface DisplayListener {
  message(message: DisplayMessage): void;
  end(): void;
}

interface PendingPairing {
  tenantId: string;
  registerId: string;
  expiresAt: number;
}

const key = (tenantId: string, registerId: string) => `${tenantId}\u0000${registerId}`;

export function createDisplayService(deps: Deps, services: { stores: StoresService }) {
  const { clock } = deps;
  const { stores } = services;
  const pairings = new Map<string, PendingPairing>();
  /** display tokens by their SHA-256 (a memory dump does not leak usable tokens) */
  const tokens = new Map<string, DisplaySession & { expiresMs: number }>();
  const latest = new Map<string, DisplayMessage>();
  const listeners = new Map<string, Set<DisplayListener>>();
  const failures = new Map<string, { count: number; since: number }>();
  /** registers known to exist, so a publish costs no query: tenant+register -> checked at (ms) */
  const knownRegisters = new Map<string, number>();
  /** the shopper's latest tip choice per register, from a paired customer display */
  const tips = new Map<string, { tip: number; at: number }>();

  function prune(nowMs: number) {
    // expired codes are kept one more hour so a late claim says "expired", not "unknown"
    for (const [code, p] of pairings) if (p.expiresAt + 3600_000 <= nowMs) pairings.delete(code);
    for (const [hash, s] of tokens) if (s.expiresMs <= nowMs) tokens.delete(hash);
    for (const [client, f] of failures) if (f.since + CLAIM_WINDOW_MS <= nowMs) failures.delete(client);
  }

  async function registerExists(tenantId: string, registerId: string): Promise<Result<null>> {
    const k = key(tenantId, registerId);
    const nowMs = clock.now().getTime();
    const checked = knownRegisters.get(k);
    if (checked !== undefined && checked + 60_000 > nowMs) return { ok: true, value: null };
    const reg = await stores.getRegister(tenantId, registerId);
    if (!reg.ok) return reg;
    if (knownRegisters.size > 10_000) knownRegisters.clear();
    knownRegisters.set(k, nowMs);
    return { ok: true, value: null };
  }

  return {
    registerExists,
    /** A fresh 6-digit code for a register of the caller's tenant, valid ten minutes, single use. */
    async createPairing(tenantId: string, registerId: string): Promise<Result<Pairing>> {
      const reg = await stores.getRegister(tenantId, registerId);
      if (!reg.ok) return reg;
      const nowMs = clock.now().getTime();
      prune(nowMs);
      let code = '';
      for (let i = 0; i < 100; i++) {
        code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        if (!pairings.has(code)) break;
      }
      if (pairings.has(code)) return fail('conflict', 'Too many pairings are pending; try again shortly.');
      const expiresAt = nowMs + PAIRING_MINUTES * 60_000;
      pairings.set(code, { tenantId, registerId, expiresAt });
      return { ok: true, value: { code, registerId, expiresAt: new Date(expiresAt).toISOString() } };
    },

    /**
     * Trades a pairing code for a display token. `client` (the caller's address) is rate-limited:
     * a million codes must not be guessable by trying them all.
     */
    async claim(code: string, client: string): Promise<Result<ClaimedPairing>> {
      const nowMs = clock.now().getTime();
      prune(nowMs);
      const f = failures.get(client);
      if (f && f.count >= CLAIM_ATTEMPTS) {
        return fail('too_many_attempts', 'Too many wrong pairing codes; wait a minute and try again.');
      }
      const pairing = pairings.get(code);
      if (!pairing || pairing.expiresAt <= nowMs) {
        failures.set(client, { count: (f?.count ?? 0) + 1, since: f?.since ?? nowMs });
        return pairing
          ? fail('pairing_expired', 'This pairing code has expired; ask the register for a new one.')
          : fail('unknown_pairing_code', 'No register is waiting for this pairing code.');
      }
      pairings.delete(code);
      const reg = await stores.getRegister(pairing.tenantId, pairing.registerId);
      if (!reg.ok) return reg;
      const store = await stores.get(pairing.tenantId, reg.value.storeId);
      const token = `otd_${randomBytes(32).toString('base64url')}`;
      const expiresMs = nowMs + DISPLAY_TOKEN_HOURS * 3600_000;
      const expiresAt = new Date(expiresMs).toISOString();
      tokens.set(sha256Hex(token), {
        tenantId: pairing.tenantId,
        registerId: pairing.registerId,
        expiresAt,
        expiresMs,
      });
      return {
        ok: true,
        value: {
          token,
          registerId: pairing.registerId,
          registerName: reg.value.name,
          storeName: store.ok ? store.value.name : '',
          storeNameZh: store.ok ? store.value.nameZh : null,
          expiresAt,
        },
      };
    },

    /** The register a display token is bound to, or null when unknown or expired. */
    authenticate(token: string): DisplaySession | null {
      const s = tokens.get(sha256Hex(token));
      if (!s) return null;
      if (s.expiresMs <= clock.now().getTime()) {
        tokens.delete(sha256Hex(token));
        return null;
      }
      return { tenantId: s.tenantId, registerId: s.registerId, expiresAt: s.expiresAt };
    },

    /** Keeps the state as the register's latest and pushes it to every stream of that register. */
    async publish(tenantId: string, registerId: string, message: DisplayMessage): Promise<Result<number>> {
      const exists = await registerExists(tenantId, registerId);
      if (!exists.ok) return exists;
      const k = key(tenantId, registerId);
      latest.set(k, message);
      const subs = listeners.get(k);
      for (const listener of subs ?? []) listener.message(message);
      return { ok: true, value: subs?.size ?? 0 };
    },

    /** Keeps the tip the shopper chose on the display of a register; the register reads it. */
    setTip(tenantId: string, registerId: string, tip: number, at: number): void {
      if (tips.size > 10_000) tips.clear();
      tips.set(key(tenantId, registerId), { tip, at });
    },

    tip(tenantId: string, registerId: string): { tip: number; at: number } | null {
      return tips.get(key(tenantId, registerId)) ?? null;
    },

    latest(tenantId: string, registerId: string): DisplayMessage | null {
      return latest.get(key(tenantId, registerId)) ?? null;
    },

    /** Calls `listener` with every state published for the register until the returned function is called. */
    subscribe(tenantId: string, registerId: string, listener: DisplayListener): () => void {
      const k = key(tenantId, registerId);
      let subs = listeners.get(k);
      if (!subs) listeners.set(k, (subs = new Set()));
      subs.add(listener);
      return () => {
        const set = listeners.get(k);
        set?.delete(listener);
        if (set?.size === 0) listeners.delete(k);
      };
    },

    /** Unpairs every display of a register: their tokens stop working and open streams end. */
    revoke(tenantId: string, registerId: string): number {
      let revoked = 0;
      for (const [hash, s] of tokens) {
        if (s.tenantId === tenantId && s.registerId === registerId) {
          tokens.delete(hash);
          revoked += 1;
        }
      }
      for (const [code, p] of pairings) {
        if (p.tenantId === tenantId && p.registerId === registerId) pairings.delete(code);
      }
      const k = key(tenantId, registerId);
      const subs = listeners.get(k);
      listeners.delete(k);
      for (const listener of subs ?? []) listener.end();
      return revoked;
    },

    /** Ends every open stream (the server is shutting down; displays reconnect to another node). */
    endAllStreams(): void {
      const all = [...listeners.values()];
      listeners.clear();
      for (const subs of all) for (const listener of subs) listener.end();
    },

    /** Open streams of a register (for tests and the register's "display connected" hint). */
    streamCount(tenantId: string, registerId: string): number {
      return listeners.get(key(tenantId, registerId))?.size ?? 0;
    },
  };
}

export type DisplayService = ReturnType<typeof createDisplayService>;
