// Runs a pure job in a worker thread, so the main thread (the API and its event loop) stays free
// while it computes. A job is a plain function `(params, rows) => result` exported by a jobs
// module; the rows are sent page by page as the caller reads them (each page is copied by the
// structured clone, a short step), the job runs once the last page is in, and its result comes
// back as plain data. Calling the same function in-process gives the same answer.

import { Worker } from 'node:worker_threads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any job's parameters and rows
export type PureJob = (params: any, rows: any[]) => unknown;

const entry = new URL('./worker-entry.js', import.meta.url);

/**
 * A runner for the jobs exported by `module` (a file URL, usually `new URL('./x-jobs.ts',
 * import.meta.url)`). Each run starts a worker and ends it when the result is in.
 */
export function workerJobs<J extends Record<string, PureJob>>(module: URL) {
  return async function run<K extends keyof J & string>(
    name: K,
    params: Parameters<J[K]>[0],
    pages: Iterable<Parameters<J[K]>[1]> | AsyncIterable<Parameters<J[K]>[1]>,
  ): Promise<Awaited<ReturnType<J[K]>>> {
    const worker = new Worker(entry, { workerData: { module: module.href, name, params } });
    let settle!: { resolve: (v: unknown) => void; reject: (e: unknown) => void };
    const answer = new Promise((resolve, reject) => (settle = { resolve, reject }));
    let ready!: () => void;
    const started = new Promise<void>((r) => (ready = r));
    let done = false;
    worker.on('message', (m: { ready?: true; result?: unknown; error?: string }) => {
      if (m.ready) return ready();
      done = true;
      if (m.error !== undefined) settle.reject(new Error(`worker job ${name} failed: ${m.error}`));
      else settle.resolve(m.result);
    });
    worker.on('error', (e) => {
      done = true;
      ready();
      settle.reject(e);
    });
    worker.on('exit', (code) => {
      ready();
      if (!done) settle.reject(new Error(`worker job ${name} stopped (exit code ${code}) without a result`));
    });
    // a failed job must not leave an unhandled rejection while the pages are still being read
    answer.catch(() => {});
    try {
      await Promise.race([started, answer]);
      for await (const rows of pages) worker.postMessage({ rows });
      worker.postMessage({ end: true });
      return (await answer) as Awaited<ReturnType<J[K]>>;
    } finally {
      if (!done) await worker.terminate();
    }
  };
}
