import { describe, expect, it } from 'vitest';
import { readConfig } from './config';

describe('readConfig', () => {
  it('runs the background jobs unless OPENTILL_JOBS=0 (an API-only node)', () => {
    expect(readConfig({}).jobs).toBe(true);
    expect(readConfig({ OPENTILL_JOBS: '1' }).jobs).toBe(true);
    expect(readConfig({ OPENTILL_JOBS: '0' }).jobs).toBe(false);
  });
  it('seeds the demo on the embedded database only, unless told', () => {
    expect(readConfig({}).demo).toBe(true);
    expect(readConfig({ DATABASE_URL: 'postgres://x/y' }).demo).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://x/y', OPENTILL_DEMO: '1' }).demo).toBe(true);
  });
  it('refuses a port that is not a port', () => {
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/);
  });
});
