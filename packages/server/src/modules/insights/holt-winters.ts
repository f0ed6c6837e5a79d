// Exponential smoothing as R's stats::HoltWinters does it, pure: the same start-up values
// (classical decomposition of the first two seasons, a regression line through its trend),
// the same update equations (the seasonal index is updated with the *new* level), parameters
// chosen by minimising the sum of squared one-step errors, and predict.HoltWinters' intervals.
//
//   seasonal 'none' + beta false → simple exponential smoothing
//   seasonal 'none'              → Holt's linear trend
//   'additive' / 'multiplicative' → Holt–Winters

import { minimizeBounded } from './optimize';

export type Seasonal = 'additive' | 'multiplicative' | 'none';

export interface HoltWintersOptions {
  /** Observations per season (12 for monthly data with a yearly cycle, 7 for days in a week). */
  frequency: number;
  seasonal: Seasonal;
  /** Given parameters are used as they are; missing ones are optimised. */
  alpha?: number;
  /** false: no trend. */
  beta?: number | false;
  gamma?: number;
}

export interface HoltWintersFit {
  seasonal: Seasonal;
  frequency: number;
  alpha: number;
  beta: number | false;
  gamma: number | false;
  sse: number;
  /** Index into the series of the first fitted value. */
  firstFitted: number;
  /** One-step-ahead fitted values for x[firstFitted..]. */
  fitted: number[];
  residuals: number[];
  /** Final level, trend (0 without trend) and the last `frequency` seasonal indices. */
  level: number;
  trend: number;
  season: number[];
}

export interface ForecastPoint {
  point: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

export type FitError = {
  code: 'series_too_short' | 'invalid_parameter' | 'zero_in_multiplicative';
  message: string;
};
export type FitResult = { ok: true; value: HoltWintersFit } | { ok: false; error: FitError };

const Z80 = 1.2815515655446004; // qnorm(0.90)
const Z95 = 1.959963984540054; // qnorm(0.975)

interface Start {
  startTime: number; // 1-based, as R
  level: number;
  trend: number;
  season: number[];
}

/** R's decompose(): centred moving average, then the mean seasonal figure per position. */
function decomposeFigure(
  x: number[],
  f: number,
  multiplicative: boolean,
): { trend: (number | null)[]; figure: number[] } {
  const l = x.length;
  const weights =
    f % 2 === 0
      ? [0.5, ...new Array<number>(f - 1).fill(1), 0.5].map((w) => w / f)
      : new Array<number>(f).fill(1 / f);
  const half = Math.floor(weights.length / 2);
  const trend: (number | null)[] = x.map((_, i) => {
    if (i - half < 0 || i - half + weights.length - 1 >= l) return null;
    let s = 0;
    for (let j = 0; j < weights.length; j++) s += weights[j]! * x[i - half + j]!;
    return s;
  });
  const figure: number[] = [];
  for (let i = 0; i < f; i++) {
    let sum = 0;
    let count = 0;
    for (let k = i; k < l; k += f) {
      const t = trend[k];
      if (t === null || t === undefined) continue;
      sum += multiplicative ? x[k]! / t : x[k]! - t;
      count++;
    }
    figure.push(count > 0 ? sum / count : NaN);
  }
  const mean = figure.reduce((a, b) => a + b, 0) / f;
  return { trend, figure: figure.map((v) => (multiplicative ? v / mean : v - mean)) };
}

function startValues(x: number[], options: HoltWintersOptions, trendOn: boolean): Start {
  if (options.seasonal === 'none') {
    const ses = !trendOn;
    return ses
      ? { startTime: 2, level: x[0]!, trend: 0, season: [] }
      : { startTime: 3, level: x[1]!, trend: x[1]! - x[0]!, season: [] };
  }
  const f = options.frequency;
  const window = x.slice(0, 2 * f);
  const { trend, figure } = decomposeFigure(window, f, options.seasonal === 'multiplicative');
  const dat = trend.filter((t): t is number => t !== null);
  // Least-squares line through the trend against 1..m: intercept is the start level, slope the trend.
  const m = dat.length;
  const meanT = (m + 1) / 2;
  const meanY = dat.reduce((a, b) => a + b, 0) / m;
  let sxy = 0;
  let sxx = 0;
  dat.forEach((y, i) => {
    sxy += (i + 1 - meanT) * (y - meanY);
    sxx += (i + 1 - meanT) ** 2;
  });
  const slope = sxy / sxx;
  return { startTime: f + 1, level: meanY - slope * meanT, trend: slope, season: figure };
}

interface Run {
  sse: number;
  fitted: number[];
  level: number;
  trend: number;
  season: number[];
}

/** The filtering loop of R's C_HoltWinters. */
function run(
  x: number[],
  options: HoltWintersOptions,
  start: Start,
  alpha: number,
  beta: number,
  gamma: number,
  trendOn: boolean,
  wantPath: boolean,
): Run {
  const additive = options.seasonal !== 'multiplicative';
  const seasonOn = options.seasonal !== 'none';
  const f = seasonOn ? options.frequency : 1;
  const a = Math.min(Math.max(alpha, 0), 1);
  const b = Math.min(Math.max(beta, 0), 1);
  const g = Math.min(Math.max(gamma, 0), 1);
  let level = start.level;
  let trend = trendOn ? start.trend : 0;
  // Ring of the last f seasonal indices: season[k % f] is the index for step k.
  const season = seasonOn ? [...start.season] : [];
  let sse = 0;
  const fitted: number[] = [];
  let k = 0;
  for (let i = start.startTime - 1; i < x.length; i++, k++) {
    const s = seasonOn ? season[k % f]! : additive ? 0 : 1;
    let xhat = level + trend;
    xhat = additive ? xhat + s : xhat * s;
    const res = x[i]! - xhat;
    sse += res * res;
    if (wantPath) fitted.push(xhat);
    const prevLevel = level;
    level = a * (additive ? x[i]! - s : x[i]! / s) + (1 - a) * (prevLevel + trend);
    if (trendOn) trend = b * (level - prevLevel) + (1 - b) * trend;
    if (seasonOn) season[k % f] = g * (additive ? x[i]! - level : x[i]! / level) + (1 - g) * s;
  }
  // Rotate so that season[0] is the index of the first step after the data.
  const rotated = seasonOn ? season.map((_, j) => season[(k + j) % f]!) : [];
  return { sse, fitted, level, trend, season: rotated };
}

function validParam(v: number | undefined): boolean {
  return v === undefined || (Number.isFinite(v) && v >= 0 && v <= 1);
}

export function holtWinters(x: readonly number[], options: HoltWintersOptions): FitResult {
  const series = [...x];
  const trendOn = options.beta !== false;
  const seasonOn = options.seasonal !== 'none';
  const beta = options.beta === false ? undefined : options.beta;
  if (!validParam(options.alpha) || !validParam(beta) || !validParam(options.gamma) || options.alpha === 0) {
    return {
      ok: false,
      error: {
        code: 'invalid_parameter',
        message: 'alpha, beta and gamma must be within [0, 1], and alpha above 0.',
      },
    };
  }
  if (!series.every(Number.isFinite)) {
    return {
      ok: false,
      error: { code: 'invalid_parameter', message: 'Every value must be a finite number.' },
    };
  }
  if (seasonOn) {
    if (!Number.isInteger(options.frequency) || options.frequency < 2) {
      return {
        ok: false,
        error: {
          code: 'invalid_parameter',
          message: 'A seasonal model needs a whole frequency of 2 or more.',
        },
      };
    }
    if (series.length < 2 * options.frequency + 1) {
      return {
        ok: false,
        error: {
          code: 'series_too_short',
          message: `A seasonal model needs at least ${2 * options.frequency + 1} values (two seasons and one more).`,
        },
      };
    }
    if (options.seasonal === 'multiplicative' && series.some((v) => v === 0)) {
      return {
        ok: false,
        error: { code: 'zero_in_multiplicative', message: 'A multiplicative model needs non-zero values.' },
      };
    }
  } else if (series.length < (trendOn ? 3 : 2)) {
    return {
      ok: false,
      error: { code: 'series_too_short', message: `This model needs at least ${trendOn ? 3 : 2} values.` },
    };
  }
  const start = startValues(series, options, trendOn);

  // Free parameters, in R's order, with R's optim.start as the first start.
  const free: ('alpha' | 'beta' | 'gamma')[] = [];
  if (options.alpha === undefined) free.push('alpha');
  if (trendOn && beta === undefined) free.push('beta');
  if (seasonOn && options.gamma === undefined) free.push('gamma');
  const params = (p: number[]) => {
    const get = (name: 'alpha' | 'beta' | 'gamma', given: number | undefined) => {
      const j = free.indexOf(name);
      return j >= 0 ? p[j]! : (given ?? 0);
    };
    return {
      alpha: get('alpha', options.alpha),
      beta: get('beta', beta),
      gamma: get('gamma', options.gamma),
    };
  };
  let chosen = params([]);
  if (free.length > 0) {
    const sseOf = (p: number[]) => {
      const q = params(p);
      const s = run(series, options, start, q.alpha, q.beta, q.gamma, trendOn, false).sse;
      return Number.isFinite(s) ? s : Number.MAX_VALUE;
    };
    const rStart = { alpha: 0.3, beta: 0.1, gamma: 0.1 };
    const starts = [free.map((n) => rStart[n])];
    for (const a of [0.1, 0.5, 0.9])
      for (const c of [0.1, 0.5, 0.9])
        starts.push(free.map((n, i) => (i === 0 ? a : n === 'beta' ? c / 5 : c)));
    const lower = free.map(() => 0);
    const upper = free.map(() => 1);
    // alpha = 0 is not a model (no level); keep it just above.
    if (free[0] === 'alpha') lower[0] = 1e-8;
    const best = minimizeBounded(sseOf, starts, lower, upper);
    chosen = params(best.x);
  }
  const r = run(series, options, start, chosen.alpha, chosen.beta, chosen.gamma, trendOn, true);
  const firstFitted = start.startTime - 1;
  return {
    ok: true,
    value: {
      seasonal: options.seasonal,
      frequency: options.frequency,
      alpha: chosen.alpha,
      beta: trendOn ? chosen.beta : false,
      gamma: seasonOn ? chosen.gamma : false,
      sse: r.sse,
      firstFitted,
      fitted: r.fitted,
      residuals: r.fitted.map((v, i) => series[firstFitted + i]! - v),
      level: r.level,
      trend: r.trend,
      season: r.season,
    },
  };
}

function sampleVariance(v: number[]): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
}

/** Point forecasts with 80 % and 95 % intervals, as R's predict.HoltWinters(prediction.interval = TRUE). */
export function forecastHoltWinters(fit: HoltWintersFit, horizon: number): ForecastPoint[] {
  const f = fit.frequency;
  const alpha = fit.alpha;
  const beta = fit.beta === false ? 0 : fit.beta;
  const gamma = fit.gamma === false ? 0 : fit.gamma;
  const seasonOn = fit.seasonal !== 'none';
  const variance = sampleVariance(fit.residuals);
  const psi = (j: number) => alpha * (1 + j * beta) + (seasonOn && j % f === 0 ? gamma * (1 - alpha) : 0);
  const out: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const s = seasonOn ? fit.season[(h - 1) % f]! : fit.seasonal === 'multiplicative' ? 1 : 0;
    const base = fit.level + h * fit.trend;
    const point = fit.seasonal === 'multiplicative' ? base * s : base + s;
    let factor: number;
    if (fit.seasonal === 'multiplicative') {
      factor = 0;
      // R scales each error term by s[h] / s[h - j]. Its coefficient vector is (a, b, s1..sf)
      // and it looks s[h - j] up at position 2 + (h - j) mod f, which is b when h - j is a whole
      // number of seasons; we follow it so intervals match R. Without a trend there is no b,
      // and we use s_f there (R's lookup runs off its vector).
      for (let j = 0; j < h; j++) {
        const back = (h - j) % f;
        const denominator =
          back !== 0 ? fit.season[back - 1]! : fit.beta !== false ? fit.trend : fit.season[f - 1]!;
        factor += (psi(j) * (s / denominator)) ** 2;
      }
    } else {
      factor = 1;
      for (let j = 1; j < h; j++) factor += psi(j) ** 2;
    }
    const sd = Math.sqrt(variance * factor);
    out.push({
      point,
      lo80: point - Z80 * sd,
      hi80: point + Z80 * sd,
      lo95: point - Z95 * sd,
      hi95: point + Z95 * sd,
    });
  }
  return out;
}
