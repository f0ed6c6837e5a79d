import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type ApiResult } from '../api/client';
import { qs, type ProductPage, type StockLevel } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Loading, Pager, StoreSelect, useEnumLabel, useItemName, useLoad, ListTable } from './ui';
import { StockForm, type StockLine, type StockMode } from './stock-form';

const PAGE = 50;
const modes: StockMode[] = ['receive', 'adjust', 'count', 'transfer'];

interface LevelPage {
  items: StockLevel[];
  total?: number;
  hasMore: boolean;
}

/** Levels matching a catalog search: products?q= then the level of each variant in the store. */
async function searchLevels(storeId: string, q: string): Promise<ApiResult<LevelPage>> {
  const found = await api<ProductPage>('GET', `/products${qs({ q, limit: 25 })}`);
  if (!found.ok) return found;
  const variants = found.value.items.flatMap((p) => p.variants.map((v) => ({ p, v })));
  const levels = await Promise.all(
    variants.map(({ v }) => api<{ items: StockLevel[] }>('GET', `/stock${qs({ storeId, variantId: v.id })}`)),
  );
  const items = variants.map(({ p, v }, i): StockLevel => {
    const r = levels[i];
    const level = r?.ok ? r.value.items[0] : undefined;
    return (
      level ?? {
        storeId,
        variantId: v.id,
        sku: v.sku,
        name: p.variants.length > 1 ? v.name : p.name,
        nameZh: p.variants.length > 1 ? v.nameZh : p.nameZh,
        unit: v.unit,
        onHand: 0,
        flaggedNegative: false,
      }
    );
  });
  return { ok: true, value: { items, hasMore: false } };
}

export function Stock() {
  const { t } = useTranslation();
  const { stores, canWrite } = useAdmin();
  const itemName = useItemName();
  const label = useEnumLabel();
  const [storeId, setStoreId] = useState(stores[0]?.id ?? '');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [mode, setMode] = useState<StockMode | null>(null);
  const [lines, setLines] = useState<StockLine[]>([]);

  useEffect(() => {
    const id = setTimeout(() => {
      setQuery(q.trim());
      setPage(0);
    }, 250);
    return () => clearTimeout(id);
  }, [q]);

  const levels = useLoad(async (): Promise<ApiResult<LevelPage>> => {
    if (!storeId) return { ok: true, value: { items: [], hasMore: false } };
    if (query) return searchLevels(storeId, query);
    const r = await api<{ items: StockLevel[]; total: number }>(
      'GET',
      `/stock${qs({ storeId, limit: PAGE, offset: page * PAGE })}`,
    );
    if (!r.ok) return r;
    return { ok: true, value: { ...r.value, hasMore: (page + 1) * PAGE < r.value.total } };
  }, [storeId, query, page]);

  function addLine(l: StockLevel) {
    if (lines.some((x) => x.variantId === l.variantId)) return;
    setLines([
      ...lines,
      { variantId: l.variantId, sku: l.sku, name: l.name, nameZh: l.nameZh, unit: l.unit, qty: '' },
    ]);
  }

  return (
    <section data-testid="admin-stock">
      <div className="admin-head">
        <h2>{t('admin.stock.title')}</h2>
        {canWrite ? (
          <div className="admin-actions">
            {modes.map((m) => (
              <button
                key={m}
                type="button"
                className={mode === m ? 'admin-primary' : ''}
                onClick={() => setMode(m)}
                data-testid={`admin-stock-action-${m}`}
              >
                {t(`admin.stock.${m}`)}
              </button>
            ))}
          </div>
        ) : null}
      </div>
      <div className="admin-toolbar">
        <StoreSelect
          value={storeId}
          onChange={(id) => {
            setStoreId(id);
            setPage(0);
            setLines([]);
          }}
          testId="admin-stock-store"
        />
        <input
          type="search"
          placeholder={t('admin.products.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="admin-stock-search"
        />
      </div>
      {mode && canWrite ? (
        <StockForm
          key={`${mode}-${storeId}`}
          mode={mode}
          storeId={storeId}
          lines={lines}
          setLines={setLines}
          onDone={levels.reload}
          onClose={() => setMode(null)}
        />
      ) : null}
      <ErrorBox message={levels.error?.message} />
      <Loading show={levels.loading && !levels.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.products.sku')}</th>
            <th>{t('admin.products.name')}</th>
            <th>{t('admin.stock.onHand')}</th>
            <th />
          </>
        }
        columns={4}
        empty={levels.data?.items.length === 0}
      >
        {levels.data?.items.map((l) => (
          <tr
            key={l.variantId}
            className={l.flaggedNegative ? 'admin-negative' : ''}
            data-testid="admin-stock-row"
          >
            <td className="admin-mono">{l.sku}</td>
            <td>{itemName(l)}</td>
            <td className="admin-num">
              {l.onHand} {label('units', l.unit)}
              {l.flaggedNegative ? (
                <span className="admin-badge admin-badge-danger">{t('admin.stock.negative')}</span>
              ) : null}
            </td>
            <td className="admin-row-actions">
              {mode && canWrite ? (
                <button type="button" onClick={() => addLine(l)}>
                  {t('admin.stock.addToForm')}
                </button>
              ) : null}
              <a href={`#/movements/${l.variantId}`}>{t('admin.stock.history')}</a>
            </td>
          </tr>
        ))}
      </ListTable>
      {query ? null : (
        <Pager
          page={page}
          hasMore={levels.data?.hasMore ?? false}
          onPage={setPage}
          total={levels.data?.total}
        />
      )}
    </section>
  );
}
