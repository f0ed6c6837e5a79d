import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, type TestApp } from '../../../test/harness';
import { complianceCommand } from './cli';
import { createComplianceService } from './service';

describe.each(engines)('compliance CLI (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });
  const run = async (args: string[], transport: { listenHost: string; tls: 'none' | 'proxy' }) => {
    const lines: string[] = [];
    const code = await complianceCommand(t.deps, createComplianceService(t.deps, { transport }), args, (l) =>
      lines.push(l),
    );
    return { code, out: lines.join('\n') };
  };

  it('prints the PCI check and exits 1 while an item fails, 0 once none does', async () => {
    const failing = await run(['compliance', 'check', '--tenant', t.seed.tenantId], {
      listenHost: '0.0.0.0',
      tls: 'none',
    });
    expect(failing.code).toBe(1);
    expect(failing.out).toContain('FAIL   4.2.1');
    expect(failing.out).toContain('fix: Put a TLS 1.2+ terminator');
    // fix what fails: TLS in front, retention rules set
    await t.deps.database.db
      .insertInto('retention_rules')
      .values({
        tenant_id: t.seed.tenantId,
        data_kind: 'sessions',
        keep_days: 30,
        updated_at: new Date().toISOString(),
      })
      .execute();
    const fixed = await run(['compliance', 'check', '--tenant', t.seed.tenantId, '--json'], {
      listenHost: '0.0.0.0',
      tls: 'proxy',
    });
    const report = JSON.parse(fixed.out) as { overall: string; items: { status: string }[] };
    expect(report.items.some((i) => i.status === 'fail')).toBe(false);
    expect(report.overall).toBe('needs_manual_evidence');
    expect(fixed.code).toBe(0);
  });

  it('imports list versions from files and skips an unchanged re-import', async () => {
    const dir = fileURLToPath(new URL('./sanctions/fixtures', import.meta.url));
    const first = await run(['sanctions', 'import', '--source', 'ofac', '--from', dir], {
      listenHost: '127.0.0.1',
      tls: 'none',
    });
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/imported 5 entries as version sl_/);
    const again = await run(['sanctions', 'import', '--source', 'ofac', '--from', dir], {
      listenHost: '127.0.0.1',
      tls: 'none',
    });
    expect(again.out).toContain('unchanged since');
    const missing = await run(['sanctions', 'import', '--source', 'un', '--from', `${dir}/nope.xml`], {
      listenHost: '127.0.0.1',
      tls: 'none',
    });
    expect(missing.code).toBe(1);
    expect(
      (await run(['sanctions', 'import', '--source', 'x'], { listenHost: '127.0.0.1', tls: 'none' })).code,
    ).toBe(2);
  });
});
