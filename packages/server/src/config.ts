/** Settings from the environment, read once at start. */
export interface Config {
  port: number;
  host: string;
  /** postgres://… when set; otherwise the embedded SQLite file */
  databaseUrl: string | undefined;
  sqlitePath: string;
  /** seed the demo tenant on first start */
  demo: boolean;
  logLevel: string;
  /** run the background jobs in this process (off: an API-only node of a group) */
  jobs: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    sqlitePath: env.OPENTILL_DB ?? './data/opentill.db',
    // on by default for the embedded database, off by default on PostgreSQL
    demo: env.OPENTILL_DEMO !== undefined ? env.OPENTILL_DEMO !== '0' : databaseUrl === undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    jobs: env.OPENTILL_JOBS !== '0',
  };
}
