import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { qs, type StockMovement, type Variant } from './admin-api';
import { useAdmin } from './admin-context';
import {
  ErrorBox,
  Loading,
  Pager,
  StoreSelect,
  useFormatDate,
  useEnumLabel,
  useItemName,
  useLoad,
  useNames,
  ListTable,
} from './ui';

const PAGE = 50;
const variantCache = new Map<string, Variant | null>();

/** SKU and name for the variants on screen, fetched once each. */
function useVariants(ids: string[]): Map<string, Variant | null> {
  const [, setTick] = useState(0);
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    const missing = key.split(',').filter((id) => id && !variantCache.has(id));
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(
      missing.map(async (id) => {
        const r = await api<Variant>('GET', `/variants/${encodeURIComponent(id)}`);
        variantCache.set(id, r.ok ? r.value : null);
      }),
    ).then(() => {
      if (live) setTick((n) => n + 1);
    });
    return () => {
      live = false;
    };
  }, [key]);
  return variantCache;
}

export function StockMovements({ variantId }: { variantId: string | undefined }) {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const names = useNames();
  const fmt = useFormatDate();
  const itemName = useItemName();
  const label = useEnumLabel();
  const [storeId, setStoreId] = useState(variantId ? '' : (stores[0]?.id ?? ''));
  const [page, setPage] = useState(0);
  const list = useLoad(
    () =>
      api<{ items: StockMovement[] }>(
        'GET',
        `/stock/movements${qs({ storeId, variantId, limit: PAGE, offset: page * PAGE })}`,
      ),
    [storeId, variantId, page],
  );
  const variants = useVariants([
    ...(list.data?.items.map((m) => m.variantId) ?? []),
    ...(variantId ? [variantId] : []),
  ]);
  const only = variantId ? variants.get(variantId) : undefined;

  return (
    <section data-testid="admin-movements">
      <div className="admin-head">
        <h2>
          {t('admin.movements.title')}
          {only ? ` · ${only.sku} ${itemName(only)}` : ''}
        </h2>
        {variantId ? <a href="#/movements">{t('admin.movements.all')}</a> : null}
      </div>
      <div className="admin-toolbar">
        <StoreSelect
          value={storeId}
          allowAll
          onChange={(id) => {
            setStoreId(id);
            setPage(0);
          }}
          testId="admin-movements-store"
        />
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.common.time')}</th>
            <th>{t('admin.common.store')}</th>
            <th>{t('admin.products.sku')}</th>
            <th>{t('admin.products.name')}</th>
            <th>{t('admin.movements.kind')}</th>
            <th>{t('admin.stock.quantity')}</th>
            <th>{t('admin.stock.reason')}</th>
            <th>{t('admin.movements.staff')}</th>
          </>
        }
        columns={8}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((m) => {
          const v = variants.get(m.variantId);
          return (
            <tr
              key={m.id}
              className={m.wentNegative ? 'admin-negative' : ''}
              data-testid="admin-movement-row"
            >
              <td>{fmt(m.createdAt)}</td>
              <td>{names.store(m.storeId)}</td>
              <td className="admin-mono">{v?.sku ?? '…'}</td>
              <td>{v ? itemName(v) : ''}</td>
              <td>{label('movements.kinds', m.kind)}</td>
              <td className="admin-num">{m.quantity > 0 ? `+${m.quantity}` : m.quantity}</td>
              <td>{m.reason ? label('stock.reasons', m.reason) : '—'}</td>
              <td>{names.staff(m.staffId)}</td>
            </tr>
          );
        })}
      </ListTable>
      <Pager page={page} hasMore={(list.data?.items.length ?? 0) === PAGE} onPage={setPage} />
    </section>
  );
}
