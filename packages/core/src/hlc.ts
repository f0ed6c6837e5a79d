/**
 * Hybrid logical clock (Kulkarni et al.): stamps that follow wall time when clocks are sane,
 * never go backwards when they are not, and order causally related events across devices.
 * Pure: the caller passes `now` (ms since the epoch) and the node id.
 *
 * Packed as sortable text `<ms, 13 digits>-<counter, 4 hex>-<node>`, so comparing two packed
 * stamps as strings compares (ms, counter, node): a total order, unique per node.
 */

export interface Hlc {
  /** Wall-clock part, ms since the epoch (the largest time seen so far). */
  ms: number;
  /** Logical part: orders events within the same `ms`; 0..0xffff. */
  counter: number;
  /** The device that made the stamp; breaks ties, so stamps from two nodes never collide. */
  node: string;
}

export const HLC_MAX_COUNTER = 0xffff;
const MAX_MS = 9_999_999_999_999;
const NODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A new clock for `node`, before any event. */
export function hlcInit(node: string, now = 0): Hlc {
  if (!NODE.test(node)) throw new RangeError(`invalid HLC node id: ${node}`);
  return { ms: checkedMs(now), counter: 0, node };
}

function checkedMs(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_MS) throw new RangeError(`invalid HLC time: ${ms}`);
  return ms;
}

/** The counter overflowed: borrow the next millisecond so stamps stay strictly increasing. */
function normalise(ms: number, counter: number, node: string): Hlc {
  return counter > HLC_MAX_COUNTER ? { ms: checkedMs(ms + 1), counter: 0, node } : { ms, counter, node };
}

/** A local event (or a send): the next stamp after `local`, at wall time `now`. */
export function tick(local: Hlc, now: number): Hlc {
  const wall = checkedMs(now);
  if (wall > local.ms) return { ms: wall, counter: 0, node: local.node };
  return normalise(local.ms, local.counter + 1, local.node);
}

/** A stamp from another node arrived: the next local stamp, after both `local` and `remote`. */
export function receive(local: Hlc, remote: Hlc, now: number): Hlc {
  const wall = checkedMs(now);
  const ms = Math.max(local.ms, remote.ms, wall);
  let counter: number;
  if (ms === local.ms && ms === remote.ms) counter = Math.max(local.counter, remote.counter) + 1;
  else if (ms === local.ms) counter = local.counter + 1;
  else if (ms === remote.ms) counter = remote.counter + 1;
  else counter = 0;
  return normalise(ms, counter, local.node);
}

/** `<ms 13 digits>-<counter 4 hex>-<node>`; sorts as text in stamp order. */
export function packHlc(h: Hlc): string {
  return `${String(checkedMs(h.ms)).padStart(13, '0')}-${h.counter.toString(16).padStart(4, '0')}-${h.node}`;
}

/** The stamp in `text`, or undefined when it is not a packed HLC. */
export function unpackHlc(text: string): Hlc | undefined {
  const m = /^(\d{13})-([0-9a-f]{4})-(.+)$/.exec(text);
  if (!m || !NODE.test(m[3] ?? '')) return undefined;
  return { ms: Number(m[1]), counter: parseInt(m[2] ?? '', 16), node: m[3] ?? '' };
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.ms !== b.ms) return a.ms - b.ms;
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}
