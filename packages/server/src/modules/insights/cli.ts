// `opentill insights …`: reads the input file and prints what the pure commands return.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { forecastCommand, rulesCommand, type CommandResult } from './commands';

export async function runInsightsCli(args: string[], usage: string): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        input: { type: 'string' },
        support: { type: 'string' },
        confidence: { type: 'string' },
        'max-length': { type: 'string' },
        frequency: { type: 'string' },
        seasonal: { type: 'string' },
        horizon: { type: 'string' },
        alpha: { type: 'string' },
        beta: { type: 'string' },
        gamma: { type: 'string' },
      },
    }).values;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if ((sub !== 'rules' && sub !== 'forecast') || !parsed.input) {
    console.error(usage);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(parsed.input === '-' ? 0 : parsed.input, 'utf8');
  } catch {
    console.error(`cannot read ${parsed.input}`);
    return 1;
  }
  const result: CommandResult =
    sub === 'rules'
      ? rulesCommand(text, {
          support: parsed.support,
          confidence: parsed.confidence,
          maxLength: parsed['max-length'],
        })
      : forecastCommand(text, parsed);
  if (!result.ok) {
    console.error(result.message);
    return 2;
  }
  process.stdout.write(result.output);
  return 0;
}
