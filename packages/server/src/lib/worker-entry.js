// The first module of every job worker (see worker-job.ts). It teaches the worker to load the
// TypeScript sources as the server does (tsx), then imports the jobs module, collects the rows
// the main thread sends page by page and answers with the job's result.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { module, name, params } = workerData;
const jobs = await import(module);
const rows = [];
parentPort.on('message', (message) => {
  if (message.rows) {
    for (const row of message.rows) rows.push(row);
    return;
  }
  try {
    parentPort.postMessage({ result: jobs[name](params, rows) });
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  parentPort.close();
});
parentPort.postMessage({ ready: true });
