import type { Logger } from 'pino';
import type { Database } from './db/database';
import type { Clock, Ids } from './lib/ids';
import type { FieldCipher } from './lib/field-cipher';

/** Everything a module needs from the outside, built once in main.ts (or by hand in tests). */
export interface Deps {
  database: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** personal data (names, phones, e-mail, ID numbers) is stored only through this */
  cipher: FieldCipher;
}
