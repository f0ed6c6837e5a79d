import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { readConfig, type Config } from './config';
import { migrate, openDatabase } from './db/database';
import type { Deps } from './deps';
import { systemClock, systemIds } from './lib/ids';
import { buildApp, createServices } from './app';
import { defaultPaymentsSetup } from './modules/payments/setup';
import { DEMO_PASSWORD, seedDemo, type SeedResult } from './seed/seed';
import { generateHistory } from './seed/generate';
import { generateProducts } from './seed/products';
import { masterKeyFromEnv } from './modules/keys/key-provider';
import { logRedact, logSerializers } from './http/log-redaction';
import { createKeyring, type Keyring } from './modules/keys/keyring';
import { encryptStaffNames } from './modules/keys/staff-names';
import { createApprovalSigner } from './modules/approvals/signing';
import { wrapAuthKeys } from './modules/auth/keys';
import { sealAudit, startAuditSealer, verifyAudit } from './modules/audit/chain';
import { startComplianceJobs } from './modules/compliance/service';
import { complianceCommand } from './modules/compliance/cli';
import { PAYMENTS_USAGE, runPaymentsCommand, type CliIo } from '@opentill/payments/cli';
import { runInsightsCli } from './modules/insights/cli';
import { startInsightsJobs } from './modules/insights/jobs';

const usage = `Usage: opentill <command>

  serve                      start the server (PORT, OPENTILL_DB or DATABASE_URL, OPENTILL_DEMO)
  migrate                    apply database migrations
  seed                       seed the demo tenant (two stores, catalog, staff)
  user create --username U --password P --role owner|manager|cashier|auditor [--name N] [--pin 1234] [--tenant ten_…]
  gen --orders N [--days 30] generate realistic sales history for the first tenant
  gen --products N           add N demo-like products (one variant, barcode, prices) for speed checks
  keys rotate [--master] [--tenant-keys] [--tenant ten_…]
                             new master key and/or tenant data keys (default: both), re-wrapping
                             the keys below them; stored ciphertext stays readable
  keys list [--tenant ten_…] key ids with created_at, age and rotation period
  audit verify [--tenant ten_…]
                             seal pending entries, check each tenant's hash chain (exit 1 if broken)
  loyalty-expire             write the expiry of loyalty points past their date, every tenant (run daily)
  insights rules --input <csv of transaction_id,item> [--support 0.01] [--confidence 0.5] [--max-length K]
                             association rules as CSV: lhs,rhs,support,confidence,lift,count
  insights forecast --input <csv with a value column> [--frequency F] [--seasonal additive|multiplicative|none]
                    [--horizon H] [--alpha A] [--beta B|false] [--gamma G]
                             Holt-Winters forecasts as JSON (missing parameters are optimised)
  insights refresh [--full]  run the insights jobs now: dashboard rollups, association rules, RFM segments
  compliance check [--tenant ten_…] [--json]   PCI DSS self-check; exits 1 when an item fails
  sanctions import --source ofac|un --from PATH|URL   import a sanctions list version
${PAYMENTS_USAGE}
  Master key: OPENTILL_MASTER_KEY (base64, 32 bytes; several comma-separated, newest last) or
  OPENTILL_MASTER_KEY_FILE; with the embedded database and neither set, data/master.key is made
  (mode 0600) on first start.
`;

const stdio: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdin: async () => {
    if (process.stdin.isTTY) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

async function open(config: Config): Promise<Deps & { keyring: Keyring }> {
  const log = pino({ level: config.logLevel, serializers: logSerializers, redact: logRedact });
  // only the embedded database may make its own master key; API nodes on PostgreSQL must share one
  const master = masterKeyFromEnv(process.env, {
    generateAt: config.databaseUrl ? undefined : join(dirname(config.sqlitePath), 'master.key'),
  });
  if (master.generated) {
    console.log(
      `  A new master key was written to ${master.description} (mode 0600). Back it up apart from the database:\n` +
        '  without it the encrypted personal data cannot be read.',
    );
  }
  const database = await openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
  await migrate(database);
  const keyring = createKeyring(database, master.provider, systemClock);
  // data steps of the migrations that need the keyring: staff names, approval signing keys and
  // identity keys written in clear by earlier versions are encrypted (all idempotent)
  await encryptStaffNames(database, keyring);
  await createApprovalSigner(database, keyring, systemClock).sealLegacyKeys();
  await wrapAuthKeys(database.db, keyring);
  return { database, clock: systemClock, ids: systemIds(systemClock), log, cipher: keyring, keyring };
}

async function firstTenant(deps: Deps): Promise<string | undefined> {
  const row = await deps.database.db.selectFrom('tenants').select('id').orderBy('id').executeTakeFirst();
  return row?.id;
}

function printDemo(seeded: boolean, port: number, devices: SeedResult['devices'] = []) {
  const banner = [
    '',
    seeded ? '  OpenTill demo tenant created.' : '  OpenTill demo tenant is ready.',
    `  Open http://localhost:${port}/docs for the API, POST /api/v1/auth/login to sign in.`,
    `  Staff (password ${DEMO_PASSWORD}): owner, manager, cashier (register PIN 1234), auditor`,
    ...(devices.length
      ? [
          '  Demo devices, each with a pairing code valid 7 days (Back office → Devices makes new ones):',
          ...devices.map((d) => `    ${d.kind.padEnd(17)} ${d.code}  (register ${d.registerId})`),
        ]
      : []),
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
      let seeded: SeedResult | null = null;
      if (config.demo && !(await firstTenant(deps))) seeded = await seedDemo(deps);
      const payments = defaultPaymentsSetup();
      const services = createServices(deps, payments);
      const app = await buildApp(deps, { logger: true, payments, services });
      await app.listen({ port: config.port, host: config.host });
      // background work (OPENTILL_JOBS=0 makes an API-only node; one node of a group runs them):
      // the audit sealer, outbox consumers and scheduled compliance work (AML, list re-import,
      // PCI check, retention), and the insights rollups, rules and segments
      const background = config.jobs
        ? {
            stopSealer: startAuditSealer(deps.database, deps.clock, deps.log),
            jobs: startComplianceJobs(deps, services.compliance),
            stopInsights: startInsightsJobs(deps, services.insights),
          }
        : null;
      const engine = deps.database.kind === 'sqlite' ? `SQLite ${config.sqlitePath}` : 'PostgreSQL';
      console.log(`OpenTill listening on http://localhost:${config.port} (${engine})`);
      if (config.demo) printDemo(seeded !== null, config.port, seeded?.devices);
      const stop = async () => {
        background?.stopInsights();
        await app.close();
        await background?.stopSealer();
        await background?.jobs.stop();
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
      printDemo(true, config.port, result.devices);
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
    case 'keys': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          master: { type: 'boolean' },
          'tenant-keys': { type: 'boolean' },
          tenant: { type: 'string' },
        },
      });
      if (positionals[0] !== 'rotate' && positionals[0] !== 'list') {
        console.error(usage);
        return 2;
      }
      const deps = await open(config);
      try {
        if (positionals[0] === 'list') {
          console.table(await deps.keyring.listKeys(values.tenant));
          return 0;
        }
        const both = !values.master && !values['tenant-keys'];
        const report = await deps.keyring.rotate({
          master: both || values.master === true,
          tenantKeys: both || values['tenant-keys'] === true,
          ...(values.tenant ? { tenantId: values.tenant } : {}),
        });
        // approval signing keys rotate with the tenant keys; the retired ones keep verifying
        const signing =
          both || values['tenant-keys'] === true
            ? await createApprovalSigner(deps.database, deps.keyring, systemClock).rotate(values.tenant)
            : 0;
        console.log(
          `master key ${report.masterKeyId}${report.masterRotated ? ' (new)' : ''}; ` +
            `${report.tenantKeysCreated} new tenant data keys, ${report.subjectKeysRewrapped} subject keys re-wrapped, ` +
            `${report.tenantKeysRewrapped} tenant keys re-wrapped under the master key, ` +
            `${signing} approval signing keys rotated`,
        );
        return 0;
      } finally {
        await deps.database.close();
      }
    }
    case 'audit': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { tenant: { type: 'string' } },
      });
      if (positionals[0] !== 'verify') {
        console.error(usage);
        return 2;
      }
      const deps = await open(config);
      try {
        const tenants = values.tenant
          ? [values.tenant]
          : (await deps.database.db.selectFrom('tenants').select('id').orderBy('id').execute()).map(
              (t) => t.id,
            );
        let broken = 0;
        for (const tenantId of tenants) {
          await sealAudit(deps.database, deps.clock, tenantId);
          const r = await verifyAudit(deps.database, tenantId);
          if (r.ok) {
            console.log(`${tenantId}: ok, ${r.entries} entries, head ${r.head?.hash ?? '(empty)'}`);
          } else {
            broken += 1;
            const b = r.firstBroken;
            console.log(`${tenantId}: BROKEN at entry ${b?.seq}${b?.id ? ` (${b.id})` : ''}: ${b?.reason}`);
          }
        }
        return broken > 0 ? 1 : 0;
      } finally {
        await deps.database.close();
      }
    }
    case 'compliance':
    case 'sanctions': {
      const deps = await open(config);
      try {
        const code = await complianceCommand(deps, createServices(deps).compliance, argv, (l) =>
          console.log(l),
        );
        if (code === 2) console.error(usage);
        return code;
      } finally {
        await deps.database.close();
      }
    }
    case 'qr':
    case 'iso8583':
    case 'acquirer-sandbox':
      return (await runPaymentsCommand(command, rest, stdio)) ?? 2;
    case 'loyalty-expire': {
      const deps = await open(config);
      const { loyalty } = createServices(deps);
      const tenants = await deps.database.db.selectFrom('tenants').select('id').execute();
      let points = 0;
      let customers = 0;
      for (const { id } of tenants) {
        const r = await loyalty.expire(id);
        points += r.points;
        customers += r.customers;
      }
      await deps.database.close();
      console.log(`expired ${points} points of ${customers} customers in ${tenants.length} tenants`);
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
