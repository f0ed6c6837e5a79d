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
export function getToken(): string | null {
  return token;
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
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
