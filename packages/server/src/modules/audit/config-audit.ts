import type { FastifyInstance } from 'fastify';
import type { AuditService } from './service';

/**
 * Configuration changes made by modules that write outside a transaction of their own (stores,
 * registers, staff) are audited here, from the route table, after a 2xx answer and before the
 * answer leaves. Request fields named below never reach the audit data: secrets, and personal
 * data that must stay encrypted.
 */
const audited: Record<string, { action: string; entity: string; fieldsOnly?: boolean }> = {
  'POST /api/v1/stores': { action: 'store.create', entity: 'store' },
  'PATCH /api/v1/stores/:id': { action: 'store.update', entity: 'store' },
  'POST /api/v1/registers': { action: 'register.create', entity: 'register' },
  'PATCH /api/v1/registers/:id': { action: 'register.update', entity: 'register' },
  // staff: who changed which fields and the role granted, never the name or credentials
  'POST /api/v1/staff': { action: 'staff.create', entity: 'staff', fieldsOnly: true },
  'PATCH /api/v1/staff/:id': { action: 'staff.update', entity: 'staff', fieldsOnly: true },
};

export const auditedConfigRoutes = Object.keys(audited);

function entityIdOf(params: unknown, payload: unknown): string | null {
  const p = params as { id?: unknown } | undefined;
  if (typeof p?.id === 'string') return p.id;
  if (typeof payload === 'string') {
    try {
      const body = JSON.parse(payload) as { id?: unknown };
      if (typeof body.id === 'string') return body.id;
    } catch {
      return null;
    }
  }
  return null;
}

export function registerConfigAudit(app: FastifyInstance, audit: AuditService): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 200 || reply.statusCode >= 300 || !request.auth) return payload;
    const spec = audited[`${request.method} ${request.routeOptions.url ?? ''}`];
    if (!spec) return payload;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const data = spec.fieldsOnly
      ? { fields: Object.keys(body).sort(), ...(typeof body.role === 'string' ? { role: body.role } : {}) }
      : body;
    await audit.record({
      tenantId: request.auth.tenantId,
      staffId: request.auth.staffId,
      action: spec.action,
      entity: spec.entity,
      entityId: entityIdOf(request.params, payload),
      data,
    });
    return payload;
  });
}
