/** JSON-schema building blocks shared by routes. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
export const money = { type: 'integer', minimum: 0, maximum: MAX_SAFE } as const;
export const signedMoney = { type: 'integer', minimum: -MAX_SAFE, maximum: MAX_SAFE } as const;
export const text = (max = 200) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
export const nullableText = (max = 200) => ({ type: ['string', 'null'], maxLength: max }) as const;
export const isoInstant = { type: 'string', format: 'date-time' } as const;

export const embeddedBarcodeRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string', pattern: '^2[0-9]$' },
    kind: { type: 'string', enum: ['price', 'weight'] },
    itemDigits: { type: 'integer', minimum: 4, maximum: 6 },
    valueDigits: { type: 'integer', minimum: 4, maximum: 6 },
    weightScale: { type: 'integer', minimum: 1, maximum: 100000 },
  },
  required: ['prefix', 'kind', 'itemDigits', 'valueDigits'],
} as const;

export const bearer = [{ bearer: [] }];

/** A list response `{ items: [...] }`. */
export const listOf = (item: object) =>
  ({ type: 'object', properties: { items: { type: 'array', items: item } }, required: ['items'] }) as const;
