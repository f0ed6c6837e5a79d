// The `opentill insights …` commands as functions from input text to output text, so the CLI
// only reads files and prints, and tests can run the commands without a process.

import { basketsFromPairs, mineRules } from './apriori';
import { formatCsv, parseCsv, parseCsvRecords } from './csv';
import { forecastHoltWinters, holtWinters, type Seasonal } from './holt-winters';

export type CommandResult = { ok: true; output: string } | { ok: false; message: string };

function parseUnit(name: string, raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1)
    return `--${name} must be a number between 0 and 1`;
  return v;
}

/** `insights rules`: CSV of transaction_id,item in; CSV of lhs,rhs,support,confidence,lift,count out. */
export function rulesCommand(
  csv: string,
  options: { support?: string; confidence?: string; maxLength?: string },
): CommandResult {
  const support = parseUnit('support', options.support, 0.01);
  const confidence = parseUnit('confidence', options.confidence, 0.5);
  if (typeof support === 'string') return { ok: false, message: support };
  if (typeof confidence === 'string') return { ok: false, message: confidence };
  if (support <= 0) return { ok: false, message: '--support must be above 0' };
  const maxLength = options.maxLength === undefined ? undefined : Number(options.maxLength);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 2)) {
    return { ok: false, message: '--max-length must be a whole number of 2 or more' };
  }
  const rows = parseCsv(csv);
  if (rows.length < 2) return { ok: false, message: 'the input has no rows' };
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  let tidCol = header.indexOf('transaction_id');
  let itemCol = header.indexOf('item');
  if (tidCol < 0 || itemCol < 0) [tidCol, itemCol] = [0, 1];
  const pairs: [string, string][] = [];
  for (const r of rows.slice(1)) {
    const tid = r[tidCol];
    const item = r[itemCol];
    if (tid === undefined || item === undefined)
      return { ok: false, message: 'every row needs a transaction id and an item' };
    pairs.push([tid, item]);
  }
  const baskets = basketsFromPairs(pairs);
  const { rules } = mineRules(baskets, { minSupport: support, minConfidence: confidence, maxLength });
  return {
    ok: true,
    output: formatCsv(
      ['lhs', 'rhs', 'support', 'confidence', 'lift', 'count'],
      rules.map((r) => [r.lhs.join('|'), r.rhs, r.support, r.confidence, r.lift, r.count]),
    ),
  };
}

export interface ForecastArgs {
  frequency?: string;
  seasonal?: string;
  horizon?: string;
  alpha?: string;
  beta?: string;
  gamma?: string;
}

/** `insights forecast`: CSV with a value column in; JSON of parameters, SSE and forecasts out. */
export function forecastCommand(csv: string, args: ForecastArgs): CommandResult {
  const { header, records } = parseCsvRecords(csv);
  const column =
    header.find((h) => h.toLowerCase() === 'value') ?? (header.length === 1 ? header[0] : undefined);
  if (column === undefined) return { ok: false, message: 'the input needs a "value" column' };
  const values = records.map((r) => Number(r[column]));
  if (values.some((v, i) => !Number.isFinite(v) || records[i]![column]!.trim() === '')) {
    return { ok: false, message: 'every value must be a number' };
  }
  const frequency = Number(args.frequency ?? 1);
  const horizon = Number(args.horizon ?? 12);
  const seasonal = (args.seasonal ?? 'none') as Seasonal;
  if (!['additive', 'multiplicative', 'none'].includes(seasonal)) {
    return { ok: false, message: '--seasonal must be additive, multiplicative or none' };
  }
  if (!Number.isInteger(frequency) || frequency < 1)
    return { ok: false, message: '--frequency must be a whole number of 1 or more' };
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 10000)
    return { ok: false, message: '--horizon must be a whole number from 1 to 10000' };
  const num = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const v = Number(raw);
    return raw.trim() === '' || !Number.isFinite(v) ? `--${name} must be a number` : v;
  };
  const alpha = num('alpha', args.alpha);
  const beta = args.beta === 'false' ? false : num('beta', args.beta);
  const gamma = num('gamma', args.gamma);
  for (const v of [alpha, beta, gamma]) if (typeof v === 'string') return { ok: false, message: v };
  const fit = holtWinters(values, {
    frequency,
    seasonal,
    alpha: alpha as number | undefined,
    beta: beta as number | false | undefined,
    gamma: gamma as number | undefined,
  });
  if (!fit.ok) return { ok: false, message: fit.error.message };
  const f = fit.value;
  return {
    ok: true,
    output:
      JSON.stringify(
        {
          alpha: f.alpha,
          beta: f.beta,
          gamma: f.gamma,
          sse: f.sse,
          forecasts: forecastHoltWinters(f, horizon),
        },
        null,
        2,
      ) + '\n',
  };
}
