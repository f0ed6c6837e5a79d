import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { qs, type Category, type ProductPage } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Loading, Money, Pager, go, useItemName, useLoad } from './ui';

const PAGE = 25;

export function Products() {
  const { t } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const itemName = useItemName();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [inactive, setInactive] = useState(false);
  const [page, setPage] = useState(0);

  // search as you type, a little after the last keystroke
  useEffect(() => {
    const id = setTimeout(() => {
      setQuery(q.trim());
      setPage(0);
    }, 250);
    return () => clearTimeout(id);
  }, [q]);

  const list = useLoad(
    () =>
      api<ProductPage>(
        'GET',
        `/products${qs({ q: query, limit: PAGE, offset: page * PAGE, includeInactive: inactive || undefined })}`,
      ),
    [query, page, inactive],
  );
  const categories = useLoad(() => api<{ items: Category[] }>('GET', '/categories'), []);
  const categoryName = (id: string | null) => {
    const c = categories.data?.items.find((x) => x.id === id);
    return c ? itemName(c) : '—';
  };

  return (
    <section data-testid="admin-products">
      <div className="admin-head">
        <h2>{t('admin.products.title')}</h2>
        {canWrite ? (
          <button
            type="button"
            className="admin-primary"
            onClick={() => go('products/new')}
            data-testid="admin-products-new"
          >
            {t('admin.products.new')}
          </button>
        ) : null}
      </div>
      <div className="admin-toolbar">
        <input
          type="search"
          placeholder={t('admin.products.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="admin-products-search"
        />
        <label className="admin-check">
          <input
            type="checkbox"
            checked={inactive}
            onChange={(e) => {
              setInactive(e.target.checked);
              setPage(0);
            }}
            data-testid="admin-products-inactive"
          />
          {t('admin.products.showInactive')}
        </label>
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.products.name')}</th>
              <th>{t('admin.products.sku')}</th>
              <th>{t('admin.products.category')}</th>
              {stores.map((s) => (
                <th key={s.id}>{t('admin.products.priceIn', { currency: s.currency })}</th>
              ))}
              <th>{t('admin.common.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.length === 0 ? (
              <tr>
                <td colSpan={4 + stores.length} className="admin-muted">
                  {t('admin.common.none')}
                </td>
              </tr>
            ) : null}
            {list.data?.items.map((p) => (
              <tr
                key={p.id}
                className="admin-clickable"
                onClick={() => go(`products/${p.id}`)}
                data-testid="admin-product-row"
              >
                <td>
                  <a href={`#/products/${p.id}`}>{itemName(p)}</a>
                  {p.variants.length > 1 ? (
                    <span className="admin-muted">
                      {' '}
                      · {t('admin.products.variantCount', { n: p.variants.length })}
                    </span>
                  ) : null}
                </td>
                <td className="admin-mono">{p.variants.map((v) => v.sku).join(', ')}</td>
                <td>{categoryName(p.categoryId)}</td>
                {stores.map((s) => {
                  const price = p.variants[0]?.prices[s.id];
                  return (
                    <td key={s.id}>
                      {price === undefined ? '—' : <Money minor={price} currency={s.currency} />}
                    </td>
                  );
                })}
                <td>{p.active ? t('admin.common.active') : t('admin.common.inactive')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} hasMore={list.data?.hasMore ?? false} onPage={setPage} />
    </section>
  );
}
