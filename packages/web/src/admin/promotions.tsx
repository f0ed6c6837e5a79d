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
import {
  CheckField,
  ErrorBox,
  Field,
  FormPanel,
  ListTable,
  Notice,
  parseMoney,
  SelectField,
  TextField,
  useLoad,
  useSubmit,
} from './ui';
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
        <FormPanel
          testId="admin-promotion-form"
          onSubmit={(e) => void save(e)}
          busy={submit.busy}
          saveTestId="admin-promotion-save"
          onCancel={() => setDraft(null)}
        >
          <div className="admin-grid">
            <TextField
              label={t('admin.promotions.name')}
              testId="admin-promotion-name"
              value={draft.name}
              onChange={(name) => set({ name })}
            />
            <TextField
              label={t('admin.promotions.nameZh')}
              value={draft.nameZh}
              onChange={(nameZh) => set({ nameZh })}
            />
            <SelectField
              label={t('admin.promotions.kind')}
              testId="admin-promotion-kind"
              value={draft.kind}
              onChange={(kind) => set({ kind: kind as Kind })}
              options={KINDS.map((k) => ({ value: k, label: t(`admin.promotions.kind_${k}`) }))}
            />
            {needsValue ? (
              <TextField
                label={t(`admin.promotions.value_${draft.kind}`, { currency })}
                hint={draft.kind === 'buy_x_get_y' ? t('admin.promotions.freeHint') : undefined}
                testId="admin-promotion-value"
                inputMode="decimal"
                value={draft.value}
                onChange={(value) => set({ value })}
              />
            ) : null}
            {draft.kind === 'percent_off' || draft.kind === 'amount_off' ? (
              <SelectField
                label={t('admin.promotions.target')}
                value={draft.target}
                onChange={(target) => set({ target: target as Draft['target'] })}
                options={(['order', 'lines', 'line'] as const).map((x) => ({
                  value: x,
                  label: t(`admin.promotions.target_${x}`),
                }))}
              />
            ) : null}
            {usesN ? (
              <TextField
                label={t(`admin.promotions.n_${draft.kind}`)}
                inputMode="numeric"
                value={draft.n}
                onChange={(n) => set({ n })}
              />
            ) : null}
            {draft.kind === 'buy_x_get_y' ? (
              <>
                <TextField
                  label={t('admin.promotions.buy')}
                  inputMode="numeric"
                  value={draft.buy}
                  onChange={(buy) => set({ buy })}
                />
                <TextField
                  label={t('admin.promotions.get')}
                  inputMode="numeric"
                  value={draft.get}
                  onChange={(get) => set({ get })}
                />
              </>
            ) : null}
            {usesSelector ? (
              <SelectField
                label={t('admin.promotions.appliesTo')}
                value={draft.scope}
                onChange={(scope) => set({ scope: scope as Draft['scope'] })}
                options={(['all', 'category', 'items'] as const).map((x) => ({
                  value: x,
                  label: t(`admin.promotions.scope_${x}`),
                }))}
              />
            ) : null}
            {usesSelector && draft.scope === 'category' ? (
              <SelectField
                label={t('admin.promotions.category')}
                value={draft.categoryId}
                onChange={(categoryId) => set({ categoryId })}
                options={[
                  { value: '', label: '—' },
                  ...(categories.data?.items ?? []).map((c) => ({ value: c.id, label: label(c) })),
                ]}
              />
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
            <TextField
              label={t('admin.promotions.minSpend', { currency })}
              inputMode="decimal"
              value={draft.minSpend}
              onChange={(minSpend) => set({ minSpend })}
            />
            <TextField
              label={t('admin.promotions.minQuantity')}
              inputMode="numeric"
              value={draft.minQuantity}
              onChange={(minQuantity) => set({ minQuantity })}
            />
            <SelectField
              label={t('admin.common.store')}
              value={draft.storeId}
              onChange={(storeId) => set({ storeId })}
              options={[
                { value: '', label: t('admin.common.allStores') },
                ...stores.map((s) => ({ value: s.id, label: label(s) })),
              ]}
            />
            <TextField
              label={t('admin.promotions.tiers')}
              hint={t('admin.promotions.listHint')}
              value={draft.tierIds}
              onChange={(tierIds) => set({ tierIds })}
            />
            <TextField
              label={t('admin.promotions.coupon')}
              hint={t('admin.promotions.couponHint')}
              value={draft.coupon}
              onChange={(coupon) => set({ coupon })}
            />
            <TextField
              label={t('admin.promotions.fromTime')}
              type="time"
              value={draft.fromTime}
              onChange={(fromTime) => set({ fromTime })}
            />
            <TextField
              label={t('admin.promotions.toTime')}
              type="time"
              value={draft.toTime}
              onChange={(toTime) => set({ toTime })}
            />
            <TextField
              label={t('admin.promotions.fromDate')}
              type="date"
              value={draft.fromDate}
              onChange={(fromDate) => set({ fromDate })}
            />
            <TextField
              label={t('admin.promotions.toDate')}
              type="date"
              value={draft.toDate}
              onChange={(toDate) => set({ toDate })}
            />
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
            <TextField
              label={t('admin.promotions.priority')}
              hint={t('admin.promotions.priorityHint')}
              inputMode="numeric"
              value={draft.priority}
              onChange={(priority) => set({ priority })}
            />
            <TextField
              label={t('admin.promotions.group')}
              hint={t('admin.promotions.groupHint')}
              value={draft.group}
              onChange={(group) => set({ group })}
            />
            <TextField
              label={t('admin.promotions.maxApplications')}
              inputMode="numeric"
              value={draft.maxApplications}
              onChange={(maxApplications) => set({ maxApplications })}
            />
            <CheckField
              label={t('admin.promotions.exclusive')}
              hint={t('admin.promotions.exclusiveHint')}
              checked={draft.exclusive}
              onChange={(exclusive) => set({ exclusive })}
            />
          </div>
        </FormPanel>
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
