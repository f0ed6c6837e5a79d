import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from './csv';
import { datasetUrl } from './datasets';
import { forecastHoltWinters, holtWinters, type Seasonal } from './holt-winters';

const read = (name: string) =>
  parseCsvRecords(readFileSync(datasetUrl(`forecasting/${name}`), 'utf8')).records;
const series = read('series-AirPassengers.csv').map((r) => Number(r.value));
const models = read('holtwinters-params.csv');
const forecasts = read('holtwinters-forecasts-h12.csv');

function rel(a: number, b: number) {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('Holt–Winters family against R stats::HoltWinters on AirPassengers', () => {
  it('reads the series and the eight R fits', () => {
    expect(series).toHaveLength(144);
    expect(models).toHaveLength(8);
  });

  for (const m of models) {
    const seasonal = m.seasonal as Seasonal;
    const beta = m.beta === 'NA' ? false : Number(m.beta);
    const gamma = m.gamma === 'NA' ? undefined : Number(m.gamma);

    it(`${m.model_id}: with R's parameters, SSE, fitted count and 12-step forecasts match to 1e-6`, () => {
      const fit = holtWinters(series, {
        frequency: Number(m.frequency),
        seasonal,
        alpha: Number(m.alpha),
        beta,
        gamma,
      });
      expect(fit.ok).toBe(true);
      if (!fit.ok) return;
      expect(fit.value.fitted).toHaveLength(Number(m.n_fitted));
      // The SSE is the sum of every fitted value's squared error, so it pins the fitted path.
      expect(rel(fit.value.sse, Number(m.SSE))).toBeLessThan(1e-6);
      const want = forecasts.filter((f) => f.model_id === m.model_id);
      expect(want).toHaveLength(12);
      const got = forecastHoltWinters(fit.value, 12);
      want.forEach((w, i) => {
        for (const k of ['point', 'lo80', 'hi80', 'lo95', 'hi95'] as const) {
          expect(rel(got[i]![k], Number(w[k])), `${k} h=${i + 1}`).toBeLessThan(1e-6);
        }
      });
    });

    if (!m.model_id!.endsWith('_fixed')) {
      it(`${m.model_id}: optimised SSE is within 0.5 % of R's or lower`, () => {
        const fit = holtWinters(series, {
          frequency: Number(m.frequency),
          seasonal,
          beta: beta === false ? false : undefined,
        });
        expect(fit.ok).toBe(true);
        if (!fit.ok) return;
        expect(fit.value.sse).toBeLessThanOrEqual(Number(m.SSE) * 1.005);
        expect(fit.value.alpha).toBeGreaterThan(0);
        expect(fit.value.alpha).toBeLessThanOrEqual(1);
        expect(fit.value.beta === false).toBe(beta === false);
        expect(fit.value.gamma === false).toBe(seasonal === 'none');
      });
    }
  }
});

describe('Holt–Winters input checks', () => {
  it('refuses a seasonal model on less than two seasons and one value', () => {
    const r = holtWinters(series.slice(0, 24), { frequency: 12, seasonal: 'additive' });
    expect(r.ok ? null : r.error.code).toBe('series_too_short');
  });
  it('refuses a multiplicative model with a zero', () => {
    const r = holtWinters([...series.slice(0, 30), 0], { frequency: 12, seasonal: 'multiplicative' });
    expect(r.ok ? null : r.error.code).toBe('zero_in_multiplicative');
  });
  it('refuses parameters outside [0, 1]', () => {
    const r = holtWinters(series, { frequency: 12, seasonal: 'none', alpha: 1.5 });
    expect(r.ok ? null : r.error.code).toBe('invalid_parameter');
  });
  it('simple exponential smoothing of a constant series forecasts the constant with zero width', () => {
    const r = holtWinters(new Array<number>(20).fill(7), {
      frequency: 1,
      seasonal: 'none',
      beta: false,
      alpha: 0.4,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = forecastHoltWinters(r.value, 3);
    expect(f.map((p) => p.point)).toEqual([7, 7, 7]);
    expect(f[2]!.hi95 - f[2]!.lo95).toBe(0);
  });
});
