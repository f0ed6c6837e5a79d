import type { Logger } from 'pino';

/**
 * Sends one-time codes by SMS. Real carriers sit behind this interface; the server never stores
 * the code (only its hash in the challenge).
 */
export interface SmsSender {
  send(to: string, text: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/**
 * Development adapter: keeps the messages in memory (an outbox tests read) and writes them to the
 * server log so that a developer can read the code. It is the only place a code is ever logged;
 * production configures `OPENTILL_SMS_URL` and gets the HTTP adapter instead.
 */
/** What the development adapter "sent", newest last (this process only). */
export const devSmsOutbox: { to: string; text: string }[] = [];

export function createDevSmsSender(log: Logger) {
  const outbox = devSmsOutbox;
  return {
    outbox,
    async send(to: string, text: string) {
      outbox.push({ to, text });
      if (outbox.length > 1000) outbox.shift();
      log.warn({ to: maskPhone(to), text }, 'SMS (development adapter: not sent, code shown for developers)');
      return { ok: true as const };
    },
  };
}

/** Posts `{to, text}` as JSON to a gateway URL (an SMS provider or a relay in front of one). */
export function createHttpSmsSender(url: string, token?: string): SmsSender {
  return {
    async send(to, text) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ to, text }),
          signal: AbortSignal.timeout(10_000),
        });
        return res.ok ? { ok: true } : { ok: false, reason: `gateway answered ${res.status}` };
      } catch (e) {
        return { ok: false, reason: `gateway unreachable: ${(e as Error).message}` };
      }
    },
  };
}

export function maskPhone(phone: string): string {
  return phone.length <= 4 ? '****' : `${'*'.repeat(phone.length - 4)}${phone.slice(-4)}`;
}
