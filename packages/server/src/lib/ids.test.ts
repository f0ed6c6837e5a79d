import { describe, expect, it } from 'vitest';
import { fixedClock, systemIds } from './ids';

const UUIDV7 = /^ord_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('systemIds', () => {
  it('makes IDs in creation order within one millisecond, past 4,096 of them, as valid UUIDv7', () => {
    const clock = fixedClock(new Date('2026-12-01T10:00:00.000Z'));
    const ids = systemIds(clock);
    const made = Array.from({ length: 10_000 }, () => ids.newId('ord'));
    for (const id of made) expect(id).toMatch(UUIDV7);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    // the timestamp part never runs more than a few milliseconds ahead of the clock
    const last = made[made.length - 1]!.slice(4).replace(/-/g, '').slice(0, 12);
    expect(parseInt(last, 16) - Date.parse('2026-12-01T10:00:00.000Z')).toBeLessThanOrEqual(3);
  });
  it('never goes backwards when the clock steps back', () => {
    const clock = fixedClock(new Date('2026-12-01T10:00:00.000Z'));
    const ids = systemIds(clock);
    const a = ids.newId('ord');
    clock.advance(-5_000);
    const b = ids.newId('ord');
    clock.advance(10_000);
    const c = ids.newId('ord');
    expect([a, b, c].sort()).toEqual([a, b, c]);
  });
});
