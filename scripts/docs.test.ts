import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withLifecycles } from './docs';

describe('README', () => {
  it('shows the lifecycle tables exactly as packages/core defines them (run `npx tsx scripts/docs.ts`)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('| `paid` | `partially_refunded`, `refunded`, `voided` |');
    expect(withLifecycles(readme)).toBe(readme);
  });
});
