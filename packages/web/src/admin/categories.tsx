import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Category } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Loading, useItemName, useLoad, useSubmit, SaveCancel } from './ui';

interface Draft {
  id: string | null;
  name: string;
  nameZh: string;
  parentId: string;
  sort: string;
}

const empty: Draft = { id: null, name: '', nameZh: '', parentId: '', sort: '0' };

export function Categories() {
  const { t } = useTranslation();
  const { canWrite } = useAdmin();
  const itemName = useItemName();
  const list = useLoad(() => api<{ items: Category[] }>('GET', '/categories'), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const submit = useSubmit();
  const byId = (id: string | null) => list.data?.items.find((c) => c.id === id);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    if (!draft.name.trim()) return submit.setError(t('admin.categories.errName'));
    if (!/^-?\d+$/.test(draft.sort.trim())) return submit.setError(t('admin.categories.errSort'));
    const body = {
      name: draft.name.trim(),
      nameZh: draft.nameZh.trim() || null,
      parentId: draft.parentId || null,
      sort: Number(draft.sort),
    };
    const r = await submit.run(() =>
      draft.id
        ? api<Category>('PATCH', `/categories/${encodeURIComponent(draft.id)}`, body)
        : api<Category>('POST', '/categories', body),
    );
    if (r) {
      setDraft(null);
      list.reload();
    }
  }

  return (
    <section data-testid="admin-categories">
      <div className="admin-head">
        <h2>{t('admin.categories.title')}</h2>
        {canWrite ? (
          <button type="button" className="admin-primary" onClick={() => setDraft(empty)}>
            {t('admin.categories.new')}
          </button>
        ) : null}
      </div>
      {draft ? (
        <form
          className="admin-form admin-panel"
          onSubmit={(e) => void save(e)}
          data-testid="admin-category-form"
        >
          <div className="admin-grid">
            <Field label={t('admin.products.nameEn')}>
              <input
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                data-testid="admin-category-name"
              />
            </Field>
            <Field label={t('admin.products.nameZh')}>
              <input
                value={draft.nameZh}
                onChange={(e) => setDraft({ ...draft, nameZh: e.target.value })}
                data-testid="admin-category-name-zh"
              />
            </Field>
            <Field label={t('admin.categories.parent')}>
              <select
                value={draft.parentId}
                onChange={(e) => setDraft({ ...draft, parentId: e.target.value })}
              >
                <option value="">—</option>
                {list.data?.items
                  .filter((c) => c.id !== draft.id)
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {itemName(c)}
                    </option>
                  ))}
              </select>
            </Field>
            <Field label={t('admin.categories.sort')}>
              <input
                inputMode="numeric"
                value={draft.sort}
                onChange={(e) => setDraft({ ...draft, sort: e.target.value })}
              />
            </Field>
          </div>
          <ErrorBox message={submit.error} />
          <SaveCancel busy={submit.busy} testId="admin-category-save" onCancel={() => setDraft(null)} />
        </form>
      ) : null}
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.products.nameEn')}</th>
              <th>{t('admin.products.nameZh')}</th>
              <th>{t('admin.categories.parent')}</th>
              <th>{t('admin.categories.sort')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((c) => {
              const parent = byId(c.parentId);
              return (
                <tr key={c.id} data-testid="admin-category-row">
                  <td>{c.name}</td>
                  <td>{c.nameZh ?? '—'}</td>
                  <td>{parent ? itemName(parent) : '—'}</td>
                  <td>{c.sort}</td>
                  <td>
                    {canWrite ? (
                      <button
                        type="button"
                        onClick={() =>
                          setDraft({
                            id: c.id,
                            name: c.name,
                            nameZh: c.nameZh ?? '',
                            parentId: c.parentId ?? '',
                            sort: String(c.sort),
                          })
                        }
                      >
                        {t('admin.common.edit')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
