import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forecastCommand, rulesCommand } from './commands';
import { parseCsv } from './csv';
import { datasetUrl } from './datasets';

const groceries = readFileSync(datasetUrl('groceries.csv'), 'utf8');
const air = readFileSync(datasetUrl('forecasting/series-AirPassengers.csv'), 'utf8');

describe('insights rules', () => {
  it('prints lhs,rhs,support,confidence,lift,count with multi-item left sides joined by |', () => {
    const r = rulesCommand(groceries, { support: '0.01', confidence: '0.5' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rows = parseCsv(r.output);
    expect(rows[0]).toEqual(['lhs', 'rhs', 'support', 'confidence', 'lift', 'count']);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(6);
      expect(row[0]!.split('|').length).toBeGreaterThanOrEqual(1);
      expect(Number(row[3])).toBeGreaterThanOrEqual(0.5);
      expect(Number(row[2])).toBeCloseTo(Number(row[5]) / 9835, 12);
    }
  });
  it('keeps item names with trailing spaces quoted so they survive a CSV round trip', () => {
    const r = rulesCommand(groceries, { support: '0.005', confidence: '0.3' });
    expect(r.ok && r.output.includes('"cream cheese "')).toBe(true);
  });
  it('refuses a support outside (0, 1]', () => {
    expect(rulesCommand(groceries, { support: '2' }).ok).toBe(false);
    expect(rulesCommand(groceries, { support: '0' }).ok).toBe(false);
  });
});

describe('insights forecast', () => {
  it('uses given parameters as they are and optimises the rest', () => {
    const r = forecastCommand(air, {
      frequency: '12',
      seasonal: 'additive',
      horizon: '3',
      alpha: '0.3',
      beta: '0.1',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const json = JSON.parse(r.output) as { alpha: number; beta: number; gamma: number; forecasts: unknown[] };
    expect(json.alpha).toBe(0.3);
    expect(json.beta).toBe(0.1);
    expect(json.gamma).toBeGreaterThanOrEqual(0);
    expect(json.forecasts).toHaveLength(3);
    expect(Object.keys(json.forecasts[0] as object)).toEqual(['point', 'lo80', 'hi80', 'lo95', 'hi95']);
  });
  it('--seasonal none --beta false is simple exponential smoothing', () => {
    const r = forecastCommand(air, { seasonal: 'none', beta: 'false', horizon: '2' });
    expect(r.ok && JSON.parse(r.output).beta === false && JSON.parse(r.output).gamma === false).toBe(true);
  });
  it('explains bad input', () => {
    expect(forecastCommand('value\n1\nx\n', {}).ok).toBe(false);
    expect(forecastCommand(air, { seasonal: 'weekly' }).ok).toBe(false);
    expect(forecastCommand(air, { alpha: '3' }).ok).toBe(false);
  });
});

describe('the opentill binary', () => {
  const bin = fileURLToPath(new URL('../../../bin/opentill.js', import.meta.url));
  it('runs insights forecast end to end', () => {
    const out = execFileSync(
      'node',
      [
        bin,
        'insights',
        'forecast',
        '--input',
        fileURLToPath(datasetUrl('forecasting/series-AirPassengers.csv')),
        '--frequency',
        '12',
        '--seasonal',
        'multiplicative',
        '--horizon',
        '12',
      ],
      { encoding: 'utf8' },
    );
    const json = JSON.parse(out) as { sse: number; forecasts: { point: number }[] };
    expect(json.forecasts).toHaveLength(12);
    expect(json.sse).toBeLessThan(16570.7778669999 * 1.005);
  });
  it('exits 2 with a message on a bad flag', () => {
    const r = spawnSync(
      'node',
      [bin, 'insights', 'rules', '--input', fileURLToPath(datasetUrl('groceries.csv')), '--support', 'x'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--support');
  });
});
