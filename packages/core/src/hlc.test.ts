import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, hlcInit, packHlc, receive, tick, unpackHlc, type Hlc } from './hlc';

describe('hlc', () => {
  it('packs as sortable text and unpacks again', () => {
    const h: Hlc = { ms: 1_795_000_000_000, counter: 42, node: 'dev_a1' };
    expect(packHlc(h)).toBe('1795000000000-002a-dev_a1');
    expect(unpackHlc(packHlc(h))).toEqual(h);
    expect(unpackHlc('nope')).toBeUndefined();
    expect(packHlc({ ms: 5, counter: 0, node: 'n' }) < packHlc({ ms: 10, counter: 0, node: 'n' })).toBe(true);
  });

  it('follows the wall clock and never goes backwards when it jumps back', () => {
    let h = hlcInit('a');
    h = tick(h, 1000);
    expect(h).toEqual({ ms: 1000, counter: 0, node: 'a' });
    h = tick(h, 900);
    expect(h).toEqual({ ms: 1000, counter: 1, node: 'a' });
    h = receive(h, { ms: 2000, counter: 7, node: 'b' }, 1500);
    expect(h).toEqual({ ms: 2000, counter: 8, node: 'a' });
    h = tick(h, 3000);
    expect(h).toEqual({ ms: 3000, counter: 0, node: 'a' });
  });

  it('borrows the next millisecond when the counter overflows', () => {
    const h = tick({ ms: 10, counter: 0xffff, node: 'a' }, 10);
    expect(h).toEqual({ ms: 11, counter: 0, node: 'a' });
  });

  it('refuses bad times and node ids', () => {
    expect(() => tick(hlcInit('a'), -1)).toThrow(RangeError);
    expect(() => tick(hlcInit('a'), 1.5)).toThrow(RangeError);
    expect(() => hlcInit('has space')).toThrow(RangeError);
  });

  type Step =
    { kind: 'local'; node: number; now: number } | { kind: 'recv'; node: number; from: number; now: number };
  const nodes = ['dev-a', 'dev-b', 'dev-c'];
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('local' as const), node: fc.nat(2), now: fc.nat(5000) }),
    fc.record({ kind: fc.constant('recv' as const), node: fc.nat(2), from: fc.nat(2), now: fc.nat(5000) }),
  );

  /** Runs the steps; returns every stamp made, as [node index, stamp], in the order made. */
  function simulate(steps: Step[]): [number, Hlc][] {
    const clocks = nodes.map((n) => hlcInit(n));
    const last: (Hlc | undefined)[] = nodes.map(() => undefined);
    const made: [number, Hlc][] = [];
    for (const s of steps) {
      const local = clocks[s.node] as Hlc;
      let next: Hlc;
      if (s.kind === 'local') next = tick(local, s.now);
      else {
        const remote = last[s.from];
        if (!remote) continue;
        next = receive(local, remote, s.now);
        expect(compareHlc(next, remote)).toBeGreaterThan(0);
      }
      clocks[s.node] = next;
      last[s.node] = next;
      made.push([s.node, next]);
    }
    return made;
  }

  it('makes strictly increasing stamps per node, whatever the wall clock does', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const made = simulate(steps);
        for (let n = 0; n < nodes.length; n++) {
          const mine = made.filter(([i]) => i === n).map(([, h]) => packHlc(h));
          for (let i = 1; i < mine.length; i++)
            expect((mine[i - 1] as string) < (mine[i] as string)).toBe(true);
        }
        const all = made.map(([, h]) => packHlc(h));
        expect(new Set(all).size).toBe(all.length);
      }),
    );
  });

  it('converges when stamped events arrive shuffled and duplicated', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 100 }),
        fc.array(fc.array(fc.nat(), { maxLength: 300 }), { minLength: 2, maxLength: 4 }),
        fc.nat(5000),
        (steps, deliveries, now) => {
          const events = simulate(steps).map(([, h]) => h);
          if (events.length === 0) return;
          const replicas = deliveries.map((picks) => {
            // every event at least once, plus random duplicates, in a random order
            const order = [...events, ...picks.map((p) => events[p % events.length] as Hlc)];
            const shuffled = order
              .map((h, i) => ({ h, k: picks[i % Math.max(picks.length, 1)] ?? i }))
              .sort((x, y) => x.k - y.k)
              .map((x) => x.h);
            let clock = hlcInit('replica');
            const log = new Map<string, Hlc>();
            for (const h of shuffled) {
              log.set(packHlc(h), h); // merge is an idempotent insert keyed by the stamp
              clock = receive(clock, h, now);
            }
            return { log: [...log.keys()].sort(), clock };
          });
          const first = replicas[0];
          for (const r of replicas) {
            expect(r.log).toEqual(first?.log);
            // the replica's clock is after everything it has seen
            const newest = unpackHlc(r.log[r.log.length - 1] as string) as Hlc;
            expect(compareHlc(r.clock, newest)).toBeGreaterThan(0);
          }
          expect(first?.log.length).toBe(new Set(events.map(packHlc)).size);
        },
      ),
    );
  });
});
