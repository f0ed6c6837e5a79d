import {
  CompiledQuery,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
} from 'kysely';
import type { DB } from './schema';

/**
 * A multi-row INSERT compiled by Kysely once per shape (table, columns, row count, variant) and
 * then reused with fresh parameters. Kysely lists the parameters of `values(rows)` row by row in
 * column order, so only the SQL text needs caching; `insert-rows.test.ts` checks that the result
 * is identical to compiling from scratch. This keeps the checkout hot path off Kysely's AST
 * building (≈ a tenth of a checkout's CPU) without hand-written SQL.
 */
const cache = new Map<string, { sql: string; columns: string[] }>();

export function insertRows<T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Insertable<DB[T]>[],
  options: {
    /** a name for what `finish` adds (part of the cache key) */
    variant?: string;
    finish?: (q: InsertQueryBuilder<DB, T, InsertResult>) => { compile(): CompiledQuery };
  } = {},
): CompiledQuery {
  const first = rows[0];
  if (!first) throw new Error(`insertRows(${table}) needs at least one row`);
  const columns = Object.keys(first).filter((c) => (first as Record<string, unknown>)[c] !== undefined);
  const key = `${db.getExecutor().adapter.constructor.name}|${table}|${options.variant ?? ''}|${rows.length}|${columns.join(',')}`;
  let shape = cache.get(key);
  if (!shape) {
    const q = db.insertInto(table).values(rows as never);
    const compiled = (options.finish ? options.finish(q as never) : q).compile();
    if (compiled.parameters.length !== rows.length * columns.length) {
      throw new Error(`insertRows(${table}): 'finish' must not add parameters`);
    }
    shape = { sql: compiled.sql, columns };
    if (cache.size > 5000) cache.clear();
    cache.set(key, shape);
  }
  const parameters: unknown[] = [];
  for (const row of rows as readonly Record<string, unknown>[]) {
    for (const c of shape.columns) parameters.push(row[c] ?? null);
  }
  return CompiledQuery.raw(shape.sql, parameters);
}
