// Croston's method for intermittent demand (many periods without a sale), pure. Demand sizes
// and the intervals between demands are smoothed separately, and only in periods with demand;
// the forecast per period is size / interval. The Syntetos–Boylan variant multiplies by
// (1 − α/2) to remove Croston's known upward bias.

import { brent } from './optimize';

export interface CrostonOptions {
  /** Smoothing constant; chosen by minimising squared one-step errors when missing. */
  alpha?: number;
  variant?: 'croston' | 'sba';
}

export interface CrostonFit {
  alpha: number;
  variant: 'croston' | 'sba';
  /** Forecast demand per period from the end of the data. */
  forecast: number;
  size: number;
  interval: number;
  /** One-step-ahead forecasts for periods after the first demand (NaN before it). */
  fitted: number[];
  sse: number;
}

function runCroston(y: readonly number[], alpha: number, variant: 'croston' | 'sba'): CrostonFit | undefined {
  const first = y.findIndex((v) => v > 0);
  if (first < 0) return undefined;
  // Start-up: the first demand and the periods up to it (as in Croston 1972 and R's forecast::croston).
  let size = y[first]!;
  let interval = first + 1;
  let sinceLast = 1;
  const factor = variant === 'sba' ? 1 - alpha / 2 : 1;
  const fitted: number[] = y.map(() => NaN);
  let sse = 0;
  for (let t = first + 1; t < y.length; t++) {
    const f = (factor * size) / interval;
    fitted[t] = f;
    sse += (y[t]! - f) ** 2;
    if (y[t]! > 0) {
      size = alpha * y[t]! + (1 - alpha) * size;
      interval = alpha * sinceLast + (1 - alpha) * interval;
      sinceLast = 1;
    } else {
      sinceLast++;
    }
  }
  return { alpha, variant, forecast: (factor * size) / interval, size, interval, fitted, sse };
}

export function croston(y: readonly number[], options: CrostonOptions = {}): CrostonFit | undefined {
  if (y.some((v) => !Number.isFinite(v) || v < 0)) return undefined;
  const variant = options.variant ?? 'croston';
  if (options.alpha !== undefined) return runCroston(y, options.alpha, variant);
  const best = brent((a) => runCroston(y, a, variant)?.sse ?? Infinity, 0.01, 1);
  return runCroston(y, best.x, variant);
}

/** Share of periods with no demand; above about 0.3 Croston suits better than Holt–Winters. */
export function zeroShare(y: readonly number[]): number {
  return y.length === 0 ? 0 : y.filter((v) => v === 0).length / y.length;
}
