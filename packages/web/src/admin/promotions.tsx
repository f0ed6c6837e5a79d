/**
 * Back office: promotions. A list (highest priority first) with pause/resume and delete, and a
 * form that builds one rule in the engine's shape: what it does (percent or amount off a line, the
 * selected lines or the order; a bundle price; buy X get Y; every Nth item; a free item; extra
 * points), to which items, and when (spend, quantity, store, member tier, coupon, days, hours,
 * dates). Test ids: admin-promotions, admin-promotion-form, admin-promotion-name,
 * admin-promotion-kind, admin-promotion-value, admin-promotion-save, admin-promotion-row.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMinor, type Promotion, type PromotionAction, type PromotionCondition } from '@opentill/core';
import { api } from '../api/client';
import { useAdmin } from './admin-context';
import type { Category } from './admin-api';
import { ErrorBox, Field, ListTable, Notice, parseMoney, SaveCancel, useLoad, useSubmit } from './ui';
import { VariantPicker, type PickedVariant } from './variant-picker';

interface PromotionRow extends Promotion {
  active: boolean;
}

const KINDS = [
  'percent_off',
  'amount_off',
  'bundle_price',
  'buy_x_get_y',
  'nth_item',
  'free_item',
  'bonus_points',
] as const;
type Kind = (typeof KINDS)[number];
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

interface Draft {
  name: string;
  nameZh: string;
  priority: string;
  exclusive: boolean;
  group: string;
  kind: Kind;
  value: string;
  target: 'line' | 'lines' | 'order';
  scope: 'all' | 'category' | 'items';
  categoryId: string;
  variants: PickedVariant[];
  n: string;
  buy: string;
  get: string;
  free: PickedVariant | null;
  maxApplications: string;
  minSpend: string;
  minQuantity: string;
  storeId: string;
  tierIds: string;
  coupon: string;
  days: number[];
  fromTime: string;
  toTime: string;
  fromDate: string;
  toDate: string;
}

const emptyDraft = (): Draft => ({
  name: '',
  nameZh: '',
  priority: '0',
  exclusive: false,
  group: '',
  kind: 'percent_off',
  value: '',
  target: 'order',
  scope: 'all',
  categoryId: '',
  variants: [],
  n: '2',
  buy: '2',
  get: '1',
  free: null,
  maxApplications: '',
  minSpend: '',
  minQuantity: '',
  storeId: '',
  tierIds: '',
  coupon: '',
  days: [],
  fromTime: '',
  toTime: '',
  fromDate: '',
  toDate: '',
});

const minutesOf = (hhmm: string): number | undefined => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};
const list = (text: string) =>
  text
    .split(/[\s,，]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The draft as a POST /promotions body, or the key of what is wrong with it. */
export function promotionBody(d: Draft, currency: string): { body: object } | { problem: string } {
  const selector =
    d.scope === 'category' && d.categoryId
      ? { categoryIds: [d.categoryId] }
      : d.scope === 'items' && d.variants.length > 0
        ? { variantIds: d.variants.map((v) => v.variantId) }
        : undefined;
  const percent = Math.round(Number(d.value) * 100);
  const money = parseMoney(d.value, currency);
  const whole = (text: string) => (/^\d+$/.test(text) && Number(text) > 0 ? Number(text) : null);
  let action: PromotionAction;
  switch (d.kind) {
    case 'percent_off':
      if (!(percent > 0 && percent <= 10_000)) return { problem: 'badPercent' };
      action = {
        kind: 'percent_off',
        percentBp: percent,
        target: d.target,
        ...(selector ? { selector } : {}),
      };
      break;
    case 'amount_off':
      if (money === null || money <= 0) return { problem: 'badAmount' };
      action = { kind: 'amount_off', amount: money, target: d.target, ...(selector ? { selector } : {}) };
      break;
    case 'bundle_price': {
      const qty = whole(d.n);
      if (!selector || qty === null) return { problem: 'needItems' };
      if (money === null || money < 0) return { problem: 'badAmount' };
      action = { kind: 'bundle_price', items: [{ selector, quantity: qty }], price: money };
      break;
    }
    case 'buy_x_get_y': {
      const [buy, get] = [whole(d.buy), whole(d.get)];
      if (!selector || buy === null || get === null) return { problem: 'needItems' };
      const bp = d.value.trim() === '' ? 10_000 : percent;
      if (!(bp > 0 && bp <= 10_000)) return { problem: 'badPercent' };
      action = {
        kind: 'buy_x_get_y',
        buy: { selector, quantity: buy },
        get: { selector, quantity: get },
        percentBp: bp,
      };
      break;
    }
    case 'nth_item': {
      const n = whole(d.n);
      if (!selector || n === null || n < 2) return { problem: 'needItems' };
      if (!(percent > 0 && percent <= 10_000)) return { problem: 'badPercent' };
      action = { kind: 'nth_item', selector, n, percentBp: percent };
      break;
    }
    case 'free_item': {
      const qty = whole(d.n);
      if (!d.free || qty === null) return { problem: 'needFreeItem' };
      action = { kind: 'free_item', variantId: d.free.variantId, quantity: qty };
      break;
    }
    case 'bonus_points': {
      const points = whole(d.value);
      if (points === null) return { problem: 'badPoints' };
      action = { kind: 'bonus_points', points };
      break;
    }
  }
  const conditions: PromotionCondition[] = [];
  if (d.minSpend.trim()) {
    const min = parseMoney(d.minSpend, currency);
    if (min === null || min < 0) return { problem: 'badAmount' };
    conditions.push({
      kind: 'spend',
      minAmount: min,
      ...(selector && d.kind !== 'free_item' ? { selector } : {}),
    });
  }
  if (d.minQuantity.trim()) {
    const q = whole(d.minQuantity);
    if (q === null) return { problem: 'badQuantity' };
    conditions.push({ kind: 'quantity', minQuantity: q, ...(selector ? { selector } : {}) });
  }
  if (d.storeId) conditions.push({ kind: 'store', storeIds: [d.storeId] });
  if (list(d.tierIds).length > 0) conditions.push({ kind: 'member_tier', tierIds: list(d.tierIds) });
  if (d.coupon.trim()) conditions.push({ kind: 'coupon', codes: list(d.coupon) });
  const from = d.fromTime ? minutesOf(d.fromTime) : undefined;
  const to = d.toTime ? minutesOf(d.toTime) : undefined;
  if ((d.fromTime && from === undefined) || (d.toTime && to === undefined)) return { problem: 'badTime' };
  if (d.days.length > 0 || from !== undefined || to !== undefined || d.fromDate || d.toDate) {
    if (d.fromDate && d.toDate && d.fromDate > d.toDate) return { problem: 'badDates' };
    conditions.push({
      kind: 'time',
      ...(d.days.length > 0 ? { days: d.days as (1 | 2 | 3 | 4 | 5 | 6 | 7)[] } : {}),
      ...(from !== undefined ? { fromMinute: from } : {}),
      ...(to !== undefined ? { toMinute: to } : {}),
      ...(d.fromDate ? { fromDate: d.fromDate } : {}),
      ...(d.toDate ? { toDate: d.toDate } : {}),
    });
  }
  const maxApplications = d.maxApplications.trim() ? whole(d.maxApplications) : null;
  if (d.maxApplications.trim() && maxApplications === null) return { problem: 'badQuantity' };
  if (!d.name.trim()) return { problem: 'needName' };
  return {
    body: {
      name: d.name.trim(),
      nameZh: d.nameZh.trim() || null,
      priority: Number.parseInt(d.priority || '0', 10) || 0,
      exclusive: d.exclusive,
      group: d.group.trim() || null,
      conditions,
      action,
      maxApplications,
    },
  };
}

export function Promotions() {
  const { t, i18n } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const currency = stores[0]?.currency ?? 'CNY';
  const zh = i18n.language === 'zh-CN';
  const promotions = useLoad(() => api<{ items: PromotionRow[] }>('GET', '/promotions'), []);
  const categories = useLoad(() => api<{ items: Category[] }>('GET', '/categories'), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = useSubmit();

  const label = (p: { name: string; nameZh?: string | null }) => (zh && p.nameZh ? p.nameZh : p.name);

  function summary(a: PromotionAction): string {
    const pct = (bp: number) => `${bp / 100}%`;
    switch (a.kind) {
      case 'percent_off':
        return t('admin.promotions.sumPercent', {
          value: pct(a.percentBp),
          target: t(`admin.promotions.target_${a.target}`),
        });
      case 'amount_off':
        return t('admin.promotions.sumAmount', {
          value: formatMinor(a.amount, currency),
          target: t(`admin.promotions.target_${a.target}`),
        });
      case 'bundle_price':
        return t('admin.promotions.sumBundle', {
          n: a.items[0]?.quantity ?? 0,
          value: formatMinor(a.price, currency),
        });
      case 'buy_x_get_y':
        return t('admin.promotions.sumBxgy', {
          buy: a.buy.quantity,
          get: a.get.quantity,
          value: pct(a.percentBp),
        });
      case 'nth_item':
        return t('admin.promotions.sumNth', { n: a.n, value: pct(a.percentBp) });
      case 'free_item':
        return t('admin.promotions.sumFree', { n: a.quantity });
      case 'bonus_points':
        return t('admin.promotions.sumPoints', { n: a.points });
    }
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    const built = promotionBody(draft, currency);
    if ('problem' in built) return submit.setError(t(`admin.promotions.${built.problem}`));
    if (await submit.run(() => api<PromotionRow>('POST', '/promotions', built.body))) {
      setDraft(null);
      setDone(t('admin.promotions.created'));
      promotions.reload();
    }
  }

  async function setActive(p: PromotionRow, active: boolean) {
    if (await submit.run(() => api<PromotionRow>('PATCH', `/promotions/${p.id}`, { active })))
      promotions.reload();
  }

  async function remove(p: PromotionRow) {
    if (!window.confirm(t('admin.promotions.confirmDelete', { name: label(p) }))) return;
    if (await submit.run(() => api('DELETE', `/promotions/${p.id}`))) promotions.reload();
  }

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const needsValue = draft && !['free_item'].includes(draft.kind);
  const usesSelector = draft && draft.kind !== 'free_item' && draft.kind !== 'bonus_points';
  const usesN = draft && ['bundle_price', 'nth_item', 'free_item'].includes(draft.kind);

  return (
    <section data-testid="admin-promotions">
      <div className="admin-head">
        <h2>{t('admin.nav.promotions')}</h2>
        {canWrite ? (
          <button type="button" className="admin-primary" onClick={() => setDraft(emptyDraft())}>
            {t('admin.promotions.new')}
          </button>
        ) : null}
      </div>
      <p className="admin-muted">{t('admin.promotions.intro')}</p>
      <Notice message={done} />
      <ErrorBox message={promotions.error?.message ?? submit.error} />
      {draft ? (
        <form
          className="admin-form admin-panel"
          data-testid="admin-promotion-form"
          onSubmit={(e) => void save(e)}
        >
          <div className="admin-grid">
            <Field label={t('admin.promotions.name')}>
              <input
                data-testid="admin-promotion-name"
                value={draft.name}
                onChange={(e) => set({ name: e.target.value })}
              />
            </Field>
            <Field label={t('admin.promotions.nameZh')}>
              <input value={draft.nameZh} onChange={(e) => set({ nameZh: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.kind')}>
              <select
                data-testid="admin-promotion-kind"
                value={draft.kind}
                onChange={(e) => set({ kind: e.target.value as Kind })}
              >
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`admin.promotions.kind_${k}`)}
                  </option>
                ))}
              </select>
            </Field>
            {needsValue ? (
              <Field
                label={t(`admin.promotions.value_${draft.kind}`, { currency })}
                hint={draft.kind === 'buy_x_get_y' ? t('admin.promotions.freeHint') : undefined}
              >
                <input
                  data-testid="admin-promotion-value"
                  inputMode="decimal"
                  value={draft.value}
                  onChange={(e) => set({ value: e.target.value })}
                />
              </Field>
            ) : null}
            {draft.kind === 'percent_off' || draft.kind === 'amount_off' ? (
              <Field label={t('admin.promotions.target')}>
                <select
                  value={draft.target}
                  onChange={(e) => set({ target: e.target.value as Draft['target'] })}
                >
                  {(['order', 'lines', 'line'] as const).map((x) => (
                    <option key={x} value={x}>
                      {t(`admin.promotions.target_${x}`)}
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
            {usesN ? (
              <Field label={t(`admin.promotions.n_${draft.kind}`)}>
                <input inputMode="numeric" value={draft.n} onChange={(e) => set({ n: e.target.value })} />
              </Field>
            ) : null}
            {draft.kind === 'buy_x_get_y' ? (
              <>
                <Field label={t('admin.promotions.buy')}>
                  <input
                    inputMode="numeric"
                    value={draft.buy}
                    onChange={(e) => set({ buy: e.target.value })}
                  />
                </Field>
                <Field label={t('admin.promotions.get')}>
                  <input
                    inputMode="numeric"
                    value={draft.get}
                    onChange={(e) => set({ get: e.target.value })}
                  />
                </Field>
              </>
            ) : null}
            {usesSelector ? (
              <Field label={t('admin.promotions.appliesTo')}>
                <select
                  value={draft.scope}
                  onChange={(e) => set({ scope: e.target.value as Draft['scope'] })}
                >
                  <option value="all">{t('admin.promotions.scope_all')}</option>
                  <option value="category">{t('admin.promotions.scope_category')}</option>
                  <option value="items">{t('admin.promotions.scope_items')}</option>
                </select>
              </Field>
            ) : null}
            {usesSelector && draft.scope === 'category' ? (
              <Field label={t('admin.promotions.category')}>
                <select value={draft.categoryId} onChange={(e) => set({ categoryId: e.target.value })}>
                  <option value="">—</option>
                  {(categories.data?.items ?? []).map((c) => (
                    <option key={c.id} value={c.id}>
                      {label(c)}
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
          </div>
          {(usesSelector && draft.scope === 'items') || draft.kind === 'free_item' ? (
            <Field
              label={
                draft.kind === 'free_item' ? t('admin.promotions.freeItem') : t('admin.promotions.items')
              }
            >
              <VariantPicker
                onPick={(v) =>
                  draft.kind === 'free_item'
                    ? set({ free: v })
                    : set({
                        variants: draft.variants.some((x) => x.variantId === v.variantId)
                          ? draft.variants
                          : [...draft.variants, v],
                      })
                }
              />
              <div className="admin-chips">
                {(draft.kind === 'free_item' ? (draft.free ? [draft.free] : []) : draft.variants).map((v) => (
                  <button
                    key={v.variantId}
                    type="button"
                    className="admin-chip"
                    onClick={() =>
                      draft.kind === 'free_item'
                        ? set({ free: null })
                        : set({ variants: draft.variants.filter((x) => x.variantId !== v.variantId) })
                    }
                  >
                    {label(v)} ×
                  </button>
                ))}
              </div>
            </Field>
          ) : null}
          <h3>{t('admin.promotions.when')}</h3>
          <div className="admin-grid">
            <Field label={t('admin.promotions.minSpend', { currency })}>
              <input
                inputMode="decimal"
                value={draft.minSpend}
                onChange={(e) => set({ minSpend: e.target.value })}
              />
            </Field>
            <Field label={t('admin.promotions.minQuantity')}>
              <input
                inputMode="numeric"
                value={draft.minQuantity}
                onChange={(e) => set({ minQuantity: e.target.value })}
              />
            </Field>
            <Field label={t('admin.common.store')}>
              <select value={draft.storeId} onChange={(e) => set({ storeId: e.target.value })}>
                <option value="">{t('admin.common.allStores')}</option>
                {stores.map((s) => (
                  <option key={s.id} value={s.id}>
                    {label(s)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('admin.promotions.tiers')} hint={t('admin.promotions.listHint')}>
              <input value={draft.tierIds} onChange={(e) => set({ tierIds: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.coupon')} hint={t('admin.promotions.couponHint')}>
              <input value={draft.coupon} onChange={(e) => set({ coupon: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.fromTime')}>
              <input type="time" value={draft.fromTime} onChange={(e) => set({ fromTime: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.toTime')}>
              <input type="time" value={draft.toTime} onChange={(e) => set({ toTime: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.fromDate')}>
              <input type="date" value={draft.fromDate} onChange={(e) => set({ fromDate: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.toDate')}>
              <input type="date" value={draft.toDate} onChange={(e) => set({ toDate: e.target.value })} />
            </Field>
          </div>
          <fieldset className="admin-days">
            <legend>{t('admin.promotions.days')}</legend>
            {DAYS.map((day) => (
              <label key={day}>
                <input
                  type="checkbox"
                  checked={draft.days.includes(day)}
                  onChange={(e) =>
                    set({
                      days: e.target.checked
                        ? [...draft.days, day].sort()
                        : draft.days.filter((x) => x !== day),
                    })
                  }
                />{' '}
                {t(`admin.promotions.day${day}`)}
              </label>
            ))}
          </fieldset>
          <h3>{t('admin.promotions.stacking')}</h3>
          <div className="admin-grid">
            <Field label={t('admin.promotions.priority')} hint={t('admin.promotions.priorityHint')}>
              <input
                inputMode="numeric"
                value={draft.priority}
                onChange={(e) => set({ priority: e.target.value })}
              />
            </Field>
            <Field label={t('admin.promotions.group')} hint={t('admin.promotions.groupHint')}>
              <input value={draft.group} onChange={(e) => set({ group: e.target.value })} />
            </Field>
            <Field label={t('admin.promotions.maxApplications')}>
              <input
                inputMode="numeric"
                value={draft.maxApplications}
                onChange={(e) => set({ maxApplications: e.target.value })}
              />
            </Field>
            <Field label={t('admin.promotions.exclusive')} hint={t('admin.promotions.exclusiveHint')}>
              <input
                type="checkbox"
                checked={draft.exclusive}
                onChange={(e) => set({ exclusive: e.target.checked })}
              />
            </Field>
          </div>
          <SaveCancel busy={submit.busy} testId="admin-promotion-save" onCancel={() => setDraft(null)} />
        </form>
      ) : null}
      <ListTable
        columns={6}
        empty={(promotions.data?.items.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.promotions.name')}</th>
            <th>{t('admin.promotions.kind')}</th>
            <th>{t('admin.promotions.conditions')}</th>
            <th>{t('admin.promotions.priority')}</th>
            <th>{t('admin.common.status')}</th>
            <th />
          </>
        }
      >
        {(promotions.data?.items ?? []).map((p) => (
          <tr key={p.id} data-testid="admin-promotion-row">
            <td>
              {label(p)}
              {p.exclusive ? <span className="admin-muted"> · {t('admin.promotions.exclusive')}</span> : null}
            </td>
            <td>{summary(p.action)}</td>
            <td>{p.conditions.map((c) => t(`admin.promotions.cond_${c.kind}`)).join(', ') || '—'}</td>
            <td>{p.priority}</td>
            <td>{p.active ? t('admin.common.active') : t('admin.promotions.paused')}</td>
            <td>
              {canWrite ? (
                <>
                  <button type="button" onClick={() => void setActive(p, !p.active)}>
                    {p.active ? t('admin.promotions.pause') : t('admin.promotions.resume')}
                  </button>{' '}
                  <button type="button" onClick={() => void remove(p)}>
                    {t('admin.common.remove')}
                  </button>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}
