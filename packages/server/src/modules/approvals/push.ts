import type { Logger } from 'pino';
import type { Database } from '../../db/database';
import type { Clock, Ids } from '../../lib/ids';
import { outboxQuery } from '../audit/audit';

/**
 * Tells a manager's phone that an approval waits (a push notification), which then opens the
 * approval page where the manager proves it is them (passkey or TOTP). The message carries no
 * personal data and no secret: the approval id, what kind of action, and the page to open.
 */
export interface PushMessage {
  tenantId: string;
  staffId: string;
  approvalId: string;
  kind: string;
  title: string;
  body: string;
  /** the approval page, relative to the back office (`/admin/#/approve/apr_…`) */
  url: string;
}

export interface PushSender {
  /** recorded with each push: `outbox`, `http` */
  readonly channel: string;
  send(message: PushMessage): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/**
 * Default adapter: the notification becomes an outbox event (`push.approval`, for a relay or a
 * device gateway to deliver) and a server log line. Nothing leaves the machine.
 */
export function createOutboxPushSender(deps: {
  database: Database;
  ids: Ids;
  clock: Clock;
  log: Logger;
}): PushSender {
  return {
    channel: 'outbox',
    async send(m) {
      await deps.database.batch([
        outboxQuery(
          deps.database.db,
          deps.ids,
          { tenantId: m.tenantId, topic: 'push.approval', payload: m },
          deps.clock.now().toISOString(),
        ),
      ]);
      deps.log.info(
        { push: { staffId: m.staffId, approvalId: m.approvalId, kind: m.kind } },
        'push (outbox adapter): approval waiting',
      );
      return { ok: true };
    },
  };
}

/**
 * Posts the message as JSON to a push gateway URL (a Web Push relay holding the managers'
 * subscriptions, or a mobile push provider's bridge), optionally with a bearer token.
 */
export function createHttpPushSender(url: string, token?: string): PushSender {
  return {
    channel: 'http',
    async send(m) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(m),
          signal: AbortSignal.timeout(10_000),
        });
        return res.ok ? { ok: true } : { ok: false, reason: `push gateway answered ${res.status}` };
      } catch (e) {
        return { ok: false, reason: `push gateway unreachable: ${(e as Error).message}` };
      }
    },
  };
}

/** `OPENTILL_PUSH_URL` (and `OPENTILL_PUSH_TOKEN`) select the HTTP adapter; otherwise the outbox. */
export function pushSenderFromEnv(
  deps: { database: Database; ids: Ids; clock: Clock; log: Logger },
  env: NodeJS.ProcessEnv = process.env,
): PushSender {
  return env.OPENTILL_PUSH_URL
    ? createHttpPushSender(env.OPENTILL_PUSH_URL, env.OPENTILL_PUSH_TOKEN)
    : createOutboxPushSender(deps);
}
