import { useEffect, useRef } from 'react';

/** Keystrokes closer than this belong to one scanner burst. */
export const SCAN_GAP_MS = 50;
/** A burst without a prefix needs at least this many characters before Enter. */
export const SCAN_MIN_LENGTH = 6;
const PREFIX_KEY = 'opentill.scanPrefix';

export function scanPrefix(): string {
  return localStorage.getItem(PREFIX_KEY) ?? '~';
}
export function setScanPrefix(prefix: string): void {
  localStorage.setItem(PREFIX_KEY, prefix.slice(0, 1));
}

interface Snapshot {
  el: HTMLInputElement | HTMLTextAreaElement;
  value: string;
}

function setNativeValue(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto =
    el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

function editable(target: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && /^(text|search|number|tel|password|email|)$/.test(target.type))
    return target;
  return null;
}

/**
 * A keyboard-wedge scanner anywhere on the page: fast keystrokes (< 50 ms apart, ≥ 6 characters)
 * ending in Enter, or the prefix character then characters then Enter. Listens in the capture
 * phase on window, so it wins over whatever has focus; a burst that landed in a text field is
 * taken back out of it (the field gets the value it had before the burst).
 */
/** `epoch`: bump it to re-read the prefix setting. */
export function useScanner(onScan: (code: string) => void, epoch = 0): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => {
    let buffer = '';
    let last = 0;
    let prefixed = false;
    let snapshot: Snapshot | null = null;
    const prefix = scanPrefix();

    const reset = () => {
      buffer = '';
      prefixed = false;
      snapshot = null;
    };

    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
      const now = performance.now();
      const gap = now - last;
      last = now;
      if (gap > (prefixed ? SCAN_GAP_MS * 4 : SCAN_GAP_MS) && e.key !== 'Enter') reset();

      if (e.key === 'Enter') {
        const code = buffer;
        const isScan =
          gap <= (prefixed ? SCAN_GAP_MS * 4 : SCAN_GAP_MS) &&
          (prefixed ? code.length > 0 : code.length >= SCAN_MIN_LENGTH);
        const snap = snapshot;
        reset();
        if (!isScan) return;
        e.preventDefault();
        e.stopPropagation();
        if (snap && snap.el.value !== snap.value) setNativeValue(snap.el, snap.value);
        handler.current(code);
        return;
      }
      if (e.key.length !== 1) return;
      if (prefix && e.key === prefix && buffer === '' && !prefixed) {
        prefixed = true;
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      if (buffer === '' && !prefixed) {
        const el = editable(e.target);
        snapshot = el ? { el, value: el.value } : null;
      }
      buffer += e.key;
      if (prefixed) {
        // after a prefix nothing goes into the focused field
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [epoch]);
}
