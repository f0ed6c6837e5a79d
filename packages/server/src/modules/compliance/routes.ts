import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, text } from '../../http/schemas';
import type { ComplianceService } from './service';
import type { CaseState } from './cases';
import { reportHtml } from './report';
import type { RequestKind, RequestState, Regime } from './privacy';
import type { ComplianceSettings } from './settings';

const tags = ['compliance'];
const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;
const caseStates = ['open', 'investigating', 'escalated', 'reported', 'dismissed'] as const;
const screeningStatuses = ['clear', 'potential_match', 'confirmed', 'cleared'] as const;
const requestStates = ['received', 'in_progress', 'completed', 'rejected'] as const;
const party = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: text(300),
    aliases: { type: 'array', maxItems: 20, items: text(300) },
    dob: { type: ['string', 'null'], pattern: '^\\d{4}(-\\d{2}-\\d{2})?$' },
    country: { type: ['string', 'null'], maxLength: 100 },
  },
  required: ['name'],
} as const;

/** Compliance officers' API: cases, alerts, rules, sanctions, PCI self-check, privacy requests. */
export function complianceRoutes(c: ComplianceService, guard: Guard) {
  const read = guard('compliance.read');
  const write = guard('compliance.write');
  return async (app: FastifyInstance) => {
    // ---- cases and alerts
    app.get(
      '/compliance/cases',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'AML and sanctions cases',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              state: { type: 'string', enum: caseStates },
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
        },
      },
      async (request) => {
        const q = request.query as { state?: CaseState; limit?: number };
        return { items: await c.cases.list(authOf(request).tenantId, q) };
      },
    );
    app.get(
      '/compliance/cases/:id',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'A case with alerts, notes, evidence and history',
          security: bearer,
          params: idParams,
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.cases.detail(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/compliance/cases/:id/transition',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Move a case (open → investigating → escalated → reported / dismissed)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              to: { type: 'string', enum: caseStates },
              reason: { type: ['string', 'null'], maxLength: 2000 },
            },
            required: ['to'],
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { to: CaseState; reason?: string | null };
        return sendResult(
          reply,
          await c.cases.transition(
            authOf(request),
            (request.params as { id: string }).id,
            b.to,
            b.reason ?? null,
          ),
        );
      },
    );
    app.post(
      '/compliance/cases/:id/assign',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Assign a case',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { assigneeId: { type: ['string', 'null'], maxLength: 100 } },
            required: ['assigneeId'],
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.cases.assign(
            authOf(request),
            (request.params as { id: string }).id,
            (request.body as { assigneeId: string | null }).assigneeId,
          ),
        ),
    );
    app.post(
      '/compliance/cases/:id/notes',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Add a note to a case',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { body: text(5000) },
            required: ['body'],
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.cases.addNote(
            authOf(request),
            (request.params as { id: string }).id,
            (request.body as { body: string }).body,
          ),
          201,
        ),
    );
    app.post(
      '/compliance/cases/:id/evidence',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Link evidence (an order, refund, screening, document reference)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['order', 'refund', 'void', 'screening', 'document', 'other'] },
              refId: text(200),
              note: { type: ['string', 'null'], maxLength: 2000 },
            },
            required: ['kind', 'refId'],
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { kind: string; refId: string; note?: string | null };
        return sendResult(
          reply,
          await c.cases.addEvidence(
            authOf(request),
            (request.params as { id: string }).id,
            b.kind,
            b.refId,
            b.note ?? null,
          ),
          201,
        );
      },
    );
    app.get(
      '/compliance/cases/:id/report',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'The case report (large or suspicious transaction), JSON or printable HTML',
          security: bearer,
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { type: 'string', enum: ['json', 'html'], default: 'json' } },
          },
        },
      },
      async (request, reply) => {
        const r = await c.reports.build(authOf(request).tenantId, (request.params as { id: string }).id);
        if (!r.ok || (request.query as { format?: string }).format !== 'html') return sendResult(reply, r);
        return reply
          .type('text/html; charset=utf-8')
          .header('content-disposition', `inline; filename="${r.value.case.id}.html"`)
          .send(reportHtml(r.value));
      },
    );
    app.get(
      '/compliance/alerts',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'AML alerts, newest first',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { caseId: id, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
          },
        },
      },
      async (request) => ({
        items: await c.aml.alerts(
          authOf(request).tenantId,
          request.query as { caseId?: string; limit?: number },
        ),
      }),
    );

    // ---- rule sets and settings
    app.get(
      '/compliance/rules',
      { preHandler: read, schema: { tags, summary: 'AML rule sets per jurisdiction', security: bearer } },
      async (request) => ({ items: await c.aml.ruleSets(authOf(request).tenantId) }),
    );
    app.put(
      '/compliance/rules/:jurisdiction',
      {
        preHandler: write,
        schema: {
          tags,
          summary: "Replace a jurisdiction's rules (versioned, audited)",
          security: bearer,
          params: {
            type: 'object',
            additionalProperties: false,
            properties: { jurisdiction: { type: 'string', pattern: '^[A-Z]{2}$' } },
            required: ['jurisdiction'],
          },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { rules: { type: 'array', maxItems: 100, items: { type: 'object' } } },
            required: ['rules'],
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.aml.saveRuleSet(
            authOf(request),
            (request.params as { jurisdiction: string }).jurisdiction,
            (request.body as { rules: unknown }).rules,
          ),
        ),
    );
    app.get(
      '/compliance/settings',
      { preHandler: read, schema: { tags, summary: 'Compliance settings', security: bearer } },
      async (request) => c.settings(authOf(request).tenantId),
    );
    app.put(
      '/compliance/settings',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Change compliance settings',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              screeningThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
              saleScreeningAmount: {
                type: 'object',
                additionalProperties: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              },
              listSources: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  ofac_sdn: { type: 'string', maxLength: 1000 },
                  un_consolidated: { type: 'string', maxLength: 1000 },
                },
              },
              reimportHours: { type: 'integer', minimum: 1, maximum: 720 },
              pciLogFiles: { type: 'array', maxItems: 50, items: text(1000) },
              keyRotationDays: { type: 'integer', minimum: 1, maximum: 3650 },
              supportedRegisterVersions: { type: 'array', maxItems: 50, items: text(50) },
              privacyRegime: { type: 'string', enum: ['gdpr', 'pipl'] },
            },
          },
        },
      },
      async (request, reply) =>
        sendResult(reply, await c.saveSettings(authOf(request), request.body as Partial<ComplianceSettings>)),
    );

    // ---- sanctions
    app.get(
      '/compliance/sanctions/lists',
      {
        preHandler: read,
        schema: { tags, summary: 'Imported list versions (newest first)', security: bearer },
      },
      async () => ({ items: await c.sanctions.versions() }),
    );
    app.post(
      '/compliance/sanctions/screen',
      {
        preHandler: write,
        schema: { tags, summary: 'Screen a name against the active lists', security: bearer, body: party },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await c.sanctions.screenParty(authOf(request).tenantId, request.body as { name: string })),
    );
    app.post(
      '/compliance/sanctions/screen-sale',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'Screen the named party of a sale; `held` blocks the sale until an officer clears it',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              orderId: id,
              amount: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              party,
            },
            required: ['orderId', 'amount', 'currency', 'party'],
          },
        },
      },
      async (request) => {
        const b = request.body as {
          orderId: string;
          amount: number;
          currency: string;
          party: { name: string };
        };
        const r = await c.sanctions.screenSaleParty(authOf(request).tenantId, b);
        // the register sees only whether to hold, never the list entries
        return {
          held: r.held,
          screeningId: r.screening?.id ?? null,
          status: r.screening?.status ?? 'not_required',
        };
      },
    );
    app.get(
      '/compliance/sanctions/screenings/:id/status',
      {
        preHandler: guard('orders.create'),
        schema: { tags, summary: 'Whether a held sale may go ahead', security: bearer, params: idParams },
      },
      async (request, reply) => {
        const r = await c.sanctions.get(authOf(request).tenantId, (request.params as { id: string }).id);
        return sendResult(
          reply,
          r.ok
            ? {
                ok: true,
                value: {
                  status: r.value.status,
                  held: r.value.status === 'potential_match' || r.value.status === 'confirmed',
                },
              }
            : r,
        );
      },
    );
    app.get(
      '/compliance/sanctions/screenings',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'Screenings (filter by status)',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { status: { type: 'string', enum: screeningStatuses } },
          },
        },
      },
      async (request) => ({
        items: await c.sanctions.list(
          authOf(request).tenantId,
          (request.query as { status?: (typeof screeningStatuses)[number] }).status,
        ),
      }),
    );
    app.get(
      '/compliance/sanctions/screenings/:id',
      {
        preHandler: read,
        schema: { tags, summary: 'One screening with its matches', security: bearer, params: idParams },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.sanctions.get(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/compliance/sanctions/screenings/:id/decision',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Confirm or clear a potential match, with a reason (audited)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { decision: { type: 'string', enum: ['confirm', 'clear'] }, reason: text(2000) },
            required: ['decision', 'reason'],
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { decision: 'confirm' | 'clear'; reason: string };
        return sendResult(
          reply,
          await c.sanctions.decide(
            authOf(request),
            (request.params as { id: string }).id,
            b.decision,
            b.reason,
          ),
        );
      },
    );

    // ---- PCI DSS self-check
    app.post(
      '/compliance/pci/check',
      { preHandler: write, schema: { tags, summary: 'Run the PCI DSS self-check now', security: bearer } },
      async (request, reply) =>
        reply.status(201).send(await c.pci.run(authOf(request).tenantId, 'on_demand')),
    );
    app.get(
      '/compliance/pci/reports',
      {
        preHandler: read,
        schema: { tags, summary: 'PCI self-check history (newest first)', security: bearer },
      },
      async (request) => ({ items: await c.pci.history(authOf(request).tenantId) }),
    );

    // ---- privacy requests and retention
    app.get(
      '/compliance/privacy/requests',
      {
        preHandler: read,
        schema: {
          tags,
          summary: 'Data-subject requests by due date',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { state: { type: 'string', enum: requestStates } },
          },
        },
      },
      async (request) => ({
        items: await c.privacy.list(
          authOf(request).tenantId,
          (request.query as { state?: RequestState }).state,
        ),
      }),
    );
    app.post(
      '/compliance/privacy/requests',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Record a data-subject request (access, correction, erasure, consent withdrawal)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['access', 'correction', 'erasure', 'withdraw_consent'] },
              subjectId: id,
              regime: { type: 'string', enum: ['gdpr', 'pipl'] },
              receivedAt: { type: 'string', format: 'date-time' },
              details: { type: 'object' },
            },
            required: ['kind', 'subjectId'],
          },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        const settings = await c.settings(a.tenantId);
        return sendResult(
          reply,
          await c.privacy.create(
            a,
            request.body as { kind: RequestKind; subjectId: string; regime?: Regime },
            settings.privacyRegime,
          ),
          201,
        );
      },
    );
    app.get(
      '/compliance/privacy/requests/:id',
      { preHandler: read, schema: { tags, summary: 'One request', security: bearer, params: idParams } },
      async (request, reply) =>
        sendResult(
          reply,
          await c.privacy.get(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/compliance/privacy/requests/:id/start',
      {
        preHandler: write,
        schema: { tags, summary: 'Start work on a request', security: bearer, params: idParams },
      },
      async (request, reply) =>
        sendResult(reply, await c.privacy.start(authOf(request), (request.params as { id: string }).id)),
    );
    app.post(
      '/compliance/privacy/requests/:id/reject',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Reject a request with a reason',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { reason: text(2000) },
            required: ['reason'],
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.privacy.reject(
            authOf(request),
            (request.params as { id: string }).id,
            (request.body as { reason: string }).reason,
          ),
        ),
    );
    app.post(
      '/compliance/privacy/requests/:id/fulfil',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Carry a request out and complete it (access returns the export)',
          security: bearer,
          params: idParams,
        },
      },
      async (request, reply) =>
        sendResult(reply, await c.privacy.fulfil(authOf(request), (request.params as { id: string }).id)),
    );
    app.get(
      '/compliance/retention',
      { preHandler: read, schema: { tags, summary: 'Retention periods per data kind', security: bearer } },
      async (request) => ({ items: await c.privacy.retentionRules(authOf(request).tenantId) }),
    );
    app.put(
      '/compliance/retention/:kind',
      {
        preHandler: write,
        schema: {
          tags,
          summary: 'Set the retention period of a data kind',
          security: bearer,
          params: {
            type: 'object',
            additionalProperties: false,
            properties: { kind: text(50) },
            required: ['kind'],
          },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { keepDays: { type: 'integer', minimum: 1, maximum: 36500 } },
            required: ['keepDays'],
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await c.privacy.setRetention(
            authOf(request),
            (request.params as { kind: string }).kind,
            (request.body as { keepDays: number }).keepDays,
          ),
        ),
    );
  };
}
