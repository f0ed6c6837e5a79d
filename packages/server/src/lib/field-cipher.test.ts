import { describe, expect, it } from 'vitest';
import { createMemoryFieldCipher } from './field-cipher';

describe('memory field cipher', () => {
  it('round-trips, binds the subject, indexes blindly and shreds', async () => {
    const c = createMemoryFieldCipher();
    const ct = await c.encrypt('ten_a', 'cus_1', '+86 138 0013 8000');
    expect(ct).toMatch(/^v1\./);
    expect(ct).not.toContain('138');
    expect(await c.decrypt('ten_a', 'cus_1', ct)).toBe('+86 138 0013 8000');
    await expect(c.decrypt('ten_a', 'cus_2', ct)).resolves.toBeNull();
    const parts = ct.split('.');
    const body = parts[3]!;
    const tampered = [...parts.slice(0, 3), `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`].join('.');
    await expect(c.decrypt('ten_a', 'cus_1', tampered)).rejects.toThrow();
    expect(await c.blindIndex('ten_a', 'phone', '8613800138000')).toBe(
      await c.blindIndex('ten_a', 'phone', '8613800138000'),
    );
    expect(await c.blindIndex('ten_a', 'phone', '8613800138000')).not.toBe(
      await c.blindIndex('ten_b', 'phone', '8613800138000'),
    );
    await c.shred('ten_a', 'cus_1');
    expect(await c.decrypt('ten_a', 'cus_1', ct)).toBeNull();
  });
});
