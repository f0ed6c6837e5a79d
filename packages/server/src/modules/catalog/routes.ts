import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, money, nullableText, text } from '../../http/schemas';
import type {
  Actor,
  CatalogService,
  CategoryInput,
  ProductInput,
  ProductPatch,
  SearchQuery,
  TaxClassInput,
} from './service';

const units = { type: 'string', enum: ['each', 'kg', 'g', 'lb', 'l', 'm'] } as const;
const barcodeList = {
  type: 'array',
  maxItems: 20,
  items: { type: 'string', minLength: 1, maxLength: 20 },
} as const;
const plu = { type: ['string', 'null'], pattern: '^[0-9]{1,6}$' } as const;
const sku = text(64);

const variantSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    productId: { type: 'string' },
    sku: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    unit: { type: 'string' },
    taxClassId: { type: 'string' },
    pluCode: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    barcodes: { type: 'array', items: { type: 'string' } },
    prices: { type: 'object', additionalProperties: { type: 'integer' } },
    updatedAt: { type: 'string' },
  },
} as const;

const productSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    categoryId: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    variants: { type: 'array', items: variantSchema },
  },
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    ...variantSchema.properties,
    productName: { type: 'string' },
    productNameZh: { type: ['string', 'null'] },
    productActive: { type: 'boolean' },
    categoryId: { type: ['string', 'null'] },
  },
} as const;

const categorySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    parentId: { type: ['string', 'null'] },
    sort: { type: 'integer' },
  },
} as const;

const ratesSchema = {
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { storeId: id, ratePpm: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
    required: ['storeId', 'ratePpm'],
  },
} as const;

const taxClassSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    code: { type: 'string' },
    name: { type: 'string' },
    rates: {
      type: 'array',
      items: { type: 'object', properties: { storeId: { type: 'string' }, ratePpm: { type: 'integer' } } },
    },
  },
} as const;

const newVariantBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sku,
    name: text(),
    nameZh: nullableText(),
    unit: units,
    taxClassId: id,
    pluCode: plu,
    barcodes: barcodeList,
    prices: { type: 'object', maxProperties: 100, additionalProperties: money },
  },
  required: ['sku', 'taxClassId'],
} as const;

const variantPatchBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id,
    sku,
    name: text(),
    nameZh: nullableText(),
    unit: units,
    taxClassId: id,
    pluCode: plu,
    active: { type: 'boolean' },
    barcodes: barcodeList,
    prices: {
      type: 'object',
      maxProperties: 100,
      additionalProperties: { ...money, type: ['integer', 'null'] },
    },
  },
} as const;

const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;
const tags = ['catalog'];

function actorOf(request: FastifyRequest): Actor {
  const a = authOf(request);
  return { tenantId: a.tenantId, staffId: a.staffId };
}

const paramId = (request: FastifyRequest) => (request.params as { id: string }).id;

export function catalogRoutes(catalog: CatalogService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/products',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'Search products by name (English or Chinese substring), SKU or barcode',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              q: { type: 'string', maxLength: 100 },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
              categoryId: id,
              storeId: id,
              includeInactive: { type: 'boolean' },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: productSchema },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
                hasMore: { type: 'boolean' },
              },
              required: ['items'],
            },
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await catalog.searchProducts(authOf(request).tenantId, request.query as SearchQuery),
        ),
    );
    app.get(
      '/products/:id',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'A product with its variants',
          security: bearer,
          params: idParams,
          response: { 200: productSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.getProduct(authOf(request).tenantId, paramId(request))),
    );
    app.post(
      '/products',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Create a product with one or more variants',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: text(),
              nameZh: nullableText(),
              categoryId: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
              variants: { type: 'array', minItems: 1, maxItems: 100, items: newVariantBody },
            },
            required: ['name', 'variants'],
          },
          response: { 201: productSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.createProduct(actorOf(request), request.body as ProductInput), 201),
    );
    app.patch(
      '/products/:id',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary:
            'Edit a product: names, category, active, and variants (by id) or new variants (without id)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: text(),
              nameZh: nullableText(),
              categoryId: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
              active: { type: 'boolean' },
              variants: { type: 'array', maxItems: 100, items: variantPatchBody },
            },
          },
          response: { 200: productSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await catalog.updateProduct(actorOf(request), paramId(request), request.body as ProductPatch),
        ),
    );
    app.delete(
      '/products/:id',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Deactivate a product (kept for history)',
          security: bearer,
          params: idParams,
          response: { 200: productSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.deleteProduct(actorOf(request), paramId(request))),
    );
    app.get(
      '/variants/:id',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'A variant',
          security: bearer,
          params: idParams,
          response: { 200: variantSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.getVariant(authOf(request).tenantId, paramId(request))),
    );
    app.get(
      '/barcodes/:code',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: "Resolve a scanned code: a GTIN, or a price/weight-embedded label under the store's rules",
          security: bearer,
          params: {
            type: 'object',
            properties: { code: { type: 'string', minLength: 1, maxLength: 20 } },
            required: ['code'],
          },
          querystring: { type: 'object', additionalProperties: false, properties: { storeId: id } },
          response: {
            200: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                kind: { type: 'string', enum: ['gtin', 'embedded'] },
                product: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    name: { type: 'string' },
                    nameZh: { type: ['string', 'null'] },
                  },
                },
                variant: variantSchema,
                price: { type: ['integer', 'null'] },
                embeddedPrice: { type: 'integer' },
                embeddedWeightMilli: { type: 'integer' },
              },
            },
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await catalog.resolveBarcode(
            authOf(request).tenantId,
            (request.params as { code: string }).code,
            (request.query as { storeId?: string }).storeId,
          ),
        ),
    );
    app.get(
      '/catalog/changes',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'Variants (with prices and barcodes) changed after a cursor, for offline registers',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              since: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
                description: 'an ISO instant, or the nextCursor of the previous page',
              },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: changeSchema }, nextCursor: { type: 'string' } },
              required: ['items', 'nextCursor'],
            },
          },
        },
      },
      async (request, reply) => {
        const q = request.query as { since?: string; limit?: number };
        return sendResult(reply, await catalog.changes(authOf(request).tenantId, q.since, q.limit));
      },
    );

    app.get(
      '/categories',
      {
        preHandler: guard('catalog.read'),
        schema: { tags, summary: 'Categories', security: bearer, response: { 200: listOf(categorySchema) } },
      },
      async (request) => ({ items: await catalog.listCategories(authOf(request).tenantId) }),
    );
    const categoryProps = {
      name: text(),
      nameZh: nullableText(),
      parentId: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
      sort: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
    } as const;
    app.post(
      '/categories',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Create a category',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: categoryProps,
            required: ['name'],
          },
          response: { 201: categorySchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.createCategory(actorOf(request), request.body as CategoryInput), 201),
    );
    app.patch(
      '/categories/:id',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Edit a category',
          security: bearer,
          params: idParams,
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: categoryProps },
          response: { 200: categorySchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await catalog.updateCategory(
            actorOf(request),
            paramId(request),
            request.body as Partial<CategoryInput>,
          ),
        ),
    );

    app.get(
      '/tax-classes',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'Tax classes with their rate per store',
          security: bearer,
          response: { 200: listOf(taxClassSchema) },
        },
      },
      async (request) => ({ items: await catalog.listTaxClasses(authOf(request).tenantId) }),
    );
    const taxProps = { code: text(64), name: text(), rates: ratesSchema } as const;
    app.post(
      '/tax-classes',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Create a tax class with a rate (parts per million) per store',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: taxProps,
            required: ['code', 'name', 'rates'],
          },
          response: { 201: taxClassSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await catalog.createTaxClass(actorOf(request), request.body as TaxClassInput), 201),
    );
    app.patch(
      '/tax-classes/:id',
      {
        preHandler: guard('catalog.write'),
        schema: {
          tags,
          summary: 'Edit a tax class; rates given replace those stores’ rates',
          security: bearer,
          params: idParams,
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: taxProps },
          response: { 200: taxClassSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await catalog.updateTaxClass(
            actorOf(request),
            paramId(request),
            request.body as Partial<TaxClassInput>,
          ),
        ),
    );
  };
}
