import type { CompiledQuery, Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import { insertRows } from '../../db/insert-rows';
import type { Ids } from '../../lib/ids';

/** One privileged action, recorded in the same transaction as the change it describes. */
export interface AuditEntry {
  tenantId: string;
  staffId: string | null;
  /** dotted verb, e.g. `order.refund`, `stock.adjust`, `cash_session.close` */
  action: string;
  entity: string;
  entityId: string | null;
  data: unknown;
}

/** The insert for an audit entry; the caller runs it inside its own transaction or batch. */
export function auditQuery(db: Kysely<DB>, ids: Ids, entry: AuditEntry, now: string): CompiledQuery {
  return insertRows(db, 'audit_log', [
    {
      id: ids.newId('aud'),
      tenant_id: entry.tenantId,
      staff_id: entry.staffId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      data: JSON.stringify(entry.data),
      created_at: now,
    },
  ]);
}

/** A domain event for the outbox, published after commit by whoever consumes the outbox. */
export function outboxQuery(
  db: Kysely<DB>,
  ids: Ids,
  event: { tenantId: string; topic: string; payload: unknown },
  now: string,
): CompiledQuery {
  return insertRows(db, 'outbox', [
    {
      id: ids.newId('evt'),
      tenant_id: event.tenantId,
      topic: event.topic,
      payload: JSON.stringify(event.payload),
      created_at: now,
      published_at: null,
    },
  ]);
}
