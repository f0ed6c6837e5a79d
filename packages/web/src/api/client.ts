/** A small client for /api/v1: JSON in and out, the bearer token, and errors as values. */
export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
  /** HTTP status; 0 when the server could not be reached */
  status: number;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

let token: string | null = null;
export function setToken(next: string | null): void {
  token = next;
}

/**
 * Access tokens are short-lived (15 minutes by default); with a refresh token set, an answer of
 * `token_expired` is followed by one refresh and one retry. `onRenew` hears the new pair so the
 * app can keep it where it keeps the token.
 */
let refreshToken: string | null = null;
let onRenew: ((pair: { token: string; refreshToken: string }) => void) | null = null;
export function setRefreshToken(
  next: string | null,
  listener: ((pair: { token: string; refreshToken: string }) => void) | null = null,
): void {
  refreshToken = next;
  onRenew = listener;
}

let renewing: Promise<boolean> | null = null;
async function renew(): Promise<boolean> {
  const current = refreshToken;
  if (!current) return false;
  renewing ??= (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current }),
      });
      if (!res.ok) return false;
      const pair = (await res.json()) as { token: string; refreshToken: string };
      token = pair.token;
      refreshToken = pair.refreshToken;
      onRenew?.(pair);
      return true;
    } catch {
      return false;
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}
export function getToken(): string | null {
  return token;
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const first = await call<T>(method, path, body, headers);
  if (!first.ok && first.error.code === 'token_expired' && (await renew()))
    return call<T>(method, path, body, headers);
  return first;
}

async function call<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return {
      ok: false,
      error: { code: 'network_unreachable', message: 'The server cannot be reached.', status: 0 },
    };
  }
  if (res.status === 204) return { ok: true, value: undefined as T };
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, value: json as T };
  const error = (json as { error?: Omit<ApiError, 'status'> } | null)?.error;
  return {
    ok: false,
    error: {
      code: error?.code ?? 'http_error',
      message: error?.message ?? `HTTP ${res.status}`,
      ...(error?.details === undefined ? {} : { details: error.details }),
      status: res.status,
    },
  };
}
