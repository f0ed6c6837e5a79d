import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { units, type Category, type Product, type TaxClass, type Unit, type Variant } from './admin-api';
import { useAdmin } from './admin-context';
import {
  ErrorBox,
  Field,
  Loading,
  Notice,
  go,
  moneyText,
  parseMoney,
  useItemName,
  useLoad,
  useStoreName,
  useSubmit,
} from './ui';

interface VariantDraft {
  id?: string;
  sku: string;
  name: string;
  nameZh: string;
  unit: Unit;
  taxClassId: string;
  pluCode: string;
  barcodes: string;
  prices: Record<string, string>;
  had: Record<string, number>;
  active: boolean;
}

function draftOf(v: Variant, currencyOf: (storeId: string) => string): VariantDraft {
  const prices: Record<string, string> = {};
  for (const [storeId, minor] of Object.entries(v.prices))
    prices[storeId] = moneyText(minor, currencyOf(storeId));
  return {
    id: v.id,
    sku: v.sku,
    name: v.name,
    nameZh: v.nameZh ?? '',
    unit: v.unit,
    taxClassId: v.taxClassId,
    pluCode: v.pluCode ?? '',
    barcodes: v.barcodes.join(', '),
    prices,
    had: v.prices,
    active: v.active,
  };
}

const blank = (taxClassId: string): VariantDraft => ({
  sku: '',
  name: '',
  nameZh: '',
  unit: 'each',
  taxClassId,
  pluCode: '',
  barcodes: '',
  prices: {},
  had: {},
  active: true,
});

/** Create a product (productId null) or edit one, with its variants, barcodes and prices per store. */
export function ProductForm({ productId }: { productId: string | null }) {
  const { t } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const storeName = useStoreName();
  const itemName = useItemName();
  const taxes = useLoad(() => api<{ items: TaxClass[] }>('GET', '/tax-classes'), []);
  const categories = useLoad(() => api<{ items: Category[] }>('GET', '/categories'), []);
  const existing = useLoad(
    () =>
      productId
        ? api<Product>('GET', `/products/${encodeURIComponent(productId)}`)
        : Promise.resolve({ ok: true as const, value: null }),
    [productId],
  );
  const [name, setName] = useState('');
  const [nameZh, setNameZh] = useState('');
  const [categoryId, setCategoryId] = useState('');
  const [active, setActive] = useState(true);
  const [variants, setVariants] = useState<VariantDraft[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const submit = useSubmit();
  const firstTax = taxes.data?.items[0]?.id ?? '';

  useEffect(() => {
    const p = existing.data;
    if (p) {
      setName(p.name);
      setNameZh(p.nameZh ?? '');
      setCategoryId(p.categoryId ?? '');
      setActive(p.active);
      const currency = (id: string) => stores.find((s) => s.id === id)?.currency ?? 'USD';
      setVariants(p.variants.map((v) => draftOf(v, currency)));
    } else if (!productId && taxes.data) {
      setVariants((vs) => (vs.length ? vs : [blank(firstTax)]));
    }
  }, [existing.data, productId, taxes.data, firstTax, stores]);

  const patchVariant = (i: number, change: Partial<VariantDraft>) =>
    setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...change } : v)));

  function build(): { body: Record<string, unknown> } | { error: string } {
    if (!name.trim()) return { error: t('admin.products.errName') };
    if (variants.length === 0) return { error: t('admin.products.errNoVariant') };
    const out: Record<string, unknown>[] = [];
    for (const [i, v] of variants.entries()) {
      const n = i + 1;
      if (!v.sku.trim()) return { error: t('admin.products.errSku', { n }) };
      if (!v.taxClassId) return { error: t('admin.products.errTax', { n }) };
      if (v.pluCode && !/^\d{1,6}$/.test(v.pluCode.trim()))
        return { error: t('admin.products.errPlu', { n }) };
      const barcodes = v.barcodes.split(/[\s,]+/).filter(Boolean);
      if (barcodes.some((b) => !/^\d{1,20}$/.test(b)))
        return { error: t('admin.products.errBarcode', { n }) };
      const prices: Record<string, number | null> = {};
      for (const s of stores) {
        const text = (v.prices[s.id] ?? '').trim();
        if (text === '') {
          if (v.id && v.had[s.id] !== undefined) prices[s.id] = null;
          continue;
        }
        const minor = parseMoney(text, s.currency);
        if (minor === null) return { error: t('admin.products.errPrice', { n, store: storeName(s) }) };
        prices[s.id] = minor;
      }
      out.push({
        ...(v.id ? { id: v.id, active: v.active } : {}),
        sku: v.sku.trim(),
        ...(v.name.trim() ? { name: v.name.trim() } : {}),
        nameZh: v.nameZh.trim() || null,
        unit: v.unit,
        taxClassId: v.taxClassId,
        pluCode: v.pluCode.trim() || null,
        barcodes,
        prices: v.id ? prices : Object.fromEntries(Object.entries(prices).filter(([, p]) => p !== null)),
      });
    }
    const body: Record<string, unknown> = {
      name: name.trim(),
      nameZh: nameZh.trim() || null,
      categoryId: categoryId || null,
      variants: out,
    };
    if (productId) body.active = active;
    return { body };
  }

  async function onSave(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const b = build();
    if ('error' in b) {
      submit.setError(b.error);
      return;
    }
    const r = await submit.run(() =>
      productId
        ? api<Product>('PATCH', `/products/${encodeURIComponent(productId)}`, b.body)
        : api<Product>('POST', '/products', b.body),
    );
    if (!r) return;
    if (productId) {
      setSaved(t('admin.common.saved'));
      existing.reload();
    } else go(`products/${r.id}`);
  }

  async function onDeactivate() {
    if (!productId || !window.confirm(t('admin.products.confirmDeactivate'))) return;
    const r = await submit.run(() => api<Product>('DELETE', `/products/${encodeURIComponent(productId)}`));
    if (r) {
      setSaved(t('admin.products.deactivated'));
      existing.reload();
    }
  }

  if (existing.error) return <ErrorBox message={existing.error.message} />;
  if (existing.loading || taxes.loading) return <Loading show />;
  const ro = !canWrite;

  return (
    <form className="admin-form" onSubmit={(e) => void onSave(e)} data-testid="admin-product-form">
      <div className="admin-head">
        <h2>{productId ? t('admin.products.edit') : t('admin.products.new')}</h2>
        <a href="#/products">{t('admin.common.back')}</a>
      </div>
      <fieldset disabled={ro} className="admin-grid">
        <Field label={t('admin.products.nameEn')}>
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="admin-product-name" />
        </Field>
        <Field label={t('admin.products.nameZh')}>
          <input
            value={nameZh}
            onChange={(e) => setNameZh(e.target.value)}
            data-testid="admin-product-name-zh"
          />
        </Field>
        <Field label={t('admin.products.category')}>
          <select
            value={categoryId}
            onChange={(e) => setCategoryId(e.target.value)}
            data-testid="admin-product-category"
          >
            <option value="">—</option>
            {categories.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {itemName(c)}
              </option>
            ))}
          </select>
        </Field>
        {productId ? (
          <label className="admin-check">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
            {t('admin.common.active')}
          </label>
        ) : null}
      </fieldset>
      <h3>{t('admin.products.variants')}</h3>
      {variants.map((v, i) => (
        <fieldset
          key={v.id ?? `new-${i}`}
          disabled={ro}
          className="admin-variant"
          data-testid={`admin-variant-${i}`}
        >
          <legend>
            {t('admin.products.variant', { n: i + 1 })}
            {v.id ? '' : ` · ${t('admin.products.newVariant')}`}
          </legend>
          <div className="admin-grid">
            <Field label={t('admin.products.sku')}>
              <input
                value={v.sku}
                onChange={(e) => patchVariant(i, { sku: e.target.value })}
                data-testid={`admin-variant-${i}-sku`}
              />
            </Field>
            <Field label={t('admin.products.variantNameEn')} hint={t('admin.products.variantNameHint')}>
              <input
                value={v.name}
                onChange={(e) => patchVariant(i, { name: e.target.value })}
                data-testid={`admin-variant-${i}-name`}
              />
            </Field>
            <Field label={t('admin.products.variantNameZh')}>
              <input
                value={v.nameZh}
                onChange={(e) => patchVariant(i, { nameZh: e.target.value })}
                data-testid={`admin-variant-${i}-name-zh`}
              />
            </Field>
            <Field label={t('admin.products.unit')}>
              <select
                value={v.unit}
                onChange={(e) => patchVariant(i, { unit: e.target.value as Unit })}
                data-testid={`admin-variant-${i}-unit`}
              >
                {units.map((u) => (
                  <option key={u} value={u}>
                    {t(`admin.units.${u}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('admin.products.taxClass')}>
              <select
                value={v.taxClassId}
                onChange={(e) => patchVariant(i, { taxClassId: e.target.value })}
                data-testid={`admin-variant-${i}-tax`}
              >
                <option value="">—</option>
                {taxes.data?.items.map((tc) => (
                  <option key={tc.id} value={tc.id}>
                    {tc.code}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('admin.products.plu')} hint={t('admin.products.pluHint')}>
              <input
                inputMode="numeric"
                value={v.pluCode}
                onChange={(e) => patchVariant(i, { pluCode: e.target.value })}
                data-testid={`admin-variant-${i}-plu`}
              />
            </Field>
            <Field label={t('admin.products.barcodes')} hint={t('admin.products.barcodesHint')}>
              <input
                value={v.barcodes}
                onChange={(e) => patchVariant(i, { barcodes: e.target.value })}
                data-testid={`admin-variant-${i}-barcodes`}
              />
            </Field>
            {stores.map((s) => (
              <Field
                key={s.id}
                label={t('admin.products.priceAt', { store: storeName(s), currency: s.currency })}
              >
                <input
                  inputMode="decimal"
                  value={v.prices[s.id] ?? ''}
                  onChange={(e) => patchVariant(i, { prices: { ...v.prices, [s.id]: e.target.value } })}
                  data-testid={`admin-variant-${i}-price-${s.id}`}
                />
              </Field>
            ))}
            {v.id ? (
              <label className="admin-check">
                <input
                  type="checkbox"
                  checked={v.active}
                  onChange={(e) => patchVariant(i, { active: e.target.checked })}
                  data-testid={`admin-variant-${i}-active`}
                />
                {t('admin.common.active')}
              </label>
            ) : (
              <button type="button" onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}>
                {t('admin.common.remove')}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      <ErrorBox message={submit.error} />
      <Notice message={saved} />
      {canWrite ? (
        <div className="admin-actions">
          <button
            type="button"
            onClick={() => setVariants((vs) => [...vs, blank(firstTax)])}
            data-testid="admin-product-add-variant"
          >
            {t('admin.products.addVariant')}
          </button>
          <button
            type="submit"
            className="admin-primary"
            disabled={submit.busy}
            data-testid="admin-product-save"
          >
            {t('admin.common.save')}
          </button>
          {productId && existing.data?.active ? (
            <button
              type="button"
              className="admin-danger"
              onClick={() => void onDeactivate()}
              data-testid="admin-product-deactivate"
            >
              {t('admin.products.deactivate')}
            </button>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
