// Large reads of the background jobs, a page at a time. On SQLite every query runs synchronously
// on the main thread, so one big read blocks every request until it is done; read by keyset
// pages instead (each query continues after the last row of the previous page, in primary key
// order) and hand the event loop back between pages, so a checkout waits for one page at most.

import { setImmediate as nextTurn } from 'node:timers/promises';

/** Rows per page: each page is a short synchronous step on SQLite (orders: about 6,000 lines). */
export const PAGE_ROWS = 2_000;

/** Lets timers and I/O (incoming requests) run before the caller continues. */
export function yieldToEventLoop(): Promise<void> {
  return nextTurn();
}

/**
 * Yields the pages of a keyset query. `page(after, limit)` reads up to `limit` rows ordered by
 * the key, strictly after the row `after` (all rows from the start when it is undefined).
 */
export async function* keysetPages<R>(
  page: (after: R | undefined, limit: number) => Promise<R[]>,
  limit = PAGE_ROWS,
): AsyncGenerator<R[]> {
  let after: R | undefined;
  for (;;) {
    const rows = await page(after, limit);
    if (rows.length > 0) yield rows;
    if (rows.length < limit) return;
    after = rows[rows.length - 1];
    await yieldToEventLoop();
  }
}
