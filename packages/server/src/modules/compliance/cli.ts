import { parseArgs } from 'node:util';
import type { Deps } from '../../deps';
import type { ComplianceService } from './service';
import type { ListSource } from './sanctions/formats';

const marks = { pass: 'PASS', fail: 'FAIL', needs_manual_evidence: 'MANUAL' } as const;

/**
 * `opentill compliance check [--tenant ten_…] [--json]`: runs the PCI self-check, prints it and
 * returns 1 when an item fails. `opentill sanctions import --source ofac|un --from PATH|URL`.
 */
export async function complianceCommand(
  deps: Deps,
  compliance: ComplianceService,
  argv: string[],
  print: (line: string) => void,
): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (group === 'compliance' && sub === 'check') {
    const { values } = parseArgs({
      args: rest,
      options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
    });
    const tenants = values.tenant
      ? [values.tenant]
      : (await deps.database.db.selectFrom('tenants').select('id').orderBy('id').execute()).map((t) => t.id);
    if (tenants.length === 0) {
      print('no tenant yet: run `opentill seed` or start the server first');
      return 1;
    }
    let failed = false;
    for (const tenantId of tenants) {
      const report = await compliance.pci.run(tenantId, 'on_demand');
      if (report.overall === 'fail') failed = true;
      if (values.json) {
        print(JSON.stringify(report, null, 2));
        continue;
      }
      print(`PCI DSS self-check for ${tenantId} (${report.createdAt}): ${report.overall.toUpperCase()}`);
      for (const item of report.items) {
        print(`  ${marks[item.status].padEnd(6)} ${item.requirement.padEnd(7)} ${item.title}`);
        print(`         ${item.detail}`);
        if (item.fix) print(`         fix: ${item.fix}`);
      }
    }
    return failed ? 1 : 0;
  }
  if (group === 'sanctions' && sub === 'import') {
    const { values } = parseArgs({
      args: rest,
      options: { source: { type: 'string' }, from: { type: 'string' } },
    });
    const source: ListSource | null =
      values.source === 'ofac' || values.source === 'ofac_sdn'
        ? 'ofac_sdn'
        : values.source === 'un' || values.source === 'un_consolidated'
          ? 'un_consolidated'
          : null;
    if (!source || !values.from) {
      print(
        'usage: opentill sanctions import --source ofac|un --from PATH|URL (OFAC: the folder or base URL of sdn.csv, alt.csv, add.csv)',
      );
      return 2;
    }
    const r = await compliance.sanctions.importFrom(source, values.from);
    if (!r.ok) {
      print(`import refused: ${r.error.message}`);
      return 1;
    }
    const v = r.value.version;
    print(
      r.value.unchanged
        ? `${source}: unchanged since ${v.importedAt} (${v.entryCount} entries, version ${v.id})`
        : `${source}: imported ${v.entryCount} entries as version ${v.id}${v.publishedOn ? ` (published ${v.publishedOn})` : ''}`,
    );
    return 0;
  }
  return 2;
}
