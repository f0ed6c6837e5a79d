import type { FastifyInstance } from 'fastify';
import { TERMINAL_TEST_CARDS as TEST_CARDS } from '@opentill/payments';
import { sendError, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, isoInstant, MAX_SAFE } from '../../http/schemas';
import type { StoresService } from '../stores/service';
import type { PaymentsService } from './service';
import type { SandboxWallet } from './wallets';
import type { SimulatedTerminals } from './terminals';

const positive = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
const code = { type: 'string', minLength: 4, maxLength: 40, pattern: '^[0-9A-Za-z -]+$' } as const;
const pin = { type: 'string', pattern: '^[0-9]{4,8}$' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

export function paymentsRoutes(
  payments: PaymentsService,
  stores: StoresService,
  guard: Guard,
  sandbox: SandboxWallet | null,
  terminals: SimulatedTerminals | null = null,
) {
  return async (app: FastifyInstance) => {
    // ---- stored value: gift cards and store credit ----
    app.post(
      '/stored-value',
      {
        preHandler: guard('payments.manage'),
        schema: {
          tags: ['payments'],
          summary: 'Issue a gift card or store credit; the code is in this answer only',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['gift_card', 'store_credit'] },
              storeId: id,
              amount: positive,
              pin,
              expiresAt: isoInstant,
              customerId: { type: 'string', minLength: 1, maxLength: 100 },
            },
            required: ['kind', 'storeId', 'amount'],
          },
          response: { 201: anyObject },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const body = request.body as {
          kind: 'gift_card' | 'store_credit';
          storeId: string;
          amount: number;
          pin?: string;
          expiresAt?: string;
          customerId?: string;
        };
        const store = await stores.get(ctx.tenantId, body.storeId);
        if (!store.ok) return sendError(reply, store.error);
        const { storeId: _ignored, ...rest } = body;
        return sendResult(
          reply,
          await payments.storedValue.issue(ctx, { ...rest, currency: store.value.currency }),
          201,
        );
      },
    );

    app.post(
      '/stored-value/load',
      {
        preHandler: guard('payments.manage'),
        schema: {
          tags: ['payments'],
          summary: 'Add value to a gift card or store credit',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { code, amount: positive },
            required: ['code', 'amount'],
          },
          response: { 200: anyObject },
        },
      },
      async (request, reply) => {
        const body = request.body as { code: string; amount: number };
        return sendResult(reply, await payments.storedValue.load(authOf(request), body.code, body.amount));
      },
    );

    app.post(
      '/stored-value/balance',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['payments'],
          summary:
            'Balance of a gift card or store credit by its code (POST: the code stays out of URLs and logs)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { code, pin },
            required: ['code'],
          },
          response: { 200: anyObject },
        },
      },
      async (request, reply) => {
        const body = request.body as { code: string; pin?: string };
        return sendResult(
          reply,
          await payments.storedValue.balance(authOf(request).tenantId, body.code, body.pin),
        );
      },
    );

    app.get(
      '/stored-value/:id',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['payments'],
          summary: 'One gift card or store credit account with its ledger',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          response: { 200: anyObject },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const accountId = (request.params as { id: string }).id;
        const account = await payments.storedValue.get(tenantId, accountId);
        if (!account.ok) return sendError(reply, account.error);
        const entries = await payments.storedValue.entries(tenantId, accountId);
        return {
          ...account.value,
          entries: entries.map((e) => ({
            id: e.id,
            kind: e.kind,
            amount: e.amount,
            orderId: e.order_id,
            refundId: e.refund_id,
            createdAt: e.created_at,
          })),
        };
      },
    );

    // ---- cards ----
    app.get(
      '/payments/card/authorizations/:id',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['payments'],
          summary:
            'A card authorization: masked number, brand, entry mode, approval code, RRN (never card data)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          response: { 200: anyObject },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await payments.cards.get(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );

    app.get(
      '/payments/card/exceptions',
      {
        preHandler: guard('payments.manage'),
        schema: {
          tags: ['payments'],
          summary: 'Offline card sales the acquirer declined when they were forwarded',
          security: bearer,
          response: { 200: anyObject },
        },
      },
      async (request) => ({ items: await payments.cards.exceptions(authOf(request).tenantId) }),
    );

    if (terminals) {
      app.post(
        '/payments/terminals/:id/present',
        {
          preHandler: guard('terminal.present'),
          schema: {
            tags: ['payments'],
            summary:
              'Simulated terminals only: the next card the terminal reads (a named test card, entry mode, PIN typed on the device)',
            description:
              'Called by the payment terminal itself with its device token; `:id` is the register the terminal is paired to (any other id is 404).',
            security: bearer,
            params: { type: 'object', properties: { id }, required: ['id'] },
            body: {
              type: 'object',
              additionalProperties: false,
              properties: {
                card: { type: 'string', enum: Object.keys(TEST_CARDS) },
                entryMode: { type: 'string', enum: ['chip', 'contactless', 'swipe', 'manual'] },
                wrongPin: { type: 'boolean' },
              },
              required: ['card', 'entryMode'],
            },
          },
        },
        async (request, reply) => {
          const body = request.body as {
            card: keyof typeof TEST_CARDS;
            entryMode: 'chip' | 'contactless' | 'swipe' | 'manual';
            wrongPin?: boolean;
          };
          const ctx = authOf(request);
          const terminalId = (request.params as { id: string }).id;
          if (ctx.registerId !== terminalId)
            return sendError(reply, {
              code: 'unknown_device',
              message: `No payment terminal of register ${terminalId} is paired here.`,
            });
          const test = TEST_CARDS[body.card];
          const pin = test.pin === undefined ? undefined : body.wrongPin ? '0000' : test.pin;
          terminals.present(
            terminalId,
            { card: test.card, entryMode: body.entryMode, ...(pin !== undefined ? { pin } : {}) },
            ctx.tenantId,
          );
          return reply.status(204).send();
        },
      );

      app.post(
        '/payments/terminals/:id/offline-reads',
        {
          preHandler: guard('orders.create'),
          schema: {
            tags: ['payments'],
            summary:
              'Simulated terminals only: a card the terminal read while the register was offline (store-and-forward), handed over when the network returns',
            security: bearer,
            params: { type: 'object', properties: { id }, required: ['id'] },
            body: {
              type: 'object',
              additionalProperties: false,
              properties: {
                reference: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
                card: { type: 'string', enum: Object.keys(TEST_CARDS) },
                entryMode: { type: 'string', enum: ['chip', 'contactless', 'swipe', 'manual'] },
              },
              required: ['reference', 'card', 'entryMode'],
            },
          },
        },
        async (request, reply) => {
          const body = request.body as {
            reference: string;
            card: keyof typeof TEST_CARDS;
            entryMode: 'chip' | 'contactless' | 'swipe' | 'manual';
          };
          const registerId = (request.params as { id: string }).id;
          // the register must be the caller's: another tenant's (or no) register is 404
          const register = await stores.getRegister(authOf(request).tenantId, registerId);
          if (!register.ok) return sendError(reply, register.error);
          // an offline read has no online PIN: the terminal verified it offline (or took none)
          terminals.storeOffline(
            registerId,
            body.reference,
            { card: TEST_CARDS[body.card].card, entryMode: body.entryMode },
            authOf(request).tenantId,
          );
          return reply.status(204).send();
        },
      );
    }

    // ---- wallets ----
    app.get(
      '/payments/wallet/providers',
      {
        preHandler: guard('orders.create'),
        schema: { tags: ['payments'], summary: 'Wallet providers on this server', security: bearer },
      },
      async () => ({ items: payments.wallets.providerNames() }),
    );

    app.post(
      '/payments/wallet',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['payments'],
          summary:
            'Start a wallet payment: a QR for the shopper to scan (merchant-presented) or charge the shopper’s scanned payment code (customer-presented)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              provider: { type: 'string', minLength: 1, maxLength: 40 },
              storeId: id,
              registerId: id,
              amount: positive,
              mode: { type: 'string', enum: ['merchant_presented', 'customer_presented'] },
              paymentCode: { type: 'string', pattern: '^[0-9]{10,32}$' },
            },
            required: ['provider', 'storeId', 'registerId', 'amount', 'mode'],
          },
          response: { 201: anyObject },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const body = request.body as {
          provider: string;
          storeId: string;
          registerId: string;
          amount: number;
          mode: 'merchant_presented' | 'customer_presented';
          paymentCode?: string;
        };
        const store = await stores.get(ctx.tenantId, body.storeId);
        if (!store.ok) return sendError(reply, store.error);
        const register = await stores.getRegister(ctx.tenantId, body.registerId);
        if (!register.ok) return sendError(reply, register.error);
        if (register.value.storeId !== body.storeId) {
          return sendError(reply, {
            code: 'register_store_mismatch',
            message: 'The register belongs to another store.',
          });
        }
        return sendResult(
          reply,
          await payments.wallets.start(
            {
              tenantId: ctx.tenantId,
              storeId: body.storeId,
              registerId: body.registerId,
              currency: store.value.currency,
            },
            {
              provider: body.provider,
              amount: body.amount,
              mode: body.mode,
              ...(body.paymentCode ? { paymentCode: body.paymentCode } : {}),
              description: store.value.name,
            },
          ),
          201,
        );
      },
    );

    app.get(
      '/payments/wallet/:id',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['payments'],
          summary: 'A wallet payment; `waitMs` holds the answer until it leaves `pending` (long poll)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { waitMs: { type: 'integer', minimum: 0, maximum: 25_000 } },
          },
          response: { 200: anyObject },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await payments.wallets.get(
            authOf(request).tenantId,
            (request.params as { id: string }).id,
            (request.query as { waitMs?: number }).waitMs ?? 0,
          ),
        ),
    );

    app.post(
      '/payments/wallet/:id/cancel',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['payments'],
          summary: 'Cancel a pending wallet payment',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          response: { 200: anyObject },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await payments.wallets.cancel(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );

    if (sandbox) {
      app.post(
        '/payments/wallet/:id/sandbox-approve',
        {
          preHandler: guard('orders.create'),
          schema: {
            tags: ['payments'],
            summary:
              'Demo only: the sandbox wallet plays the shopper, pays the QR and sends its signed callback',
            security: bearer,
            params: { type: 'object', properties: { id }, required: ['id'] },
          },
        },
        async (request, reply) => {
          const walletId = (request.params as { id: string }).id;
          const found = await payments.wallets.get(authOf(request).tenantId, walletId);
          if (!found.ok) return sendError(reply, found.error);
          if (found.value.provider !== sandbox.name) {
            return sendError(reply, {
              code: 'unknown_wallet_provider',
              message: 'Only sandbox payments can be approved here.',
            });
          }
          if (found.value.mode === 'customer_presented') {
            sandbox.confirm(walletId);
            return { outcome: 'confirmed' };
          }
          const signed = sandbox.approve(walletId);
          return sendResult(
            reply,
            await payments.wallets.callback(sandbox.name, signed.headers, signed.body),
          );
        },
      );
    }

    // The provider's notification: no bearer token, a signature instead; the raw body is what was signed.
    await app.register(async (raw) => {
      raw.removeContentTypeParser('application/json');
      raw.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: 64 * 1024 },
        (_req, body, done) => done(null, body),
      );
      raw.post(
        '/payments/wallet/callback/:provider',
        {
          schema: {
            tags: ['payments'],
            summary: 'Signed payment notification from a wallet provider (HMAC, timestamp, nonce)',
            params: {
              type: 'object',
              properties: { provider: { type: 'string', minLength: 1, maxLength: 40 } },
              required: ['provider'],
            },
          },
        },
        async (request, reply) => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
          const body = typeof request.body === 'string' ? request.body : '';
          return sendResult(
            reply,
            await payments.wallets.callback((request.params as { provider: string }).provider, headers, body),
          );
        },
      );
    });
  };
}
