import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBodySchema, HttpError, sendError, sendResult } from '../../http/errors';
import { authOf, type DeviceTokens, type Guard } from '../../http/auth';
import { bearer, id, MAX_SAFE, money, signedMoney, text } from '../../http/schemas';
import type { AuthContext } from '../auth/service';
import type { DisplayMessage, DisplayService, DisplaySession } from './service';

const tags = ['display'];
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;

const lineSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: text(300),
    nameZh: { type: ['string', 'null'], maxLength: 300 },
    quantity: { type: 'number', minimum: -1_000_000, maximum: 1_000_000 },
    unit: text(20),
    total: signedMoney,
  },
  required: ['name', 'nameZh', 'quantity', 'unit', 'total'],
} as const;

/** The web app's `DisplayState` (packages/web/src/display/channel.ts), one branch per kind. */
const stateSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { const: 'idle' },
        storeName: { type: 'string', maxLength: 200 },
        slides: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              id: text(100),
              mediaKind: { type: 'string', enum: ['image', 'video', 'text'] },
              mediaUrl: { type: ['string', 'null'], maxLength: 2000 },
              text: { type: ['string', 'null'], maxLength: 2000 },
              textZh: { type: ['string', 'null'], maxLength: 2000 },
            },
            required: ['id', 'mediaKind'],
          },
        },
      },
      required: ['kind', 'storeName'],
    },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { const: 'cart' },
        currency,
        lines: { type: 'array', maxItems: 1000, items: lineSchema },
        subtotal: signedMoney,
        discountTotal: signedMoney,
        taxTotal: signedMoney,
        total: signedMoney,
        hints: {
          type: 'array',
          maxItems: 20,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { text: text(500), textZh: { type: ['string', 'null'], maxLength: 500 } },
            required: ['text'],
          },
        },
        suggestions: {
          type: 'array',
          maxItems: 20,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: text(300),
              nameZh: { type: ['string', 'null'], maxLength: 300 },
              price: signedMoney,
            },
            required: ['name', 'price'],
          },
        },
      },
      required: ['kind', 'currency', 'lines', 'subtotal', 'discountTotal', 'taxTotal', 'total'],
    },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { const: 'paying' },
        currency,
        total: signedMoney,
        paid: signedMoney,
        qr: { type: ['string', 'null'], maxLength: 2000 },
        tip: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            base: money,
            presetsBp: {
              type: 'array',
              maxItems: 10,
              items: { type: 'integer', minimum: 0, maximum: 100_000 },
            },
            chosen: money,
          },
          required: ['base', 'presetsBp', 'chosen'],
        },
      },
      required: ['kind', 'currency', 'total', 'paid', 'qr'],
    },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { const: 'thanks' },
        currency,
        total: signedMoney,
        change: money,
        receiptToken: { type: ['string', 'null'], maxLength: 200 },
      },
      required: ['kind', 'currency', 'total', 'change'],
    },
  ],
} as const;

const registerParams = {
  type: 'object',
  additionalProperties: false,
  properties: { registerId: id },
  required: ['registerId'],
} as const;

/** Staff act for the register they are signed in on (PIN switch), or any register of their tenant. */
function checkRegister(ctx: AuthContext, registerId: string) {
  if (ctx.registerId !== null && ctx.registerId !== registerId) {
    throw new HttpError('forbidden', `You are signed in on register ${ctx.registerId}, not ${registerId}.`);
  }
}

export function displayRoutes(display: DisplayService, guard: Guard, devices: DeviceTokens) {
  /** A display's session: a paired customer display's device token (`odt_…`) or a register-made display token. */
  async function sessionOf(token: string): Promise<(DisplaySession & { deviceId?: string }) | null> {
    if (!token.startsWith('odt_')) return display.authenticate(token);
    const r = await devices.check(token);
    if (!('ctx' in r) || r.ctx.device?.kind !== 'customer_display' || !r.ctx.registerId) return null;
    return {
      tenantId: r.ctx.tenantId,
      registerId: r.ctx.registerId,
      expiresAt: r.expiresAt,
      deviceId: r.ctx.device.id,
    };
  }
  /** open streams of displays paired by device credential: a revocation ends them at once */
  const deviceStreams = new Map<string, Set<() => void>>();
  devices.onRevoke((deviceId) => {
    const ends = deviceStreams.get(deviceId);
    deviceStreams.delete(deviceId);
    for (const end of ends ?? []) end();
  });
  const trackDevice = (deviceId: string | undefined, end: () => void) => {
    if (!deviceId) return () => undefined;
    let set = deviceStreams.get(deviceId);
    if (!set) deviceStreams.set(deviceId, (set = new Set()));
    set.add(end);
    return () => {
      set.delete(end);
      if (set.size === 0) deviceStreams.delete(deviceId);
    };
  };

  return async (app: FastifyInstance) => {
    // open streams end before the server closes, or close would wait for every display
    app.addHook('preClose', async () => display.endAllStreams());

    app.post<{ Body: { registerId: string } }>(
      '/display/pairings',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'Start pairing a customer display on another device with this register',
          description:
            'Returns a single-use 6-digit code valid for 10 minutes. The display claims it (no sign-in) and gets a read-only display token.',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { registerId: id },
            required: ['registerId'],
          },
          response: {
            201: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                registerId: { type: 'string' },
                expiresAt: { type: 'string' },
              },
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        checkRegister(ctx, request.body.registerId);
        return sendResult(reply, await display.createPairing(ctx.tenantId, request.body.registerId), 201);
      },
    );

    app.post<{ Params: { code: string } }>(
      '/display/pairings/:code/claim',
      {
        schema: {
          tags,
          summary: 'Claim a pairing code on the customer display (no sign-in)',
          description:
            'Returns a display token bound to the register, valid 12 hours. It only opens the display stream; every other route refuses it.',
          params: {
            type: 'object',
            additionalProperties: false,
            properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } },
            required: ['code'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                token: { type: 'string' },
                registerId: { type: 'string' },
                registerName: { type: 'string' },
                storeName: { type: 'string' },
                storeNameZh: { type: ['string', 'null'] },
                expiresAt: { type: 'string' },
              },
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => sendResult(reply, await display.claim(request.params.code, request.ip)),
    );

    app.delete<{ Params: { registerId: string } }>(
      '/display/:registerId/pairings',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'Unpair every customer display of a register',
          security: bearer,
          params: registerParams,
          response: {
            200: { type: 'object', properties: { revoked: { type: 'integer' } } },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        checkRegister(ctx, request.params.registerId);
        // another tenant's register (or none) is 404, as everywhere else
        const exists = await display.registerExists(ctx.tenantId, request.params.registerId);
        if (!exists.ok) return sendResult(reply, exists);
        return { revoked: display.revoke(ctx.tenantId, request.params.registerId) };
      },
    );

    app.post<{ Params: { registerId: string }; Body: { at?: number; state: DisplayMessage['state'] } }>(
      '/display/:registerId/state',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'Publish what the customer display of a register shows now',
          description:
            'Kept as the latest state of the register (in this process) and pushed at once to its display streams.',
          security: bearer,
          params: registerParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { at: { type: 'integer', minimum: 0, maximum: MAX_SAFE }, state: stateSchema },
            required: ['state'],
          },
          response: {
            200: { type: 'object', properties: { streams: { type: 'integer' } } },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const { registerId } = request.params;
        checkRegister(ctx, registerId);
        const message = { at: request.body.at ?? Date.now(), state: request.body.state };
        const result = await display.publish(ctx.tenantId, registerId, message);
        return sendResult(reply, result.ok ? { ok: true, value: { streams: result.value } } : result);
      },
    );

    app.post<{ Body: { tip: number; at?: number } }>(
      '/display/tip',
      {
        preHandler: guard('display.interact'),
        schema: {
          tags,
          summary: 'The tip the shopper chose on a paired customer display (its device token)',
          description:
            'Kept as the latest tip of the display’s own register (in this process); the register reads it at GET /display/{registerId}/tip.',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { tip: money, at: { type: 'integer', minimum: 0, maximum: MAX_SAFE } },
            required: ['tip'],
          },
          response: { '4xx': errorBodySchema },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        if (!ctx.registerId) throw new HttpError('forbidden', 'This device is bound to no register.');
        display.setTip(ctx.tenantId, ctx.registerId, request.body.tip, request.body.at ?? Date.now());
        return reply.status(204).send();
      },
    );

    app.get<{ Params: { registerId: string } }>(
      '/display/:registerId/tip',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'The latest tip the shopper chose on the register’s paired customer display',
          security: bearer,
          params: registerParams,
          response: {
            200: {
              type: 'object',
              properties: { tip: { type: ['integer', 'null'] }, at: { type: ['integer', 'null'] } },
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        checkRegister(ctx, request.params.registerId);
        const exists = await display.registerExists(ctx.tenantId, request.params.registerId);
        if (!exists.ok) return sendResult(reply, exists);
        const t = display.tip(ctx.tenantId, request.params.registerId);
        return { tip: t?.tip ?? null, at: t?.at ?? null };
      },
    );

    app.get<{ Querystring: { token: string } }>(
      '/display/session',
      {
        schema: {
          tags,
          summary: 'Check a display token (the display asks after its stream was refused)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { token: text(200) },
            required: ['token'],
          },
          response: {
            200: {
              type: 'object',
              properties: { registerId: { type: 'string' }, expiresAt: { type: 'string' } },
            },
            '4xx': errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const session = await sessionOf(request.query.token);
        if (!session) return invalidToken(reply);
        return { registerId: session.registerId, expiresAt: session.expiresAt };
      },
    );

    app.get<{ Querystring: { token: string } }>(
      '/display/stream',
      {
        schema: {
          tags,
          summary: 'Server-Sent Events: the display states of the paired register',
          description:
            'The token goes in the query string because EventSource cannot send headers. Events: `state` (data = {at, state}, the latest one first), `end` (unpaired or token expired). A comment line every 25 s keeps proxies from closing the stream.',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { token: text(200) },
            required: ['token'],
          },
          response: { '4xx': errorBodySchema },
        },
      },
      async (request, reply) => {
        const session = await sessionOf(request.query.token);
        if (!session) return invalidToken(reply);
        openStream(reply, display, session, (end) => trackDevice(session.deviceId, end));
      },
    );
  };
}

function invalidToken(reply: FastifyReply) {
  return sendError(reply, {
    code: 'invalid_display_token',
    message: 'This display token is unknown, expired or unpaired; pair the display again.',
  });
}

function openStream(
  reply: FastifyReply,
  display: DisplayService,
  session: { tenantId: string; registerId: string; expiresAt: string },
  /** registers the stream's `end` elsewhere (a device revocation); answers how to unregister */
  track: (end: () => void) => () => void,
) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  let open = true;
  const send = (event: string, data: unknown) => {
    if (open) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    unsubscribe();
    untrack();
  };
  const end = () => {
    send('end', {});
    finish();
    raw.end();
  };
  const latest = display.latest(session.tenantId, session.registerId);
  if (latest) send('state', latest);
  const unsubscribe = display.subscribe(session.tenantId, session.registerId, {
    message: (m) => send('state', m),
    end,
  });
  const untrack = track(end);
  const heartbeat = setInterval(() => open && raw.write(': ping\n\n'), 25_000);
  const expiry = setTimeout(end, Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1));
  raw.on('close', finish);
}
