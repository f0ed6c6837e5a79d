import { currencyInfo } from '@opentill/core';
import type { Deps } from '../../deps';
import type { Result } from '../../http/errors';
import type { CaseDetail, CasesService } from './cases';

/**
 * The report of a case, shaped like a large-transaction report (US Form 8300 / CTR, China
 * 大额交易报告) when a large-cash alert is in it, else like a suspicious-transaction report
 * (SAR / 可疑交易报告): reporting entity, subject, transactions, alerts, narrative, decisions.
 * JSON for systems, HTML for printing and filing by hand.
 */
export interface CaseReport {
  reportType: 'large_transaction' | 'suspicious_transaction';
  generatedAt: string;
  reportingEntity: { tenant: string; store: string | null; address: string | null; country: string | null };
  case: {
    id: string;
    state: string;
    stateReason: string | null;
    severity: string;
    subject: string;
    title: string;
    openedAt: string;
    assigneeId: string | null;
  };
  filing: { form: string; deadline: string };
  transactions: {
    at: string;
    kind: string;
    ref: string;
    orderId: string;
    amount: number;
    cash: number;
    currency: string;
    storeId: string;
    registerId: string | null;
    staffId: string | null;
  }[];
  alerts: CaseDetail['alerts'];
  narrative: CaseDetail['notes'];
  evidence: CaseDetail['evidence'];
  decisions: CaseDetail['history'];
  totals: { amount: number; cash: number; currency: string | null };
}

export function createReportService(deps: Deps, cases: CasesService) {
  const db = deps.database.db;
  return {
    async build(tenantId: string, caseId: string): Promise<Result<CaseReport>> {
      const d = await cases.detail(tenantId, caseId);
      if (!d.ok) return d;
      const c = d.value;
      const tenant = await db
        .selectFrom('tenants')
        .select('name')
        .where('id', '=', tenantId)
        .executeTakeFirst();
      const store = c.storeId
        ? await db
            .selectFrom('stores')
            .select(['name', 'address', 'country'])
            .where('tenant_id', '=', tenantId)
            .where('id', '=', c.storeId)
            .executeTakeFirst()
        : undefined;
      const factIds = [...new Set(c.alerts.flatMap((a) => a.factIds))];
      const facts = factIds.length
        ? await db
            .selectFrom('aml_facts')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', factIds)
            .orderBy('occurred_at')
            .execute()
        : [];
      const large = c.alerts.some((a) => a.ruleKind === 'large_cash');
      const cn = store?.country === 'CN' || c.currency === 'CNY';
      const form = large
        ? cn
          ? '大额交易报告 (PBOC Order [2016] No. 3)'
          : 'IRS/FinCEN Form 8300'
        : cn
          ? '可疑交易报告'
          : 'Suspicious activity report';
      const deadline = large
        ? cn
          ? 'within 5 working days of the transaction'
          : 'within 15 days of the transaction'
        : cn
          ? 'within 5 working days of confirming suspicion'
          : 'per your regulator (30 days for FinCEN SARs)';
      return {
        ok: true,
        value: {
          reportType: large ? 'large_transaction' : 'suspicious_transaction',
          generatedAt: deps.clock.now().toISOString(),
          reportingEntity: {
            tenant: tenant?.name ?? tenantId,
            store: store?.name ?? null,
            address: store?.address ?? null,
            country: store?.country ?? null,
          },
          case: {
            id: c.id,
            state: c.state,
            stateReason: c.stateReason,
            severity: c.severity,
            subject: c.subject,
            title: c.title,
            openedAt: c.createdAt,
            assigneeId: c.assigneeId,
          },
          filing: { form, deadline },
          transactions: facts.map((f) => ({
            at: f.occurred_at,
            kind: f.kind,
            ref: f.ref_id,
            orderId: f.order_id,
            amount: f.total,
            cash: f.cash,
            currency: f.currency,
            storeId: f.store_id,
            registerId: f.register_id,
            staffId: f.staff_id,
          })),
          alerts: c.alerts,
          narrative: c.notes,
          evidence: c.evidence,
          decisions: c.history,
          totals: {
            amount: facts.reduce((s, f) => s + f.total, 0),
            cash: facts.reduce((s, f) => s + f.cash, 0),
            currency: c.currency,
          },
        },
      };
    },
  };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

export function formatMinor(amount: number, currency: string | null): string {
  if (!currency) return String(amount);
  const exp = currencyInfo(currency)?.exponent ?? 2;
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const major = Math.floor(abs / 10 ** exp).toLocaleString('en-US');
  const minor = exp ? `.${String(abs % 10 ** exp).padStart(exp, '0')}` : '';
  return `${sign}${currency} ${major}${minor}`;
}

/** A printable HTML page of the report (no scripts, no external resources). */
export function reportHtml(r: CaseReport): string {
  const title =
    r.reportType === 'large_transaction'
      ? 'Large transaction report · 大额交易报告'
      : 'Suspicious transaction report · 可疑交易报告';
  const rows = (cells: unknown[][]) =>
    cells.map((c) => `<tr>${c.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} ${esc(r.case.id)}</title>
<style>
body{font:12px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#111}
h1{font-size:18px}h2{font-size:14px;border-bottom:1px solid #999;margin-top:20px}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:180px 1fr;gap:2px 12px}dt{font-weight:600}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<h1>${esc(title)}</h1>
<dl>
<dt>Case · 案件</dt><dd>${esc(r.case.id)} (${esc(r.case.state)}${r.case.stateReason ? `: ${esc(r.case.stateReason)}` : ''})</dd>
<dt>Form · 报告类型</dt><dd>${esc(r.filing.form)}, ${esc(r.filing.deadline)}</dd>
<dt>Reporting entity · 报告机构</dt><dd>${esc(r.reportingEntity.tenant)}${r.reportingEntity.store ? `, ${esc(r.reportingEntity.store)}` : ''}${r.reportingEntity.address ? `, ${esc(r.reportingEntity.address)}` : ''}${r.reportingEntity.country ? ` (${esc(r.reportingEntity.country)})` : ''}</dd>
<dt>Subject · 主体</dt><dd>${esc(r.case.subject)}</dd>
<dt>Severity · 风险等级</dt><dd>${esc(r.case.severity)}</dd>
<dt>Total · 合计</dt><dd>${esc(formatMinor(r.totals.amount, r.totals.currency))} (cash · 现金 ${esc(formatMinor(r.totals.cash, r.totals.currency))})</dd>
<dt>Generated · 生成时间</dt><dd>${esc(r.generatedAt)}</dd>
</dl>
<h2>Transactions · 交易</h2>
<table><thead><tr><th>Time (UTC)</th><th>Kind</th><th>Reference</th><th>Amount</th><th>Cash</th><th>Store</th><th>Register</th><th>Staff</th></tr></thead>
<tbody>${rows(r.transactions.map((t) => [t.at, t.kind, t.ref, formatMinor(t.amount, t.currency), formatMinor(t.cash, t.currency), t.storeId, t.registerId, t.staffId]))}</tbody></table>
<h2>Alerts · 预警</h2>
<table><thead><tr><th>Time</th><th>Rule</th><th>Severity</th><th>Amount</th><th>Summary</th></tr></thead>
<tbody>${rows(r.alerts.map((a) => [a.occurredAt, a.ruleId, a.severity, formatMinor(a.amount, a.currency), a.summary]))}</tbody></table>
<h2>Narrative · 说明</h2>
${r.narrative.length ? r.narrative.map((n) => `<p><b>${esc(n.createdAt)}</b> ${esc(n.staffId)}: ${esc(n.body)}</p>`).join('') : '<p>—</p>'}
<h2>Evidence · 证据</h2>
<table><tbody>${rows(r.evidence.map((e) => [e.kind, e.refId, e.note, e.createdAt]))}</tbody></table>
<h2>Decisions · 处理记录</h2>
<table><tbody>${rows(r.decisions.map((h) => [h.at, h.action, h.staffId, JSON.stringify(h.data)]))}</tbody></table>
</body></html>`;
}
