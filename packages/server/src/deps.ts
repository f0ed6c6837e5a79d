import type { Logger } from 'pino';
import type { Database } from './db/database';
import type { Clock, Ids } from './lib/ids';

/** Everything a module needs from the outside, built once in main.ts (or by hand in tests). */
export interface Deps {
  database: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
}
