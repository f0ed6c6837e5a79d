import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogItem, Category } from '../offline/contract';
import { itemName, otherName } from './names';
import { useRegister } from './register-context';
import { Kbd } from './widgets';

const FAVOURITES = '__favourites';
const GRID_LIMIT = 60;
const SEARCH_LIMIT = 20;

function ProductTile({ item, onPick }: { item: CatalogItem; onPick: (item: CatalogItem) => void }) {
  const { i18n, t } = useTranslation();
  const { money } = useRegister();
  const unavailable = item.price === null;
  return (
    <button
      type="button"
      className="reg-tile"
      data-testid="product-tile"
      data-variant-id={item.variantId}
      data-sku={item.sku}
      disabled={unavailable}
      onClick={() => onPick(item)}
    >
      <span className="reg-tile-name">{itemName(item, i18n.language)}</span>
      <span className="reg-tile-alt">{otherName(item, i18n.language)}</span>
      <span className="reg-tile-price">
        {unavailable
          ? t('register.catalog.notSold')
          : item.unit === 'each'
            ? money(item.price ?? 0)
            : t('register.catalog.perUnit', {
                price: money(item.price ?? 0),
                unit: t(`register.units.${item.unit}`),
              })}
      </span>
    </button>
  );
}

/** Search box with results under it, then category tabs (Favourites first) and a product grid. */
export function CatalogPanel({
  onPick,
  onEnterCode,
  searchRef,
}: {
  onPick: (item: CatalogItem) => void;
  /** Enter in the search box with no single result: try the text as a code */
  onEnterCode: (code: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const { t, i18n } = useTranslation();
  const { till } = useRegister();
  const [categories, setCategories] = useState<Category[]>([]);
  const [tab, setTab] = useState<string>(FAVOURITES);
  const [items, setItems] = useState<CatalogItem[]>([]);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CatalogItem[] | null>(null);
  const searchSeq = useRef(0);

  useEffect(() => {
    void till.categories().then(setCategories);
  }, [till]);

  useEffect(() => {
    let live = true;
    const load = tab === FAVOURITES ? till.favourites() : till.itemsInCategory(tab, GRID_LIMIT);
    void load.then((list) => {
      if (live) setItems(list);
    });
    return () => {
      live = false;
    };
  }, [till, tab]);

  useEffect(() => {
    const q = query.trim();
    const seq = ++searchSeq.current;
    if (!q) {
      setResults(null);
      return;
    }
    void till.search(q, SEARCH_LIMIT).then((found) => {
      if (seq === searchSeq.current) setResults(found);
    });
  }, [till, query]);

  const pick = (item: CatalogItem) => {
    onPick(item);
    setQuery('');
  };

  return (
    <section className="reg-catalog">
      <div className="reg-search">
        <input
          ref={searchRef}
          data-testid="search-input"
          type="search"
          placeholder={t('register.catalog.search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
            if (e.key === 'Enter') {
              e.preventDefault();
              const only = results?.length === 1 ? results[0] : undefined;
              if (only) pick(only);
              else if (/^\S{4,}$/.test(query.trim())) {
                onEnterCode(query.trim());
                setQuery('');
              }
            }
          }}
        />
        <Kbd k="F2" />
      </div>
      {results ? (
        <div className="reg-results" data-testid="search-results">
          {results.length === 0 ? <p className="reg-muted">{t('register.catalog.noResults')}</p> : null}
          {results.map((item) => (
            <button
              key={item.variantId}
              type="button"
              className="reg-result"
              data-testid="search-result"
              data-variant-id={item.variantId}
              disabled={item.price === null}
              onClick={() => pick(item)}
            >
              <span>
                {itemName(item, i18n.language)}
                <small> {otherName(item, i18n.language)}</small>
              </span>
              <small className="reg-muted">{item.sku}</small>
              <ResultPrice item={item} />
            </button>
          ))}
        </div>
      ) : (
        <>
          <nav className="reg-tabs" data-testid="category-tabs">
            <button
              type="button"
              data-testid="category-tab"
              data-category-id="favourites"
              className={tab === FAVOURITES ? 'reg-tab reg-selected' : 'reg-tab'}
              onClick={() => setTab(FAVOURITES)}
            >
              ★ {t('register.catalog.favourites')}
            </button>
            {categories.map((c) => (
              <button
                key={c.id}
                type="button"
                data-testid="category-tab"
                data-category-id={c.id}
                className={tab === c.id ? 'reg-tab reg-selected' : 'reg-tab'}
                onClick={() => setTab(c.id)}
              >
                {itemName(c, i18n.language)}
              </button>
            ))}
          </nav>
          <div className="reg-grid" data-testid="product-grid">
            {items.map((item) => (
              <ProductTile key={item.variantId} item={item} onPick={pick} />
            ))}
            {items.length === 0 ? <p className="reg-muted">{t('register.catalog.empty')}</p> : null}
          </div>
        </>
      )}
    </section>
  );
}

function ResultPrice({ item }: { item: CatalogItem }) {
  const { money } = useRegister();
  const { t } = useTranslation();
  return <strong>{item.price === null ? t('register.catalog.notSold') : money(item.price)}</strong>;
}
