import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from './schema';

/**
 * A query compiled by Kysely once per shape and reused with fresh arguments. `build` receives
 * marker values instead of real ones (`m.value('tenantId')`, `m.list('gtins', n)`); Kysely
 * passes markers through as ordinary parameters, so after one compile we know which argument
 * goes in which parameter slot. The SQL stays Kysely's; only the compiling is skipped.
 * `query-template.test.ts` checks the result against compiling from scratch.
 */
const MARK = '\u0000opentill-arg:';

export interface Markers {
  value(name: string): string;
  list(name: string, length: number): string[];
}

const markers: Markers = {
  value: (name) => `${MARK}${name}`,
  list: (name, length) => Array.from({ length }, (_, i) => `${MARK}${name}#${i}`),
};

type Slot = { name: string; index: number | null } | { literal: unknown };

const cache = new Map<string, { sql: string; slots: Slot[] }>();

export function templateQuery(
  db: Kysely<DB>,
  key: string,
  build: (m: Markers) => { compile(): CompiledQuery },
  args: Record<string, unknown>,
): CompiledQuery {
  // the same shape compiles differently per dialect (placeholders, quoting)
  const cacheKey = `${db.getExecutor().adapter.constructor.name}|${key}`;
  let shape = cache.get(cacheKey);
  if (!shape) {
    const compiled = build(markers).compile();
    const slots: Slot[] = compiled.parameters.map((p) => {
      if (typeof p !== 'string' || !p.startsWith(MARK)) return { literal: p };
      const ref = p.slice(MARK.length);
      const hash = ref.lastIndexOf('#');
      return hash < 0
        ? { name: ref, index: null }
        : { name: ref.slice(0, hash), index: Number(ref.slice(hash + 1)) };
    });
    shape = { sql: compiled.sql, slots };
    if (cache.size > 5000) cache.clear();
    cache.set(cacheKey, shape);
  }
  const parameters = shape.slots.map((slot) => {
    if ('literal' in slot) return slot.literal;
    const value = args[slot.name];
    if (slot.index === null) return value;
    if (!Array.isArray(value)) throw new Error(`templateQuery(${key}): ${slot.name} must be a list`);
    return value[slot.index];
  });
  return CompiledQuery.raw(shape.sql, parameters);
}
