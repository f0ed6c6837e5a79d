import type { FastifyInstance } from 'fastify';
import { errorBodySchema, sendError, sendResult } from '../../http/errors';
import { authOf, bearerToken, requestMeta, type Guard } from '../../http/auth';
import { bearer, id, text } from '../../http/schemas';
import { DEVICE_KINDS, type DeviceKind, type DevicesService } from './service';

const tags = ['devices'];

const deviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...DEVICE_KINDS] },
    name: { type: 'string' },
    storeId: { type: 'string' },
    registerId: { type: ['string', 'null'] },
    state: { type: 'string', enum: ['pending', 'paired', 'revoked'] },
    pairedAt: { type: ['string', 'null'] },
    lastSeenAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    revokedAt: { type: ['string', 'null'] },
  },
  required: ['id', 'kind', 'name', 'storeId', 'registerId', 'state', 'createdAt'],
} as const;

const pairingSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, expiresAt: { type: 'string' } },
  required: ['code', 'expiresAt'],
} as const;

const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;

export function devicesRoutes(devices: DevicesService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/devices',
      {
        preHandler: guard('devices.manage'),
        schema: {
          tags,
          summary: 'Registers, customer displays, payment terminals and kiosks with their own credentials',
          security: bearer,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: deviceSchema } } },
          },
        },
      },
      async (request) => ({ items: await devices.list(authOf(request).tenantId) }),
    );

    app.post(
      '/devices',
      {
        preHandler: guard('devices.manage'),
        schema: {
          tags,
          summary: 'Register a device and get its one-time pairing code',
          description:
            'The code (XXXX-XXXX) works once, for OPENTILL_PAIRING_MINUTES minutes (15 by default): the device sends it to /devices/pair. Registers, customer displays and payment terminals are bound to a register of the store; a kiosk to the store.',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: [...DEVICE_KINDS] },
              name: text(100),
              storeId: id,
              registerId: id,
            },
            required: ['kind', 'name', 'storeId'],
          },
          response: {
            201: {
              type: 'object',
              properties: { device: deviceSchema, pairing: pairingSchema },
              required: ['device', 'pairing'],
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { kind: DeviceKind; name: string; storeId: string; registerId?: string };
        return sendResult(reply, await devices.create(authOf(request), b), 201);
      },
    );

    app.post(
      '/devices/:id/pairing-code',
      {
        preHandler: guard('devices.manage'),
        schema: {
          tags,
          summary: 'A new pairing code for a device (to pair it again, e.g. after a reinstall)',
          description: 'Earlier unused codes stop working. Pairing again replaces the device’s credential.',
          security: bearer,
          params: idParams,
          response: { 201: pairingSchema, '4xx': errorBodySchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await devices.newCode(authOf(request), (request.params as { id: string }).id), 201),
    );

    app.delete(
      '/devices/:id',
      {
        preHandler: guard('devices.manage'),
        schema: {
          tags,
          summary: 'Revoke a device: its credential and tokens stop working at once',
          description: 'Revoking a register also ends the PIN sign-ins on it.',
          security: bearer,
          params: idParams,
          response: { '4xx': errorBodySchema },
        },
      },
      async (request, reply) => {
        const r = await devices.revoke(authOf(request), (request.params as { id: string }).id);
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    app.post(
      '/devices/pair',
      {
        schema: {
          tags,
          summary: 'Pair a device: trade its pairing code for its credential (no sign-in)',
          description:
            'Answers the credential `odk_…` once; keep it on the device. Wrong codes are limited per address.',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              code: { type: 'string', minLength: 8, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' },
            },
            required: ['code'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                credential: { type: 'string' },
                device: deviceSchema,
                storeName: { type: 'string' },
                registerName: { type: ['string', 'null'] },
              },
              required: ['credential', 'device'],
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const r = await devices.pair((request.body as { code: string }).code, requestMeta(request));
        if (!r.ok && r.error.code === 'rate_limited') {
          const wait = (r.error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
          if (wait) void reply.header('retry-after', String(wait));
        }
        return sendResult(reply, r);
      },
    );

    app.post(
      '/devices/token',
      {
        schema: {
          tags,
          summary: 'Trade the device credential (Authorization: Bearer odk_…) for a short device token',
          description:
            'The device token (`odt_…`) carries only what the device’s kind may do: a register loads the catalog and signs cashiers in by PIN; a customer display sends tips and feedback for its register; a payment terminal reports card reads for its register.',
          security: bearer,
          response: {
            200: {
              type: 'object',
              properties: {
                token: { type: 'string' },
                expiresInSeconds: { type: 'integer' },
                device: deviceSchema,
              },
              required: ['token', 'expiresInSeconds', 'device'],
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const credential = bearerToken(request);
        if (!credential)
          return sendError(reply, {
            code: 'unauthenticated',
            message: 'Send the device credential: Authorization: Bearer odk_….',
          });
        return sendResult(reply, await devices.token(credential));
      },
    );
  };
}
