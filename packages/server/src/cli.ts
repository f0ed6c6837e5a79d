import { parseArgs } from 'node:util';
import pino from 'pino';
import { readConfig, type Config } from './config';
import { migrate, openDatabase } from './db/database';
import type { Deps } from './deps';
import { systemClock, systemIds } from './lib/ids';
import { buildApp, createServices } from './app';
import { DEMO_PASSWORD, seedDemo } from './seed/seed';
import { generateHistory } from './seed/generate';
import { generateProducts } from './seed/products';
import { runInsightsCli } from './modules/insights/cli';
import { startInsightsJobs } from './modules/insights/jobs';

const usage = `Usage: opentill <command>

  serve                      start the server (PORT, OPENTILL_DB or DATABASE_URL, OPENTILL_DEMO)
  migrate                    apply database migrations
  seed                       seed the demo tenant (two stores, catalog, staff)
  user create --username U --password P --role owner|manager|cashier|auditor [--name N] [--pin 1234] [--tenant ten_…]
  gen --orders N [--days 30] generate realistic sales history for the first tenant
  gen --products N           add N demo-like products (one variant, barcode, prices) for speed checks
  insights rules --input <csv of transaction_id,item> [--support 0.01] [--confidence 0.5] [--max-length K]
                             association rules as CSV: lhs,rhs,support,confidence,lift,count
  insights forecast --input <csv with a value column> [--frequency F] [--seasonal additive|multiplicative|none]
                    [--horizon H] [--alpha A] [--beta B|false] [--gamma G]
                             Holt-Winters forecasts as JSON (missing parameters are optimised)
  insights refresh [--full]  run the insights jobs now: dashboard rollups, association rules, RFM segments
`;

async function open(config: Config) {
  const log = pino({ level: config.logLevel });
  const database = await openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
  await migrate(database);
  const deps: Deps = { database, clock: systemClock, ids: systemIds(systemClock), log };
  return deps;
}

async function firstTenant(deps: Deps): Promise<string | undefined> {
  const row = await deps.database.db.selectFrom('tenants').select('id').orderBy('id').executeTakeFirst();
  return row?.id;
}

function printDemo(seeded: boolean, port: number) {
  const banner = [
    '',
    seeded ? '  OpenTill demo tenant created.' : '  OpenTill demo tenant is ready.',
    `  Open http://localhost:${port}/docs for the API, POST /api/v1/auth/login to sign in.`,
    `  Staff (password ${DEMO_PASSWORD}): owner, manager, cashier (register PIN 1234), auditor`,
    '',
  ];
  console.log(banner.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = readConfig();
  switch (command) {
    case 'serve': {
      const deps = await open(config);
      let seeded = false;
      if (config.demo && !(await firstTenant(deps))) {
        await seedDemo(deps);
        seeded = true;
      }
      const app = await buildApp(deps, { logger: true });
      await app.listen({ port: config.port, host: config.host });
      const stopInsights = startInsightsJobs(deps, createServices(deps).insights);
      const engine = deps.database.kind === 'sqlite' ? `SQLite ${config.sqlitePath}` : 'PostgreSQL';
      console.log(`OpenTill listening on http://localhost:${config.port} (${engine})`);
      if (config.demo) printDemo(seeded, config.port);
      const stop = async () => {
        stopInsights();
        await app.close();
        await deps.database.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return -1; // keep running
    }
    case 'migrate': {
      const deps = await open(config);
      await deps.database.close();
      console.log('migrations applied');
      return 0;
    }
    case 'seed': {
      const deps = await open(config);
      const result = await seedDemo(deps);
      await deps.database.close();
      console.log(`demo tenant ${result.tenantId} seeded`);
      printDemo(true, config.port);
      return 0;
    }
    case 'user': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          username: { type: 'string' },
          password: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          pin: { type: 'string' },
          tenant: { type: 'string' },
        },
      });
      if (positionals[0] !== 'create' || !values.username || !values.password || !values.role) {
        console.error(usage);
        return 2;
      }
      const role = values.role;
      if (role !== 'owner' && role !== 'manager' && role !== 'cashier' && role !== 'auditor') {
        console.error(`unknown role ${role}`);
        return 2;
      }
      const deps = await open(config);
      const tenantId = values.tenant ?? (await firstTenant(deps));
      if (!tenantId) {
        console.error('no tenant yet: run `opentill seed` or start the server first');
        return 1;
      }
      const services = createServices(deps);
      const created = await services.auth.createStaff(tenantId, {
        username: values.username,
        displayName: values.name ?? values.username,
        role,
        password: values.password,
        pin: values.pin,
      });
      await deps.database.close();
      if (!created.ok) {
        console.error(created.error.message);
        return 1;
      }
      console.log(`created ${created.value.role} ${created.value.username} (${created.value.id})`);
      return 0;
    }
    case 'gen': {
      const { values } = parseArgs({
        args: rest,
        options: { orders: { type: 'string' }, days: { type: 'string' }, products: { type: 'string' } },
      });
      if (values.products !== undefined) {
        const count = Number(values.products);
        if (!Number.isInteger(count) || count < 1) {
          console.error(usage);
          return 2;
        }
        const deps = await open(config);
        const tenantId = (await firstTenant(deps)) ?? (await seedDemo(deps)).tenantId;
        const started = Date.now();
        await generateProducts(deps, tenantId, count);
        await deps.database.close();
        console.log(`added ${count} products in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return 0;
      }
      const orders = Number(values.orders ?? 1000);
      const days = Number(values.days ?? 30);
      if (!Number.isInteger(orders) || orders < 1 || !Number.isInteger(days) || days < 1) {
        console.error(usage);
        return 2;
      }
      const deps = await open(config);
      let tenantId = await firstTenant(deps);
      if (!tenantId) tenantId = (await seedDemo(deps)).tenantId;
      const started = Date.now();
      const made = await generateHistory(deps, tenantId, { orders, days });
      // The history is back-dated, so the dashboards' rollups are rebuilt in full once.
      const rolled = await createServices(deps).insights.refresh(tenantId, { full: true });
      await deps.database.close();
      console.log(
        `generated ${made} orders over ${days} days in ${((Date.now() - started) / 1000).toFixed(1)} s` +
          (rolled.ok ? ` (${rolled.value.days} store-days rolled up)` : ''),
      );
      return 0;
    }
    case 'insights': {
      if (rest[0] === 'refresh') {
        // The scheduled jobs, once, for every tenant: rollups, rules, RFM segments.
        const deps = await open(config);
        const insights = createServices(deps).insights;
        const full = rest.includes('--full');
        for (const t of await deps.database.db.selectFrom('tenants').select('id').execute()) {
          const r = await insights.refresh(t.id, { full });
          const m = await insights.mineRules(t.id, { days: 90, minSupport: 0.002, minConfidence: 0.1 });
          const s = await insights.refreshRfm(t.id);
          console.log(
            `${t.id}: ${r.ok ? r.value.days : 0} store-days rolled up, ${m.ok ? m.value.rules : 0} rules, ${s.ok ? s.value.customers : 0} customers scored`,
          );
        }
        await deps.database.close();
        return 0;
      }
      return runInsightsCli(rest, usage);
    }
    default:
      console.log(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

const code = await main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  return 1;
});
if (code >= 0) process.exit(code);
