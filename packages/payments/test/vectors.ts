import { readFileSync } from 'node:fs';

/** Reads a published vector file in place from /work/shared/vectors (../shared from the repo root). */
export function readVectors<T>(name: string): T {
  const url = new URL(`../../../../shared/vectors/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}
