// Where the shared public data sets live, relative to this file (worktrees sit beside shared/).
export function datasetUrl(relative: string): URL {
  return new URL(`../../../../../../shared/datasets/${relative}`, import.meta.url);
}
