/**
 * The outbox pusher's decisions, pure: what a server answer means for a queued sale, how long to
 * back off, and in which order sales go. The pusher in `till.ts` only carries them out.
 */

export type PushOutcome =
  /** 2xx (including an idempotent replay): the server has the sale */
  | { kind: 'synced' }
  /** 4xx the sale itself caused: kept as `rejected` with the reason, never retried blindly */
  | { kind: 'rejected'; code: string; message: string }
  /** network failure, 5xx, 408 or 429: try again later, in the same order */
  | { kind: 'retry'; reason: string }
  /** 401: the token expired; wait for a new sign-in, keep the sale pending */
  | { kind: 'auth'; reason: string };

/** What the answer to POST /orders means. `status` 0 = the server could not be reached. */
export function classifyPush(status: number, error?: { code: string; message: string }): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'synced' };
  if (status === 0) return { kind: 'retry', reason: error?.message ?? 'The server cannot be reached.' };
  if (status === 401) return { kind: 'auth', reason: error?.message ?? 'Sign in again to send sales.' };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', reason: error?.message ?? `HTTP ${status}` };
  }
  return {
    kind: 'rejected',
    code: error?.code ?? `http_${status}`,
    message: error?.message ?? `The server refused the sale (HTTP ${status}).`,
  };
}

/**
 * Sales in flight at once while pushing the outbox. Requests start in HLC order; each sale is
 * independent with its own Idempotency-Key, so the order they land in does not matter.
 */
export const PUSH_CONCURRENCY = 8;

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

/** The wait after another failure: 1 s, then doubling, at most 60 s. `previous` 0 = first failure. */
export function nextBackoff(previous: number): number {
  if (previous <= 0) return BACKOFF_FIRST_MS;
  return Math.min(previous * 2, BACKOFF_MAX_MS);
}

/** Pending sales in push order: by HLC stamp (sortable text), then order id. */
export function pushOrder<T extends { hlc: string; orderId: string; status: string }>(
  rows: readonly T[],
): T[] {
  return rows
    .filter((r) => r.status === 'pending')
    .sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.orderId < b.orderId ? -1 : 1));
}
