import { describe, expect, it } from 'vitest';
import { err, fail, ok } from './result';

describe('result', () => {
  it('builds ok and error values', () => {
    expect(ok(1)).toEqual({ ok: true, value: 1 });
    expect(err('x')).toEqual({ ok: false, error: 'x' });
    expect(fail('empty_cart', 'no lines')).toEqual({
      ok: false,
      error: { code: 'empty_cart', message: 'no lines' },
    });
    expect(fail('bad', 'm', { a: 1 })).toEqual({
      ok: false,
      error: { code: 'bad', message: 'm', details: { a: 1 } },
    });
  });
});
