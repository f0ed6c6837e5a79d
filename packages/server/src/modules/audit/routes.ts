import type { FastifyInstance } from 'fastify';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, isoInstant } from '../../http/schemas';
import type { AuditFilter, AuditService } from './service';

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    seq: { type: ['integer', 'null'] },
    createdAt: { type: 'string' },
    staffId: { type: ['string', 'null'] },
    username: { type: ['string', 'null'] },
    action: { type: 'string' },
    entity: { type: 'string' },
    entityId: { type: ['string', 'null'] },
    data: {},
    prevHash: { type: ['string', 'null'] },
    hash: { type: ['string', 'null'] },
  },
} as const;

const filterProps = {
  action: { type: 'string', pattern: '^[a-z_]+(\\.[a-z_]+)*$', maxLength: 100 },
  staffId: id,
  from: isoInstant,
  to: isoInstant,
} as const;

const tags = ['audit'];

export function auditRoutes(audit: AuditService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/audit',
      {
        preHandler: guard('audit.read'),
        schema: {
          tags,
          summary: 'The audit trail, newest first (filters: action or its prefix, staff, time range)',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...filterProps, before: id, limit: { type: 'integer', minimum: 1, maximum: 500 } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: entrySchema },
                nextBefore: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      async (request) => audit.list(authOf(request).tenantId, request.query as AuditFilter),
    );
    app.get(
      '/audit/verify',
      {
        preHandler: guard('audit.read'),
        schema: {
          tags,
          summary: "Seal pending entries and check the tenant's hash chain from the genesis",
          security: bearer,
        },
      },
      async (request) => audit.verify(authOf(request).tenantId),
    );
    app.get(
      '/audit/export',
      {
        preHandler: guard('audit.read'),
        schema: {
          tags,
          summary: 'The audit trail as CSV or JSON (the export is itself audited)',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...filterProps, format: { type: 'string', enum: ['csv', 'json'], default: 'csv' } },
          },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        const { format, ...filter } = request.query as AuditFilter & { format: 'csv' | 'json' };
        const file = await audit.export(a, filter, format);
        return reply
          .header('content-type', file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('cache-control', 'no-store')
          .send(file.body);
      },
    );
  };
}
