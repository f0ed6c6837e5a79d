import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { TaxClass } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Loading, useLoad, useStoreName, useSubmit, SaveCancel } from './ui';

/** 86250 ppm → "8.625" (percent), without floating point. */
export function ppmToPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10000);
  const frac = String(ppm % 10000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** "8.625" (percent) → 86250 ppm, or null. */
export function percentToPpm(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{0,4}))?$/.exec(text.trim());
  if (!m) return null;
  const ppm = Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
  return ppm <= 1_000_000 ? ppm : null;
}

interface Draft {
  id: string | null;
  code: string;
  name: string;
  rates: Record<string, string>;
}

export function TaxClasses() {
  const { t } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const storeName = useStoreName();
  const list = useLoad(() => api<{ items: TaxClass[] }>('GET', '/tax-classes'), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const submit = useSubmit();

  function edit(tc: TaxClass | null) {
    submit.setError(null);
    const rates: Record<string, string> = {};
    for (const s of stores) {
      const r = tc?.rates.find((x) => x.storeId === s.id);
      rates[s.id] = r ? ppmToPercent(r.ratePpm) : '';
    }
    setDraft({ id: tc?.id ?? null, code: tc?.code ?? '', name: tc?.name ?? '', rates });
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    if (!draft.code.trim() || !draft.name.trim()) return submit.setError(t('admin.tax.errCodeName'));
    const rates: { storeId: string; ratePpm: number }[] = [];
    for (const s of stores) {
      const text = draft.rates[s.id] ?? '';
      if (!text.trim()) continue;
      const ppm = percentToPpm(text);
      if (ppm === null) return submit.setError(t('admin.tax.errRate', { store: storeName(s) }));
      rates.push({ storeId: s.id, ratePpm: ppm });
    }
    const body = { code: draft.code.trim(), name: draft.name.trim(), rates };
    const r = await submit.run(() =>
      draft.id
        ? api<TaxClass>('PATCH', `/tax-classes/${encodeURIComponent(draft.id)}`, body)
        : api<TaxClass>('POST', '/tax-classes', body),
    );
    if (r) {
      setDraft(null);
      list.reload();
    }
  }

  return (
    <section data-testid="admin-tax-classes">
      <div className="admin-head">
        <h2>{t('admin.tax.title')}</h2>
        {canWrite ? (
          <button type="button" className="admin-primary" onClick={() => edit(null)}>
            {t('admin.tax.new')}
          </button>
        ) : null}
      </div>
      {draft ? (
        <form className="admin-form admin-panel" onSubmit={(e) => void save(e)} data-testid="admin-tax-form">
          <div className="admin-grid">
            <Field label={t('admin.tax.code')}>
              <input
                value={draft.code}
                onChange={(e) => setDraft({ ...draft, code: e.target.value })}
                data-testid="admin-tax-code"
              />
            </Field>
            <Field label={t('admin.tax.name')}>
              <input
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                data-testid="admin-tax-name"
              />
            </Field>
            {stores.map((s) => (
              <Field
                key={s.id}
                label={t('admin.tax.rateAt', { store: storeName(s) })}
                hint={t('admin.tax.rateHint')}
              >
                <input
                  inputMode="decimal"
                  value={draft.rates[s.id] ?? ''}
                  onChange={(e) => setDraft({ ...draft, rates: { ...draft.rates, [s.id]: e.target.value } })}
                  data-testid={`admin-tax-rate-${s.id}`}
                />
              </Field>
            ))}
          </div>
          <ErrorBox message={submit.error} />
          <SaveCancel busy={submit.busy} testId="admin-tax-save" onCancel={() => setDraft(null)} />
        </form>
      ) : null}
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.tax.code')}</th>
              <th>{t('admin.tax.name')}</th>
              {stores.map((s) => (
                <th key={s.id}>{storeName(s)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((tc) => (
              <tr key={tc.id} data-testid="admin-tax-row">
                <td className="admin-mono">{tc.code}</td>
                <td>{tc.name}</td>
                {stores.map((s) => {
                  const r = tc.rates.find((x) => x.storeId === s.id);
                  return <td key={s.id}>{r ? `${ppmToPercent(r.ratePpm)}%` : '—'}</td>;
                })}
                <td>
                  {canWrite ? (
                    <button type="button" onClick={() => edit(tc)}>
                      {t('admin.common.edit')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
