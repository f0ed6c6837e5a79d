import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { adjustReasons } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Notice, StoreSelect, useEnumLabel, useItemName, useSubmit } from './ui';
import { VariantPicker, type PickedVariant } from './variant-picker';

export type StockMode = 'receive' | 'adjust' | 'count' | 'transfer';

export interface StockLine extends PickedVariant {
  qty: string;
}

interface CountAnswer {
  lines: { variantId: string; previous: number; counted: number; difference: number }[];
}

/** Parses a quantity with at most three decimals; signed only when `signed`. */
function parseQty(text: string, signed: boolean): number | null {
  const re = signed ? /^-?\d+(\.\d{1,3})?$/ : /^\d+(\.\d{1,3})?$/;
  return re.test(text.trim()) ? Number(text.trim()) : null;
}

/** Receive, adjust (with a reason), count or transfer the listed lines in one store. */
export function StockForm({
  mode,
  storeId,
  lines,
  setLines,
  onDone,
  onClose,
}: {
  mode: StockMode;
  storeId: string;
  lines: StockLine[];
  setLines: (lines: StockLine[]) => void;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const itemName = useItemName();
  const label = useEnumLabel();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [reference, setReference] = useState('');
  const [toStore, setToStore] = useState(() => stores.find((s) => s.id !== storeId)?.id ?? '');
  const [done, setDone] = useState<string | null>(null);
  const [counted, setCounted] = useState<(CountAnswer['lines'][number] & { sku: string })[] | null>(null);
  const submit = useSubmit();

  function add(v: PickedVariant) {
    if (lines.some((l) => l.variantId === v.variantId)) return;
    setLines([...lines, { ...v, qty: '' }]);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setCounted(null);
    if (lines.length === 0) return submit.setError(t('admin.stock.errNoLines'));
    const out: { variantId: string; quantity?: number; counted?: number }[] = [];
    for (const l of lines) {
      const q = parseQty(l.qty, mode === 'adjust');
      if (q === null || (mode !== 'count' && q === 0))
        return submit.setError(t('admin.stock.errQty', { sku: l.sku }));
      out.push(
        mode === 'count' ? { variantId: l.variantId, counted: q } : { variantId: l.variantId, quantity: q },
      );
    }
    if (mode === 'adjust' && !reason) return submit.setError(t('admin.stock.errReason'));
    if (mode === 'adjust' && reason === 'other' && !note.trim())
      return submit.setError(t('admin.stock.errNote'));
    if (mode === 'transfer' && (!toStore || toStore === storeId))
      return submit.setError(t('admin.stock.errToStore'));
    const call =
      mode === 'receive'
        ? () => api('POST', '/stock/receive', { storeId, lines: out, reference: reference.trim() || null })
        : mode === 'adjust'
          ? () => api('POST', '/stock/adjust', { storeId, lines: out, reason, note: note.trim() || null })
          : mode === 'count'
            ? () => api<CountAnswer>('POST', '/stock/counts', { storeId, lines: out })
            : () => api('POST', '/stock/transfers', { fromStoreId: storeId, toStoreId: toStore, lines: out });
    const r = await submit.run(call);
    if (r === null) return;
    if (mode === 'count') {
      const skuOf = new Map(lines.map((l) => [l.variantId, l.sku]));
      setCounted((r as CountAnswer).lines.map((c) => ({ ...c, sku: skuOf.get(c.variantId) ?? c.variantId })));
    }
    setDone(t('admin.stock.done'));
    setLines([]);
    onDone();
  }

  return (
    <form className="admin-form admin-panel" onSubmit={(e) => void save(e)} data-testid="admin-stock-form">
      <div className="admin-head">
        <h3>{t(`admin.stock.${mode}`)}</h3>
        <button type="button" onClick={onClose}>
          {t('admin.common.close')}
        </button>
      </div>
      <p className="admin-muted">{t(`admin.stock.${mode}Help`)}</p>
      <VariantPicker onPick={add} />
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t('admin.products.sku')}</th>
            <th>{t('admin.products.name')}</th>
            <th>{mode === 'count' ? t('admin.stock.counted') : t('admin.stock.quantity')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={l.variantId}>
              <td className="admin-mono">{l.sku}</td>
              <td>{itemName(l)}</td>
              <td>
                <input
                  inputMode="decimal"
                  className="admin-qty"
                  value={l.qty}
                  onChange={(e) =>
                    setLines(lines.map((x, j) => (j === i ? { ...x, qty: e.target.value } : x)))
                  }
                  data-testid="admin-stock-line-qty"
                />{' '}
                {label('units', l.unit)}
              </td>
              <td>
                <button type="button" onClick={() => setLines(lines.filter((_, j) => j !== i))}>
                  {t('admin.common.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="admin-grid">
        {mode === 'receive' ? (
          <Field label={t('admin.stock.reference')}>
            <input
              value={reference}
              onChange={(e) => setReference(e.target.value)}
              data-testid="admin-stock-reference"
            />
          </Field>
        ) : null}
        {mode === 'adjust' ? (
          <>
            <Field label={t('admin.stock.reason')}>
              <select
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                data-testid="admin-stock-reason"
              >
                <option value="">—</option>
                {adjustReasons.map((r) => (
                  <option key={r} value={r}>
                    {t(`admin.stock.reasons.${r}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('admin.stock.note')}>
              <input value={note} onChange={(e) => setNote(e.target.value)} data-testid="admin-stock-note" />
            </Field>
          </>
        ) : null}
        {mode === 'transfer' ? (
          <Field label={t('admin.stock.toStore')}>
            <StoreSelect value={toStore} onChange={setToStore} testId="admin-stock-to-store" />
          </Field>
        ) : null}
      </div>
      <ErrorBox message={submit.error} />
      <Notice message={done} />
      {counted ? (
        <table className="admin-table" data-testid="admin-stock-count-result">
          <thead>
            <tr>
              <th>{t('admin.products.sku')}</th>
              <th>{t('admin.stock.previous')}</th>
              <th>{t('admin.stock.counted')}</th>
              <th>{t('admin.stock.difference')}</th>
            </tr>
          </thead>
          <tbody>
            {counted.map((c) => (
              <tr key={c.variantId}>
                <td className="admin-mono">{c.sku}</td>
                <td>{c.previous}</td>
                <td>{c.counted}</td>
                <td>{c.difference}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="admin-actions">
        <button
          type="submit"
          className="admin-primary"
          disabled={submit.busy}
          data-testid="admin-stock-submit"
        >
          {t(`admin.stock.${mode}Submit`)}
        </button>
      </div>
    </form>
  );
}
