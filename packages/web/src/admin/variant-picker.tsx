import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { qs, type ProductPage } from './admin-api';
import { useItemName } from './ui';

export interface PickedVariant {
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: string;
}

/** Search the catalog (name, SKU, barcode) and pick a variant. */
export function VariantPicker({ onPick }: { onPick: (v: PickedVariant) => void }) {
  const { t } = useTranslation();
  const itemName = useItemName();
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<PickedVariant[]>([]);

  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setOptions([]);
      return;
    }
    let live = true;
    const id = setTimeout(() => {
      void api<ProductPage>('GET', `/products${qs({ q: query, limit: 8 })}`).then((r) => {
        if (!live || !r.ok) return;
        setOptions(
          r.value.items.flatMap((p) =>
            p.variants.map((v) => ({
              variantId: v.id,
              sku: v.sku,
              name: p.variants.length > 1 ? `${p.name} · ${v.name}` : p.name,
              nameZh: p.nameZh
                ? p.variants.length > 1
                  ? `${p.nameZh} · ${v.nameZh ?? v.name}`
                  : p.nameZh
                : null,
              unit: v.unit,
            })),
          ),
        );
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(id);
    };
  }, [q]);

  return (
    <div className="admin-picker">
      <input
        type="search"
        placeholder={t('admin.stock.pickPlaceholder')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        data-testid="admin-stock-picker"
      />
      {options.length > 0 ? (
        <ul className="admin-picker-list">
          {options.map((o) => (
            <li key={o.variantId}>
              <button
                type="button"
                onClick={() => {
                  onPick(o);
                  setQ('');
                }}
                data-testid="admin-stock-picker-option"
              >
                <span className="admin-mono">{o.sku}</span> {itemName(o)}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
