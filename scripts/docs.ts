/**
 * Renders the lifecycle tables from packages/core into the README between its markers.
 * `npx tsx scripts/docs.ts` rewrites them; `docs.test.ts` fails when they are out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { orderTransitions, paymentTransitions, transitionsToMarkdown } from '@opentill/core';

export function lifecycleSection(): string {
  return [
    transitionsToMarkdown('order', orderTransitions),
    transitionsToMarkdown('payment', paymentTransitions),
  ].join('\n');
}

export function withLifecycles(readme: string): string {
  const start = '<!-- lifecycles:start -->';
  const end = '<!-- lifecycles:end -->';
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error('README lacks the lifecycle markers');
  return `${readme.slice(0, a + start.length)}\n\n${lifecycleSection().trim()}\n\n${readme.slice(b)}`;
}

if (process.argv[1]?.endsWith('docs.ts')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withLifecycles(readFileSync(path, 'utf8')));
}
