import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, embeddedBarcodeRule, id, listOf, nullableText, text } from '../../http/schemas';
import type { StoreInput, StoresService } from './service';

const storeSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    currency: { type: 'string' },
    timeZone: { type: 'string' },
    country: { type: ['string', 'null'] },
    address: { type: ['string', 'null'] },
    taxMode: { type: 'string', enum: ['inclusive', 'exclusive'] },
    taxRounding: { type: 'string', enum: ['per_line', 'per_order'] },
    roundingMode: { type: 'string' },
    cashIncrement: { type: 'integer' },
    negativeStock: { type: 'string', enum: ['block', 'allow'] },
    embeddedBarcodes: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const registerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    storeId: { type: 'string' },
    name: { type: 'string' },
    active: { type: 'boolean' },
    offlineCardLimit: { type: 'integer' },
  },
} as const;

/** card sales allowed offline up to this amount per sale (minor units); 0 = none */
const offlineCardLimit = { type: 'integer', minimum: 0, maximum: 1_000_000_000 } as const;

const storeBodyProps = {
  name: text(),
  nameZh: nullableText(),
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  timeZone: text(64),
  country: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
  address: nullableText(500),
  taxMode: { type: 'string', enum: ['inclusive', 'exclusive'] },
  taxRounding: { type: 'string', enum: ['per_line', 'per_order'] },
  roundingMode: { type: 'string', enum: ['half_up', 'half_even', 'half_down', 'up', 'down'] },
  cashIncrement: { type: 'integer', minimum: 1, maximum: 100000 },
  negativeStock: { type: 'string', enum: ['block', 'allow'] },
  embeddedBarcodes: { type: 'array', maxItems: 10, items: embeddedBarcodeRule },
} as const;

export function storesRoutes(stores: StoresService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/stores',
      {
        preHandler: guard('stores.read'),
        schema: {
          tags: ['stores'],
          summary: 'Stores this token may use',
          security: bearer,
          response: { 200: listOf(storeSchema) },
        },
      },
      async (request) => ({ items: await stores.list(authOf(request).tenantId) }),
    );
    app.get(
      '/stores/:id',
      {
        preHandler: guard('stores.read'),
        schema: {
          tags: ['stores'],
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          response: { 200: storeSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await stores.get(authOf(request).tenantId, (request.params as { id: string }).id)),
    );
    app.post(
      '/stores',
      {
        preHandler: guard('stores.write'),
        schema: {
          tags: ['stores'],
          summary: 'Create a store',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: storeBodyProps,
            required: ['name', 'currency', 'timeZone', 'taxMode'],
          },
          response: { 201: storeSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await stores.create(authOf(request).tenantId, request.body as StoreInput), 201),
    );
    app.patch(
      '/stores/:id',
      {
        preHandler: guard('stores.write'),
        schema: {
          tags: ['stores'],
          summary: 'Edit a store',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: { type: 'object', additionalProperties: false, properties: storeBodyProps, minProperties: 1 },
          response: { 200: storeSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await stores.update(
            authOf(request).tenantId,
            (request.params as { id: string }).id,
            request.body as Partial<StoreInput>,
          ),
        ),
    );
    app.get(
      '/registers',
      {
        preHandler: guard('stores.read'),
        schema: {
          tags: ['stores'],
          summary: 'Registers, optionally of one store',
          security: bearer,
          querystring: { type: 'object', additionalProperties: false, properties: { storeId: id } },
          response: { 200: listOf(registerSchema) },
        },
      },
      async (request) => ({
        items: await stores.listRegisters(
          authOf(request).tenantId,
          (request.query as { storeId?: string }).storeId,
        ),
      }),
    );
    app.post(
      '/registers',
      {
        preHandler: guard('stores.write'),
        schema: {
          tags: ['stores'],
          summary: 'Create a register',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, name: text(), offlineCardLimit },
            required: ['storeId', 'name'],
          },
          response: { 201: registerSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await stores.createRegister(
            authOf(request).tenantId,
            request.body as { storeId: string; name: string; offlineCardLimit?: number },
          ),
          201,
        ),
    );
    app.patch(
      '/registers/:id',
      {
        preHandler: guard('stores.write'),
        schema: {
          tags: ['stores'],
          summary: 'Rename or deactivate a register, or set its offline card floor limit',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { name: text(), active: { type: 'boolean' }, offlineCardLimit },
            minProperties: 1,
          },
          response: { 200: registerSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await stores.updateRegister(
            authOf(request).tenantId,
            (request.params as { id: string }).id,
            request.body as { name?: string; active?: boolean; offlineCardLimit?: number },
          ),
        ),
    );
  };
}
