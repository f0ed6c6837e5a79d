import type { Deps } from '../../deps';
import { auditQuery } from './audit';
import { sealAudit, verifyAudit, type VerifyResult } from './chain';

export interface AuditFilter {
  action?: string | undefined;
  staffId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** an entry id: entries older than it (paging, newest first) */
  before?: string | undefined;
  limit?: number | undefined;
}

export interface AuditEntryView {
  id: string;
  seq: number | null;
  createdAt: string;
  staffId: string | null;
  username: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  data: unknown;
  prevHash: string | null;
  hash: string | null;
}

const EXPORT_LIMIT = 100_000;

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** RFC 4180 field: quoted when needed; a leading = + - @ is defused for spreadsheets. */
function csvField(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function createAuditService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function query(tenantId: string, filter: AuditFilter, limit: number): Promise<AuditEntryView[]> {
    let q = db
      .selectFrom('audit_log')
      .leftJoin('staff', (j) =>
        j.onRef('staff.id', '=', 'audit_log.staff_id').onRef('staff.tenant_id', '=', 'audit_log.tenant_id'),
      )
      .select([
        'audit_log.id',
        'audit_log.seq',
        'audit_log.created_at',
        'audit_log.staff_id',
        'staff.username',
        'audit_log.action',
        'audit_log.entity',
        'audit_log.entity_id',
        'audit_log.data',
        'audit_log.prev_hash',
        'audit_log.hash',
      ])
      .where('audit_log.tenant_id', '=', tenantId);
    if (filter.action) {
      // `order` finds order.refund and order.void; `order.void` only itself
      q = filter.action.includes('.')
        ? q.where('audit_log.action', '=', filter.action)
        : q.where('audit_log.action', 'like', `${filter.action.replace(/[%_\\]/g, '')}.%`);
    }
    if (filter.staffId) q = q.where('audit_log.staff_id', '=', filter.staffId);
    if (filter.from) q = q.where('audit_log.created_at', '>=', filter.from);
    if (filter.to) q = q.where('audit_log.created_at', '<', filter.to);
    if (filter.before) q = q.where('audit_log.id', '<', filter.before);
    const rows = await q.orderBy('audit_log.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq === null ? null : Number(r.seq),
      createdAt: r.created_at,
      staffId: r.staff_id,
      username: r.username ?? null,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      data: parse(r.data),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  return {
    async list(tenantId: string, filter: AuditFilter) {
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
      const items = await query(tenantId, filter, limit);
      return { items, nextBefore: items.length === limit ? (items[items.length - 1]?.id ?? null) : null };
    },

    async verify(tenantId: string): Promise<VerifyResult> {
      await sealAudit(database, clock, tenantId);
      return verifyAudit(database, tenantId);
    },

    /** The trail as a file; the export is itself an audit entry, sealed into the chain it shows. */
    async export(
      actor: { tenantId: string; staffId: string },
      filter: AuditFilter,
      format: 'csv' | 'json',
    ): Promise<{ body: string; contentType: string; filename: string }> {
      const now = clock.now().toISOString();
      await database.batch([
        auditQuery(
          db,
          ids,
          {
            tenantId: actor.tenantId,
            staffId: actor.staffId,
            action: 'audit.export',
            entity: 'audit_log',
            entityId: null,
            data: { format, filter },
          },
          now,
        ),
      ]);
      await sealAudit(database, clock, actor.tenantId);
      const items = await query(actor.tenantId, filter, EXPORT_LIMIT);
      const head = await db
        .selectFrom('audit_chain_heads')
        .selectAll()
        .where('tenant_id', '=', actor.tenantId)
        .executeTakeFirst();
      const stamp = now.replace(/[:.]/g, '-');
      if (format === 'json') {
        return {
          body: JSON.stringify({
            tenantId: actor.tenantId,
            exportedAt: now,
            filter,
            chainHead: head ? { seq: Number(head.seq), hash: head.hash } : null,
            items,
          }),
          contentType: 'application/json; charset=utf-8',
          filename: `audit-${stamp}.json`,
        };
      }
      const columns = [
        'seq',
        'created_at',
        'action',
        'staff_id',
        'username',
        'entity',
        'entity_id',
        'data',
        'prev_hash',
        'hash',
      ];
      const lines = [columns.join(',')];
      for (const e of items) {
        lines.push(
          [
            e.seq,
            e.createdAt,
            e.action,
            e.staffId,
            e.username,
            e.entity,
            e.entityId,
            e.data,
            e.prevHash,
            e.hash,
          ]
            .map(csvField)
            .join(','),
        );
      }
      return {
        body: `${lines.join('\r\n')}\r\n`,
        contentType: 'text/csv; charset=utf-8',
        filename: `audit-${stamp}.csv`,
      };
    },

    /** Records a change made outside a module transaction (see config-audit.ts). */
    async record(entry: Parameters<typeof auditQuery>[2]) {
      await database.batch([auditQuery(db, ids, entry, clock.now().toISOString())]);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
