import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deps } from './deps';
import { errorStatus, HttpError, sendError, type ErrorCode } from './http/errors';
import { makeGuard } from './http/auth';
import { createAuthService } from './modules/auth/service';
import { createApprovalsService } from './modules/approvals/service';
import { approvalGate, approvalsRoutes } from './modules/approvals/routes';
import { pushSenderFromEnv } from './modules/approvals/push';
import { authRoutes } from './modules/auth/routes';
import { createDevicesService } from './modules/devices/service';
import { devicesRoutes } from './modules/devices/routes';
import { createStoresService } from './modules/stores/service';
import { storesRoutes } from './modules/stores/routes';
import { createCatalogService } from './modules/catalog/service';
import { catalogRoutes } from './modules/catalog/routes';
import { createStockService } from './modules/stock/service';
import { stockRoutes } from './modules/stock/routes';
import { createOrdersService } from './modules/orders/service';
import type { CustomerSaleHold } from './modules/orders/checkout';
import { ordersRoutes } from './modules/orders/routes';
import { createCashService } from './modules/cash/service';
import { cashRoutes } from './modules/cash/routes';
import { createDisplayService } from './modules/display/service';
import { displayRoutes } from './modules/display/routes';
import { createAuditService } from './modules/audit/service';
import { auditRoutes } from './modules/audit/routes';
import { registerConfigAudit } from './modules/audit/config-audit';
import { registerSecurityHeaders, securityOptionsFromEnv } from './http/security-headers';
import { logRedact, logSerializers } from './http/log-redaction';

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly { method: string; url: string }[];
  }
}
import { createComplianceService } from './modules/compliance/service';
import { securityFacts } from './security-facts';
import { customersPrivacySubjects } from './modules/customers/privacy-subjects';
import { complianceRoutes } from './modules/compliance/routes';
import { createPaymentsService } from './modules/payments/service';
import { paymentsRoutes } from './modules/payments/routes';
import { defaultPaymentsSetup, type PaymentsSetup } from './modules/payments/setup';
import { createCustomersService } from './modules/customers/service';
import { customersRoutes } from './modules/customers/routes';
import { createMemberCheckout } from './modules/customers/checkout-hook';
import { createLoyaltyService } from './modules/loyalty/service';
import { loyaltyRoutes } from './modules/loyalty/routes';
import { createCouponsService } from './modules/coupons/service';
import { couponsRoutes } from './modules/coupons/routes';
import { createMarketingService } from './modules/marketing/service';
import { marketingRoutes } from './modules/marketing/routes';
import { createPromotionsService } from './modules/promotions/service';
import { promotionsRoutes } from './modules/promotions/routes';
import { createInsightsService } from './modules/insights/service';
import { insightsRoutes } from './modules/insights/routes';

/** Maps Fastify's own error codes (bad JSON, wrong content type, …) to ours. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
};

/** True when a string (or any key or string inside an array/object) holds a NUL character. */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  for (const [k, v] of Object.entries(value)) if (k.includes('\0') || containsNul(v, depth + 1)) return true;
  return false;
}

export function createServices(deps: Deps, paymentsSetup: PaymentsSetup = defaultPaymentsSetup()) {
  const auth = createAuthService(deps);
  const stores = createStoresService(deps);
  const devices = createDevicesService(deps, { auth, stores });
  const catalog = createCatalogService(deps, { stores });
  const stock = createStockService(deps, { stores });
  const cash = createCashService(deps, { stores });
  const payments = createPaymentsService(deps, paymentsSetup.options);
  // customers, loyalty, coupons, marketing
  // customers are screened against the sanctions lists at creation and change (compliance, below)
  const screenCustomer = async (tenantId: string, customerId: string, name: string) => {
    await compliance.sanctions.screenParty(tenantId, { name }, { type: 'customer', id: customerId });
  };
  const customers = createCustomersService(deps, { cipher: deps.cipher, screen: screenCustomer });
  const loyalty = createLoyaltyService(deps);
  // RFM segments (insights) target coupon batches and promotions' segment condition
  const insights = createInsightsService(deps, { stock });
  const coupons = createCouponsService(deps, { loyalty, segments: insights });
  const members = createMemberCheckout(deps, { customers, loyalty, coupons });
  // a sale with a customer passes the sanctions gate (compliance, below); the name is read only when screened
  const customerSaleHold: CustomerSaleHold = (tenantId, sale) =>
    compliance.sanctions.customerSaleHold(tenantId, {
      ...sale,
      name: async () => {
        const c = await customers.get(tenantId, sale.customerId);
        return c.ok ? c.value.name : null;
      },
    });
  // step-up approvals; checkout asks them about price overrides and manual discounts
  const approvals = createApprovalsService(deps, auth, { push: pushSenderFromEnv(deps) });
  const orders = createOrdersService(deps, payments, {
    approvals: {
      needed: async (tenantId, actions) => {
        const policy = await approvals.policyOf(tenantId);
        return actions.filter((a) => approvals.needsApproval(policy, a));
      },
      consumeAll: (ctx, ids, actions) => approvals.consumeAll(ctx, ids, actions),
    },
    members,
    loyalty,
    customerSaleHold,
    segmentsOf: (tenantId, customerId) => insights.segmentsOf(tenantId, customerId),
  });
  const marketing = createMarketingService(deps, { stores, orders });
  const display = createDisplayService(deps, { stores });
  const promotions = createPromotionsService(deps);
  const audit = createAuditService(deps);
  const compliance = createComplianceService(deps, {
    cipher: deps.cipher,
    securityFacts: securityFacts(deps, auth),
    privacySubjects: customersPrivacySubjects(customers, loyalty),
  });
  return {
    auth,
    devices,
    stores,
    cash,
    orders,
    stock,
    catalog,
    display,
    audit,
    approvals,
    compliance,
    payments,
    customers,
    loyalty,
    coupons,
    marketing,
    promotions,
    insights,
  };
}
export type Services = ReturnType<typeof createServices>;

export async function buildApp(
  deps: Deps,
  // `loggerInstance`: request logs into a given pino logger (the log-scan test reads them back)
  options: {
    logger?: boolean;
    loggerInstance?: FastifyBaseLogger;
    payments?: PaymentsSetup;
    /** the services the routes use; the server passes its own so its background jobs share them */
    services?: Services;
  } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : {
          logger: options.logger
            ? { level: process.env.LOG_LEVEL ?? 'info', serializers: logSerializers, redact: logRedact }
            : false,
        }),
    bodyLimit: 1024 * 1024,
    // X-Forwarded-Proto/-For are believed only behind a proxy the operator names (HSTS, logs)
    trustProxy: process.env.OPENTILL_TRUST_PROXY === '1',
    ajv: {
      // unknown fields are an error, not silently dropped
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  // JSON bodies only; a wrong content type is a clear 415
  app.decorateRequest('auth', null);
  // every route as registered, for the tenant-isolation test and anything else that must cover them all
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });
  registerSecurityHeaders(app, securityOptionsFromEnv());

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OpenTill API',
        version: '0.1.0',
        description:
          'Point-of-sale API. Amounts are integer minor units of the store currency. Errors are `{"error":{"code","message","details"}}`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError)
      return sendError(reply, { code: error.code, message: error.message, details: error.details });
    if (error.validation) {
      const first = error.validation[0];
      const unknown = error.validation.find((v) => v.keyword === 'additionalProperties');
      if (unknown) {
        const field = (unknown.params as { additionalProperty?: string }).additionalProperty;
        return sendError(reply, {
          code: 'unknown_field',
          message: `Unknown field ${field ?? ''} in ${error.validationContext ?? 'request'}${unknown.instancePath ? ` at ${unknown.instancePath}` : ''}.`,
          details: error.validation,
        });
      }
      return sendError(reply, {
        code: 'validation_failed',
        message:
          `Invalid ${error.validationContext ?? 'request'}: ${first?.instancePath || '(root)'} ${first?.message ?? ''}`.trim(),
        details: error.validation,
      });
    }
    const mapped = error.code ? fastifyCodes[error.code] : undefined;
    if (mapped) return sendError(reply, { code: mapped, message: error.message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, { code: 'validation_failed', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    deps.log.error({ err: error, url: request.url }, 'unhandled error');
    return reply.status(errorStatus.internal_error).send({
      error: {
        code: 'internal_error',
        message: 'Something went wrong on our side; the request was not applied.',
      },
    });
  });
  // The web apps (register /, customer display /display, back office /admin) are one built SPA.
  const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  const hasWeb = existsSync(join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDist,
      prefix: '/',
      wildcard: false,
      index: false,
      logLevel: 'warn',
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isPage =
      request.method === 'GET' && !path.startsWith('/api/') && !path.includes('.', path.lastIndexOf('/'));
    if (isPage && hasWeb) {
      // the service worker must see a fresh shell: it decides itself what to cache
      return reply.header('cache-control', 'no-cache').sendFile('index.html', webDist);
    }
    if (isPage) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web apps are not built yet: run `npm run build` (npm start does it for you).');
    }
    return sendError(reply, { code: 'route_not_found', message: `No route ${request.method} ${path}.` });
  });

  // PostgreSQL text cannot hold NUL (U+0000): refuse it at the edge on every engine, never a 500
  app.addHook('preValidation', async (request) => {
    if (containsNul(request.body) || containsNul(request.query) || containsNul(request.params)) {
      throw new HttpError('validation_failed', 'Text must not contain NUL (U+0000) characters.');
    }
  });

  app.get('/health', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }));

  const paymentsSetup = options.payments ?? defaultPaymentsSetup();
  const services = options.services ?? createServices(deps, paymentsSetup);
  const guard = makeGuard(services.auth, services.devices);
  registerConfigAudit(app, services.audit);
  // pending card reversals and offline card forwards are retried by a poller that lives with the server
  services.payments.start();
  app.addHook('onClose', async () => services.payments.stop());
  await app.register(
    async (api) => {
      // step-up approvals: the gated routes (refund, void, paid out, offline limit) check x-approval-id
      api.addHook(
        'onRoute',
        approvalGate(services.approvals, () => deps.database.db),
      );
      await api.register(approvalsRoutes(services.approvals, guard));
      await api.register(authRoutes(services.auth, guard, services.devices));
      await api.register(devicesRoutes(services.devices, guard));
      await api.register(storesRoutes(services.stores, guard));
      await api.register(catalogRoutes(services.catalog, guard));
      await api.register(stockRoutes(services.stock, guard));
      await api.register(ordersRoutes(services.orders, services.stores, services.auth, guard));
      await api.register(cashRoutes(services.cash, guard));
      await api.register(displayRoutes(services.display, guard, services.devices));
      await api.register(auditRoutes(services.audit, guard));
      await api.register(complianceRoutes(services.compliance, guard));
      await api.register(
        paymentsRoutes(
          services.payments,
          services.stores,
          guard,
          paymentsSetup.sandboxWallet,
          paymentsSetup.terminals,
        ),
      );
      await api.register(customersRoutes(services.customers, services.loyalty, guard));
      await api.register(loyaltyRoutes(services.loyalty, services.coupons, guard));
      await api.register(couponsRoutes(services.coupons, guard));
      await api.register(marketingRoutes(services.marketing, guard));
      await api.register(promotionsRoutes(services.promotions, guard));
      await api.register(insightsRoutes(services.insights, guard));
    },
    // request logs only when asked for (LOG_REQUESTS=1): at thousands of checkouts a second they cost real time
    { prefix: '/api/v1', logLevel: process.env.LOG_REQUESTS === '1' ? 'info' : 'warn' },
  );
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
