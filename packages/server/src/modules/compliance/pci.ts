import { open } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Deps } from '../../deps';
import { yieldToEventLoop } from '../../db/pages';
import { readSettings } from './settings';

/**
 * PCI DSS v4.0.1 self-check: what software can check about itself (the requirements marked
 * automatable in the reference). Each item is pass / fail / needs_manual_evidence with the
 * requirement number and how to fix it. Facts owned by other modules (MFA, password policy,
 * idle timeout, keys, audit chain, register versions) come through `SecurityFacts`; a fact no
 * module provides yet is reported as needing manual evidence, never as a pass.
 */
export type CheckStatus = 'pass' | 'fail' | 'needs_manual_evidence';

export interface CheckItem {
  id: string;
  requirement: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export interface PasswordPolicy {
  minLength: number;
  requiresLettersAndDigits: boolean;
  /** previous passwords that may not be reused (8.3.7: 4) */
  historyCount: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
}

/** Security facts other modules provide; any method may be missing until its module exists. */
export interface SecurityFacts {
  mfaEnrolled?(tenantId: string, staffId: string): Promise<boolean>;
  passwordPolicy?(tenantId: string): Promise<PasswordPolicy>;
  idleTimeoutMinutes?(tenantId: string): Promise<number>;
  keyAges?(tenantId: string): Promise<{ keyId: string; purpose: string; createdAt: string }[]>;
  auditChainIntact?(tenantId: string): Promise<{ intact: boolean; detail: string }>;
  registerVersions?(tenantId: string): Promise<{ registerId: string; version: string | null }[]>;
}

/** Transport facts of this process: where it listens and who terminates TLS. */
export interface TransportFacts {
  listenHost: string;
  /** `direct`: the server speaks TLS; `proxy`: a TLS terminator in front; `none` */
  tls: 'direct' | 'proxy' | 'none';
}

export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): TransportFacts {
  const tls = env.OPENTILL_TLS === 'direct' || env.OPENTILL_TLS === 'proxy' ? env.OPENTILL_TLS : 'none';
  return { listenHost: env.HOST ?? '0.0.0.0', tls };
}

/** Card brands' IIN ranges and lengths: a digit run is only a "card number" if it fits one. */
function plausiblePan(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 16 || n === 19; // Visa (13-digit cards are retired)
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n === 14; // Diners
  return false;
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return sum % 10 === 0;
}

/**
 * Where card numbers hide in text: a bare run of 13–19 digits, or the printed groupings
 * (4-4-4-4[-1..3] and Amex 4-6-5, separated by spaces or dashes). Digits joined by dashes in
 * other shapes (ids such as `ord_…-000001-12345678`) are not read as one number, nor is a digit
 * run inside a longer run of letters and digits: hex hashes and ciphertexts hold such runs by
 * chance (a 64-character SHA-256 holds a Luhn-valid 16-digit run about once in a few thousand).
 */
const panShapes = [
  /(?<![\dA-Za-z-])\d{13,19}(?![\dA-Za-z])/g,
  /(?<![\dA-Za-z-])\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?(?![\dA-Za-z])/g,
  /(?<![\dA-Za-z-])\d{4}([ -])\d{6}\1\d{5}(?![\dA-Za-z])/g,
];

/** Luhn-valid 13–19 digit numbers in a card brand's range, in the shapes above. */
export function findPans(text: string): string[] {
  const out: string[] = [];
  for (const shape of panShapes) {
    for (const m of text.matchAll(shape)) {
      const digits = m[0].replace(/[ -]/g, '');
      if (digits.length >= 13 && digits.length <= 19 && plausiblePan(digits) && luhn(digits))
        out.push(digits);
    }
  }
  return out;
}

/** First 6 / last 4: the most of a card number a report may show (3.4.1). */
export const maskPan = (d: string) => `${d.slice(0, 6)}${'•'.repeat(d.length - 10)}${d.slice(-4)}`;

/** Column names that could only hold sensitive authentication data (3.3.1). */
const maskedColumn = /(^|_)(masked|last4|hash)($|_)/i;
const sadColumn = /(^|_)(cvv2?|cvc2?|cid|track[12]?|track_data|pin_block|pinblock|pan)($|_)/i;

export function createPciCheck(deps: Deps, facts: SecurityFacts, transport: TransportFacts) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function textColumns(): Promise<{ table: string; columns: string[] }[]> {
    if (database.kind === 'sqlite') {
      const tables = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(
        db,
      );
      const out = [];
      for (const t of tables.rows) {
        const cols = await sql<{
          name: string;
          type: string;
        }>`select name, type from pragma_table_info(${t.name})`.execute(db);
        out.push({
          table: t.name,
          columns: cols.rows.filter((c) => /text|char|clob/i.test(c.type)).map((c) => c.name),
        });
      }
      return out;
    }
    const rows = await sql<{
      table_name: string;
      column_name: string;
    }>`select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type in ('text', 'character varying', 'json', 'jsonb') and table_name not like 'kysely_%'
      order by table_name, ordinal_position`.execute(db);
    const by = new Map<string, string[]>();
    for (const r of rows.rows) by.set(r.table_name, [...(by.get(r.table_name) ?? []), r.column_name]);
    return [...by.entries()].map(([table, columns]) => ({ table, columns }));
  }

  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

  /** Scans every text column of every table (all tenants: card data anywhere is a finding). */
  async function scanDatabase(): Promise<{
    findings: { table: string; column: string; masked: string }[];
    tables: number;
    sadColumns: string[];
  }> {
    const findings: { table: string; column: string; masked: string }[] = [];
    const sadColumns: string[] = [];
    const tables = await textColumns();
    for (const { table, columns } of tables) {
      // a masked number (first 6 / last 4) or a hash may be kept (PCI DSS 3.4.1, 3.5.1)
      for (const c of columns)
        if (sadColumn.test(c) && !maskedColumn.test(c)) sadColumns.push(`${table}.${c}`);
      if (columns.length === 0) continue;
      const pageSize = 2000;
      for (let offset = 0; ; offset += pageSize) {
        const rows = await sql<
          Record<string, unknown>
        >`select ${sql.raw(columns.map(q).join(', '))} from ${sql.raw(q(table))} limit ${pageSize} offset ${offset}`.execute(
          db,
        );
        for (const row of rows.rows) {
          for (const c of columns) {
            const v = row[c];
            if (v === null || v === undefined) continue;
            const text = typeof v === 'string' ? v : JSON.stringify(v);
            for (const pan of findPans(text))
              if (findings.length < 50) findings.push({ table, column: c, masked: maskPan(pan) });
          }
        }
        if (rows.rows.length < pageSize) break;
        // the daily check reads every table: let requests in between pages
        await yieldToEventLoop();
      }
    }
    return { findings, tables: tables.length, sadColumns };
  }

  async function scanLogs(
    files: string[],
  ): Promise<{ findings: { file: string; line: number; masked: string }[]; missing: string[] }> {
    const findings: { file: string; line: number; masked: string }[] = [];
    const missing: string[] = [];
    for (const file of files) {
      let handle;
      try {
        handle = await open(file, 'r');
      } catch {
        missing.push(file);
        continue;
      }
      try {
        let lineNo = 0;
        for await (const line of handle.readLines()) {
          lineNo++;
          for (const pan of findPans(line))
            if (findings.length < 50) findings.push({ file, line: lineNo, masked: maskPan(pan) });
        }
      } finally {
        await handle.close();
      }
    }
    return { findings, missing };
  }

  return {
    findPans,
    async run(tenantId: string, trigger: 'scheduled' | 'on_demand') {
      const settings = await readSettings(db, tenantId);
      const now = clock.now();
      const items: CheckItem[] = [];
      const manual = (id: string, requirement: string, title: string, what: string): CheckItem => ({
        id,
        requirement,
        title,
        status: 'needs_manual_evidence',
        detail: `No module reports ${what} yet.`,
        fix: `Attach evidence of ${what}, or enable the module that reports it.`,
      });

      const scan = await scanDatabase();
      items.push({
        id: 'pan_in_database',
        requirement: '3.5.1',
        title: 'No full card number stored in the database',
        status: scan.findings.length ? 'fail' : 'pass',
        detail: scan.findings.length
          ? `${scan.findings.length} card number(s): ${scan.findings
              .slice(0, 5)
              .map((f) => `${f.table}.${f.column} ${f.masked}`)
              .join('; ')}`
          : `${scan.tables} tables scanned, no Luhn-valid card number in any text column.`,
        fix: scan.findings.length
          ? 'Delete or truncate the values (keep first 6 / last 4 at most), find the code path that stored them, and re-run the check.'
          : null,
      });
      items.push({
        id: 'sad_columns',
        requirement: '3.3.1',
        title: 'No column for sensitive authentication data (track, CVV, PIN block)',
        status: scan.sadColumns.length ? 'fail' : 'pass',
        detail: scan.sadColumns.length
          ? `Columns: ${scan.sadColumns.join(', ')}`
          : 'No track, CVV/CVC or PIN-block columns.',
        fix: scan.sadColumns.length
          ? 'Drop these columns; such data must never be stored after authorization, even encrypted.'
          : null,
      });
      if (settings.pciLogFiles.length === 0) {
        items.push({
          id: 'pan_in_logs',
          requirement: '3.5.1',
          title: 'No full card number in log files',
          status: 'needs_manual_evidence',
          detail: 'No log files are configured for scanning.',
          fix: 'List the server and proxy log files in the compliance settings (pciLogFiles).',
        });
      } else {
        const logs = await scanLogs(settings.pciLogFiles);
        items.push({
          id: 'pan_in_logs',
          requirement: '3.5.1',
          title: 'No full card number in log files',
          status: logs.findings.length ? 'fail' : logs.missing.length ? 'needs_manual_evidence' : 'pass',
          detail: logs.findings.length
            ? `${logs.findings.length} card number(s): ${logs.findings
                .slice(0, 5)
                .map((f) => `${f.file}:${f.line} ${f.masked}`)
                .join('; ')}`
            : logs.missing.length
              ? `Could not read: ${logs.missing.join(', ')}`
              : `${settings.pciLogFiles.length} file(s) scanned, no card number.`,
          fix: logs.findings.length
            ? 'Purge or redact the lines, fix the logger that wrote them, and rotate the files.'
            : logs.missing.length
              ? 'Fix the configured paths.'
              : null,
        });
      }

      if (facts.keyAges) {
        const keys = await facts.keyAges(tenantId);
        const old = keys.filter(
          (k) => now.getTime() - Date.parse(k.createdAt) > settings.keyRotationDays * 86_400_000,
        );
        items.push({
          id: 'key_rotation',
          requirement: '3.7.4',
          title: `Encryption keys younger than their cryptoperiod (${settings.keyRotationDays} days)`,
          status: old.length ? 'fail' : 'pass',
          detail: old.length
            ? `Past rotation: ${old.map((k) => `${k.purpose} ${k.keyId} (${k.createdAt.slice(0, 10)})`).join(', ')}`
            : `${keys.length} key(s) within their cryptoperiod.`,
          fix: old.length ? 'Rotate the keys (`opentill keys rotate`) and re-wrap the data keys.' : null,
        });
      } else
        items.push(
          manual('key_rotation', '3.7.4', 'Encryption keys younger than their cryptoperiod', 'key ages'),
        );

      const staff = await db
        .selectFrom('staff')
        .select(['id', 'username', 'role', 'active', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .execute();
      const backOffice = staff.filter((s) => s.active === 1 && s.role !== 'cashier');
      if (facts.mfaEnrolled) {
        const missing: string[] = [];
        for (const s of backOffice)
          if (!(await facts.mfaEnrolled(tenantId, s.id))) missing.push(`${s.username} (${s.role})`);
        items.push({
          id: 'mfa_back_office',
          requirement: '8.4.1',
          title: 'MFA enrolled for every back-office account',
          status: missing.length ? 'fail' : 'pass',
          detail: missing.length
            ? `Without MFA: ${missing.join(', ')}`
            : `${backOffice.length} back-office account(s) enrolled.`,
          fix: missing.length
            ? 'Have each listed person enrol a TOTP app or passkey, or disable the account.'
            : null,
        });
      } else
        items.push(
          manual('mfa_back_office', '8.4.1', 'MFA enrolled for every back-office account', 'MFA enrolment'),
        );

      if (facts.passwordPolicy) {
        const p = await facts.passwordPolicy(tenantId);
        const problems = [
          p.minLength < 12 ? `minimum length ${p.minLength} (needs 12)` : null,
          !p.requiresLettersAndDigits ? 'letters and digits not required' : null,
          p.historyCount < 4 ? `last ${p.historyCount} passwords blocked (needs 4)` : null,
          p.lockoutAttempts > 10 || p.lockoutAttempts <= 0
            ? `lockout after ${p.lockoutAttempts} failures (needs ≤ 10)`
            : null,
          p.lockoutMinutes < 30 ? `lockout of ${p.lockoutMinutes} min (needs ≥ 30)` : null,
        ].filter((x): x is string => x !== null);
        items.push({
          id: 'password_policy',
          requirement: '8.3.6',
          title: 'Password policy (length, complexity, history, lockout)',
          status: problems.length ? 'fail' : 'pass',
          detail: problems.length
            ? problems.join('; ')
            : 'Length ≥ 12, letters and digits, last 4 blocked, lockout ≤ 10 tries for ≥ 30 min.',
          fix: problems.length
            ? 'Raise the password rules in the security settings (8.3.4, 8.3.6, 8.3.7).'
            : null,
        });
      } else
        items.push(
          manual(
            'password_policy',
            '8.3.6',
            'Password policy (length, complexity, history, lockout)',
            'the password policy',
          ),
        );

      if (facts.idleTimeoutMinutes) {
        const m = await facts.idleTimeoutMinutes(tenantId);
        items.push({
          id: 'idle_timeout',
          requirement: '8.2.8',
          title: 'Re-authentication after 15 minutes idle',
          status: m > 0 && m <= 15 ? 'pass' : 'fail',
          detail: `Idle timeout ${m} min.`,
          fix: m > 0 && m <= 15 ? null : 'Set the back-office idle timeout to 15 minutes or less.',
        });
      } else
        items.push(
          manual('idle_timeout', '8.2.8', 'Re-authentication after 15 minutes idle', 'the idle timeout'),
        );

      if (facts.auditChainIntact) {
        const a = await facts.auditChainIntact(tenantId);
        items.push({
          id: 'audit_chain',
          requirement: '10.3.2',
          title: 'Audit log hash chain intact',
          status: a.intact ? 'pass' : 'fail',
          detail: a.detail,
          fix: a.intact
            ? null
            : 'Investigate the break (possible tampering), restore from backup, and open an incident (12.10).',
        });
      } else
        items.push(
          manual('audit_chain', '10.3.2', 'Audit log hash chain intact', 'audit chain verification'),
        );

      const loopback = ['127.0.0.1', '::1', 'localhost'].includes(transport.listenHost);
      items.push({
        id: 'tls',
        requirement: '4.2.1',
        title: 'TLS required where not loopback',
        status: loopback || transport.tls !== 'none' ? 'pass' : 'fail',
        detail: loopback
          ? `Listening on ${transport.listenHost} (loopback only).`
          : transport.tls === 'none'
            ? `Listening on ${transport.listenHost} without TLS.`
            : `Listening on ${transport.listenHost}, TLS ${transport.tls === 'direct' ? 'in the server' : 'terminated by a proxy'}.`,
        fix:
          loopback || transport.tls !== 'none'
            ? null
            : 'Put a TLS 1.2+ terminator in front and set OPENTILL_TLS=proxy, or listen on 127.0.0.1 only (HOST).',
      });

      if (facts.registerVersions && settings.supportedRegisterVersions.length) {
        const regs = await facts.registerVersions(tenantId);
        const bad = regs.filter((r) => !r.version || !settings.supportedRegisterVersions.includes(r.version));
        items.push({
          id: 'register_versions',
          requirement: '6.3.3',
          title: 'Registers and terminals on a supported software version',
          status: bad.length ? 'fail' : 'pass',
          detail: bad.length
            ? `Unsupported: ${bad.map((r) => `${r.registerId} (${r.version ?? 'unknown'})`).join(', ')}`
            : `${regs.length} register(s) on supported versions.`,
          fix: bad.length ? 'Update the listed registers and terminals.' : null,
        });
      } else
        items.push(
          manual(
            'register_versions',
            '6.3.3',
            'Registers and terminals on a supported software version',
            'register software versions',
          ),
        );

      // 8.2.6: the last sign-in is the newest session of each account
      const sessions = await db
        .selectFrom('sessions')
        .select(['staff_id', db.fn.max('created_at').as('last')])
        .where('tenant_id', '=', tenantId)
        .groupBy('staff_id')
        .execute();
      const lastLogin = new Map(sessions.map((s) => [s.staff_id, s.last as string]));
      const cutoff = new Date(now.getTime() - 90 * 86_400_000).toISOString();
      const stale = staff.filter((s) => s.active === 1 && (lastLogin.get(s.id) ?? s.created_at) < cutoff);
      items.push({
        id: 'inactive_accounts',
        requirement: '8.2.6',
        title: 'Accounts inactive for 90 days are disabled',
        status: stale.length ? 'fail' : 'pass',
        detail: stale.length
          ? `Active but unused for 90 days: ${stale.map((s) => s.username).join(', ')}`
          : `${staff.filter((s) => s.active === 1).length} active account(s), all used within 90 days.`,
        fix: stale.length
          ? 'Disable the listed accounts in Staff (or have them sign in if still needed).'
          : null,
      });

      const retention = await db
        .selectFrom('retention_rules')
        .select('data_kind')
        .where('tenant_id', '=', tenantId)
        .execute();
      items.push({
        id: 'retention',
        requirement: '3.2.1',
        title: 'Retention periods set and enforced by a job',
        status: retention.length ? 'pass' : 'fail',
        detail: retention.length
          ? `Rules for: ${retention.map((r) => r.data_kind).join(', ')}.`
          : 'No retention rules.',
        fix: retention.length
          ? null
          : 'Set retention periods in Compliance → Privacy (the daily job enforces them).',
      });

      const overall: CheckStatus = items.some((i) => i.status === 'fail')
        ? 'fail'
        : items.some((i) => i.status === 'needs_manual_evidence')
          ? 'needs_manual_evidence'
          : 'pass';
      const id = ids.newId('pci');
      const createdAt = now.toISOString();
      await db
        .insertInto('pci_reports')
        .values({
          id,
          tenant_id: tenantId,
          trigger,
          overall,
          items: JSON.stringify(items),
          created_at: createdAt,
        })
        .execute();
      return { id, tenantId, trigger, overall, items, createdAt };
    },

    async history(tenantId: string, limit = 30) {
      const rows = await db
        .selectFrom('pci_reports')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        trigger: r.trigger,
        overall: r.overall,
        createdAt: r.created_at,
        items: JSON.parse(r.items) as CheckItem[],
      }));
    },
  };
}

export type PciCheck = ReturnType<typeof createPciCheck>;
