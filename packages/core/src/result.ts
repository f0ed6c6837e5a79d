/** A typed outcome: expected failures are values, bugs are exceptions. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T) => ({ ok: true as const, value });
export const err = <E>(error: E) => ({ ok: false as const, error });

/** An expected failure: `code` is a snake_case string-literal, `message` is readable by a person. */
export interface DomainError<C extends string = string> {
  code: C;
  message: string;
  details?: unknown;
}

/** Builds a failed result carrying a {@link DomainError}. */
export function fail<C extends string>(
  code: C,
  message: string,
  details?: unknown,
): { ok: false; error: DomainError<C> } {
  return err(details === undefined ? { code, message } : { code, message, details });
}
