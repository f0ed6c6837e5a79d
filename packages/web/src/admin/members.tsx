/**
 * Back office: customers (with points, export and erasure), coupons (single and batches),
 * customer-display campaigns (with their uplift report) and feedback by store, staff and day.
 *
 * data-testids: admin-customers, admin-customers-search, admin-customer-row, admin-customer-new,
 *   admin-customer-form, admin-customer-name, admin-customer-phone, admin-customer-email,
 *   admin-customer-marketing, admin-customer-save, admin-customer, admin-customer-points,
 *   admin-customer-ledger-row, admin-customer-export, admin-customer-erase,
 *   admin-coupons, admin-coupon-form, admin-coupon-name, admin-coupon-kind, admin-coupon-value,
 *   admin-coupon-code, admin-coupon-count, admin-coupon-max-uses, admin-coupon-save, admin-coupon-row,
 *   admin-campaigns, admin-campaign-form, admin-campaign-name, admin-campaign-kind, admin-campaign-url,
 *   admin-campaign-text, admin-campaign-text-zh, admin-campaign-hint, admin-campaign-hint-zh,
 *   admin-campaign-variants, admin-campaign-store, admin-campaign-from, admin-campaign-to,
 *   admin-campaign-save, admin-campaign-row, admin-campaign-uplift, admin-uplift,
 *   admin-uplift-baseline / admin-uplift-during (data-units-per-day), admin-uplift-change (data-units-pct),
 *   admin-feedback, admin-feedback-store, admin-feedback-staff, admin-feedback-from, admin-feedback-to,
 *   admin-feedback-summary, admin-feedback-row
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { qs } from './admin-api';
import { useAdmin } from './admin-context';
import {
  CheckField,
  ErrorBox,
  Field,
  FormPanel,
  ListTable,
  Loading,
  Money,
  Notice,
  SelectField,
  StoreSelect,
  TextField,
  go,
  parseMoney,
  useFormatDate,
  useLoad,
  useStoreName,
  useSubmit,
} from './ui';

interface Customer {
  id: string;
  cardNo: string | null;
  memberCode: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  consents: Record<
    'marketing' | 'processing',
    { granted: boolean; at: string | null; source: string | null }
  >;
  erased: boolean;
  createdAt: string;
  loyalty?: {
    balance: number;
    available: number;
    lifetimeEarned: number;
    tier: { name: string; nameZh: string | null } | null;
  };
}

interface LedgerEntry {
  id: string;
  kind: string;
  points: number;
  balanceAfter: number;
  orderId: string | null;
  note: string | null;
  createdAt: string;
}

export function Customers({ customerId }: { customerId: string | undefined }) {
  if (customerId) return <CustomerDetail key={customerId} id={customerId} />;
  return <CustomerList />;
}

function CustomerList() {
  const { t } = useTranslation();
  const { canWrite } = useAdmin();
  const fmt = useFormatDate();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const list = useLoad(
    () => api<{ items: Customer[] }>('GET', `/customers${qs({ q: search || undefined, limit: 100 })}`),
    [search],
  );
  const [draft, setDraft] = useState<{
    name: string;
    phone: string;
    email: string;
    marketing: boolean;
  } | null>(null);
  const submit = useSubmit();
  const [done, setDone] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    const r = await submit.run(() =>
      api<Customer>('POST', '/customers', {
        name: draft.name.trim() || null,
        phone: draft.phone.trim() || null,
        email: draft.email.trim() || null,
        consents: { processing: true, marketing: draft.marketing },
        consentSource: 'back_office',
      }),
    );
    if (r) {
      setDraft(null);
      setDone(t('admin.members.created'));
      list.reload();
    }
  }

  return (
    <section data-testid="admin-customers">
      <div className="admin-head">
        <h2>{t('admin.nav.customers')}</h2>
        {canWrite ? (
          <button
            type="button"
            className="admin-primary"
            data-testid="admin-customer-new"
            onClick={() => setDraft({ name: '', phone: '', email: '', marketing: false })}
          >
            {t('admin.members.new')}
          </button>
        ) : null}
      </div>
      <Notice message={done} />
      {draft ? (
        <FormPanel
          testId="admin-customer-form"
          onSubmit={(e) => void save(e)}
          busy={submit.busy}
          saveTestId="admin-customer-save"
          onCancel={() => setDraft(null)}
          error={submit.error}
        >
          <div className="admin-grid">
            <TextField
              label={t('admin.members.name')}
              testId="admin-customer-name"
              value={draft.name}
              onChange={(name) => setDraft({ ...draft, name })}
            />
            <TextField
              label={t('admin.members.phone')}
              testId="admin-customer-phone"
              value={draft.phone}
              onChange={(phone) => setDraft({ ...draft, phone })}
            />
            <TextField
              label={t('admin.members.email')}
              testId="admin-customer-email"
              value={draft.email}
              onChange={(email) => setDraft({ ...draft, email })}
            />
            <CheckField
              label={t('admin.members.marketing')}
              testId="admin-customer-marketing"
              checked={draft.marketing}
              onChange={(marketing) => setDraft({ ...draft, marketing })}
            />
          </div>
        </FormPanel>
      ) : null}
      <form
        className="admin-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <input
          data-testid="admin-customers-search"
          placeholder={t('admin.members.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit">{t('admin.members.find')}</button>
      </form>
      <Loading show={list.loading} />
      <ErrorBox message={list.error?.message} />
      <ListTable
        columns={5}
        empty={!list.loading && (list.data?.items.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.members.name')}</th>
            <th>{t('admin.members.phone')}</th>
            <th>{t('admin.members.card')}</th>
            <th>{t('admin.members.marketing')}</th>
            <th>{t('admin.members.since')}</th>
          </>
        }
      >
        {list.data?.items.map((c) => (
          <tr
            key={c.id}
            className="admin-clickable"
            data-testid="admin-customer-row"
            onClick={() => go(`/customers/${c.id}`)}
          >
            <td>{c.erased ? <em>{t('admin.members.erased')}</em> : (c.name ?? '—')}</td>
            <td>{c.phone ?? '—'}</td>
            <td>{c.cardNo ?? '—'}</td>
            <td>{c.consents.marketing.granted ? '✓' : '—'}</td>
            <td>{fmt(c.createdAt)}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

function CustomerDetail({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAdmin();
  const fmt = useFormatDate();
  const customer = useLoad(() => api<Customer>('GET', `/customers/${id}`), [id]);
  const ledger = useLoad(() => api<{ ledger: LedgerEntry[] }>('GET', `/customers/${id}/loyalty`), [id]);
  const submit = useSubmit();
  const c = customer.data;

  async function exportJson() {
    const r = await submit.run(() => api<unknown>('GET', `/customers/${id}/export`));
    if (!r) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `customer-${id}.json`;
    a.click();
    URL.revokeObjectURL(url);
  }
  async function erase() {
    if (!window.confirm(t('admin.members.eraseConfirm'))) return;
    const r = await submit.run(() => api('POST', `/customers/${id}/erase`, {}));
    if (r) customer.reload();
  }

  return (
    <section data-testid="admin-customer">
      <div className="admin-head">
        <h2>
          <a href="#/customers">{t('admin.nav.customers')}</a> ›{' '}
          {c ? (c.erased ? t('admin.members.erased') : (c.name ?? c.id)) : '…'}
        </h2>
      </div>
      <Loading show={customer.loading} />
      <ErrorBox message={customer.error?.message ?? submit.error} />
      {c ? (
        <div className="admin-panel">
          <dl className="admin-dl">
            <dt>{t('admin.members.phone')}</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>{t('admin.members.email')}</dt>
            <dd>{c.email ?? '—'}</dd>
            <dt>{t('admin.members.card')}</dt>
            <dd>{c.cardNo ?? '—'}</dd>
            <dt>{t('admin.members.memberCode')}</dt>
            <dd>{c.memberCode ? `OTM:${c.memberCode}` : '—'}</dd>
            <dt>{t('admin.members.marketing')}</dt>
            <dd>
              {c.consents.marketing.granted ? '✓' : '—'} {fmt(c.consents.marketing.at)}{' '}
              {c.consents.marketing.source ?? ''}
            </dd>
            <dt>{t('admin.members.processing')}</dt>
            <dd>
              {c.consents.processing.granted ? '✓' : '—'} {fmt(c.consents.processing.at)}{' '}
              {c.consents.processing.source ?? ''}
            </dd>
            <dt>{t('admin.members.points')}</dt>
            <dd data-testid="admin-customer-points" data-balance={c.loyalty?.balance ?? 0}>
              {c.loyalty?.balance ?? 0} ({t('admin.members.available', { n: c.loyalty?.available ?? 0 })})
              {c.loyalty?.tier
                ? ` · ${i18n.language === 'zh-CN' ? (c.loyalty.tier.nameZh ?? c.loyalty.tier.name) : c.loyalty.tier.name}`
                : ''}
            </dd>
          </dl>
          {canWrite && !c.erased ? (
            <div className="admin-actions">
              <button type="button" data-testid="admin-customer-export" onClick={() => void exportJson()}>
                {t('admin.members.export')}
              </button>
              <button
                type="button"
                className="admin-danger"
                data-testid="admin-customer-erase"
                onClick={() => void erase()}
              >
                {t('admin.members.erase')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      <h3>{t('admin.members.ledger')}</h3>
      <ListTable
        columns={5}
        empty={(ledger.data?.ledger.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.members.when')}</th>
            <th>{t('admin.members.kind')}</th>
            <th>{t('admin.members.points')}</th>
            <th>{t('admin.members.balance')}</th>
            <th>{t('admin.members.order')}</th>
          </>
        }
      >
        {ledger.data?.ledger.map((e) => (
          <tr key={e.id} data-testid="admin-customer-ledger-row">
            <td>{fmt(e.createdAt)}</td>
            <td>{t(`admin.members.kinds.${e.kind}`, { defaultValue: e.kind })}</td>
            <td className="admin-num">{e.points > 0 ? `+${e.points}` : e.points}</td>
            <td className="admin-num">{e.balanceAfter}</td>
            <td>
              {e.orderId ? <a href={`#/orders/${e.orderId}`}>{e.orderId.slice(0, 16)}…</a> : (e.note ?? '')}
            </td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

interface Coupon {
  id: string;
  code: string;
  name: string;
  kind: 'amount' | 'percent' | 'promotion';
  value: number;
  currency: string | null;
  maxUses: number | null;
  uses: number;
  customerId: string | null;
  segment: string | null;
  validTo: string | null;
  active: boolean;
}

export function Coupons() {
  const { t } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const currency = stores[0]?.currency ?? 'CNY';
  const list = useLoad(() => api<{ items: Coupon[] }>('GET', '/coupons?limit=300'), []);
  // RFM segments from the last insights refresh: a batch for one goes to each of its members
  const segments = useLoad(
    () => api<{ items: { segment: string; customers: number }[] }>('GET', '/insights/segments'),
    [],
  );
  const [draft, setDraft] = useState<{
    name: string;
    kind: 'amount' | 'percent' | 'promotion';
    value: string;
    code: string;
    count: string;
    maxUses: string;
    currency: string;
    segment: string;
  } | null>(null);
  const submit = useSubmit();
  const [done, setDone] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    const value =
      draft.kind === 'promotion'
        ? 0
        : draft.kind === 'amount'
          ? parseMoney(draft.value, draft.currency)
          : Math.round(Number(draft.value) * 100);
    if (value === null || (draft.kind !== 'promotion' && !(value > 0)))
      return submit.setError(t('admin.members.badValue'));
    const terms = {
      name: draft.name.trim() || draft.code || 'Coupon',
      kind: draft.kind,
      value,
      currency: draft.kind === 'amount' ? draft.currency : null,
      maxUses: draft.maxUses ? Number(draft.maxUses) : null,
    };
    const count = Number(draft.count || '1');
    const r =
      draft.segment || count > 1 || !draft.code
        ? await submit.run(() =>
            api<{ coupons: Coupon[] }>(
              'POST',
              '/coupons/batches',
              draft.segment ? { ...terms, segment: draft.segment } : { ...terms, count },
            ),
          )
        : await submit.run(() => api<Coupon>('POST', '/coupons', { ...terms, code: draft.code }));
    if (r) {
      setDraft(null);
      setDone(t('admin.members.couponsCreated'));
      list.reload();
    }
  }

  return (
    <section data-testid="admin-coupons">
      <div className="admin-head">
        <h2>{t('admin.nav.coupons')}</h2>
        {canWrite ? (
          <button
            type="button"
            className="admin-primary"
            onClick={() =>
              setDraft({
                name: '',
                kind: 'amount',
                value: '',
                code: '',
                count: '1',
                maxUses: '1',
                currency,
                segment: '',
              })
            }
          >
            {t('admin.members.newCoupon')}
          </button>
        ) : null}
      </div>
      <Notice message={done} />
      {draft ? (
        <FormPanel
          testId="admin-coupon-form"
          onSubmit={(e) => void save(e)}
          busy={submit.busy}
          saveTestId="admin-coupon-save"
          onCancel={() => setDraft(null)}
          error={submit.error}
        >
          <div className="admin-grid">
            <TextField
              label={t('admin.members.couponName')}
              testId="admin-coupon-name"
              value={draft.name}
              onChange={(name) => setDraft({ ...draft, name })}
            />
            <SelectField
              label={t('admin.members.couponKind')}
              testId="admin-coupon-kind"
              value={draft.kind}
              onChange={(kind) => setDraft({ ...draft, kind: kind as 'amount' | 'percent' | 'promotion' })}
              options={[
                { value: 'amount', label: t('admin.members.amountOff') },
                { value: 'percent', label: t('admin.members.percentOff') },
                { value: 'promotion', label: t('admin.members.unlocksPromotion') },
              ]}
            />
            <TextField
              label={
                draft.kind === 'amount'
                  ? t('admin.members.amount', { currency: draft.currency })
                  : t('admin.members.percent')
              }
              testId="admin-coupon-value"
              value={draft.value}
              onChange={(value) => setDraft({ ...draft, value })}
            />
            {draft.kind === 'amount' ? (
              <SelectField
                label={t('admin.members.currency')}
                value={draft.currency}
                onChange={(currency) => setDraft({ ...draft, currency })}
                options={[...new Set(stores.map((s) => s.currency))].map((c) => ({ value: c, label: c }))}
              />
            ) : null}
            <TextField
              label={t('admin.members.code')}
              hint={t('admin.members.codeHint')}
              testId="admin-coupon-code"
              value={draft.code}
              onChange={(code) => setDraft({ ...draft, code })}
            />
            <TextField
              label={t('admin.members.count')}
              testId="admin-coupon-count"
              inputMode="numeric"
              value={draft.count}
              onChange={(count) => setDraft({ ...draft, count })}
            />
            <TextField
              label={t('admin.members.maxUses')}
              hint={t('admin.members.maxUsesHint')}
              testId="admin-coupon-max-uses"
              inputMode="numeric"
              value={draft.maxUses}
              onChange={(maxUses) => setDraft({ ...draft, maxUses })}
            />
            <SelectField
              label={t('admin.members.segment')}
              hint={t('admin.members.segmentHint')}
              testId="admin-coupon-segment"
              value={draft.segment}
              onChange={(segment) => setDraft({ ...draft, segment })}
              options={[
                { value: '', label: t('admin.members.segmentNone') },
                // segments come per currency (RFM is scored per currency): one choice per name
                ...[
                  ...(segments.data?.items ?? []).reduce(
                    (m, s) => m.set(s.segment, (m.get(s.segment) ?? 0) + s.customers),
                    new Map<string, number>(),
                  ),
                ].map(([segment, n]) => ({
                  value: segment,
                  label: t('admin.members.segmentMembers', {
                    name: t(`admin.analytics.segmentName.${segment}`, { defaultValue: segment }),
                    n,
                  }),
                })),
              ]}
            />
          </div>
        </FormPanel>
      ) : null}
      <Loading show={list.loading} />
      <ListTable
        columns={5}
        empty={!list.loading && (list.data?.items.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.members.code')}</th>
            <th>{t('admin.members.couponName')}</th>
            <th>{t('admin.members.value')}</th>
            <th>{t('admin.members.uses')}</th>
            <th>{t('admin.members.segment')}</th>
          </>
        }
      >
        {list.data?.items.map((c) => (
          <tr key={c.id} data-testid="admin-coupon-row" className={c.active ? '' : 'admin-muted'}>
            <td>
              <code>{c.code}</code>
            </td>
            <td>{c.name}</td>
            <td>
              {c.kind === 'amount' && c.currency ? (
                <Money minor={c.value} currency={c.currency} />
              ) : c.kind === 'percent' ? (
                `${c.value / 100}%`
              ) : (
                t('admin.members.unlocksPromotion')
              )}
            </td>
            <td className="admin-num">
              {c.uses} / {c.maxUses ?? '∞'}
            </td>
            <td>{c.segment ?? (c.customerId ? t('admin.members.issued') : '—')}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

interface Campaign {
  id: string;
  name: string;
  storeId: string | null;
  mediaKind: 'image' | 'video' | 'text';
  mediaUrl: string | null;
  text: string | null;
  startsAt: string;
  endsAt: string;
  variantIds: string[];
  active: boolean;
}

interface Uplift {
  during: { units: number; revenue: number; unitsPerDay: number; revenuePerDay: number; days: number };
  baseline: { units: number; revenue: number; unitsPerDay: number; revenuePerDay: number; days: number };
  unitsUpliftPct: number | null;
  revenueUpliftPct: number | null;
}

export function Campaigns() {
  const { t } = useTranslation();
  const { canWrite, stores } = useAdmin();
  const storeName = useStoreName();
  const fmt = useFormatDate();
  const list = useLoad(() => api<{ items: Campaign[] }>('GET', '/campaigns'), []);
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const [uplift, setUplift] = useState<{ campaign: Campaign; data: Uplift } | null>(null);
  const submit = useSubmit();

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    const r = await submit.run(() =>
      api<Campaign>('POST', '/campaigns', {
        name: draft.name ?? '',
        storeId: draft.storeId || null,
        mediaKind: draft.mediaKind ?? 'text',
        mediaUrl: draft.mediaUrl || null,
        text: draft.text || null,
        textZh: draft.textZh || null,
        hint: draft.hint || null,
        hintZh: draft.hintZh || null,
        variantIds: (draft.variantIds ?? '').split(/[\s,]+/).filter(Boolean),
        startsAt: new Date(draft.startsAt ?? '').toISOString(),
        endsAt: new Date(draft.endsAt ?? '').toISOString(),
      }),
    );
    if (r) {
      setDraft(null);
      list.reload();
    }
  }
  async function showUplift(c: Campaign) {
    const r = await submit.run(() => api<Uplift>('GET', `/campaigns/${c.id}/uplift`));
    if (r) setUplift({ campaign: c, data: r });
  }
  /** A text field of the campaign draft, labelled `admin.members.<label>`. */
  const text = (label: string, key: string, testId: string, hint?: string, type?: 'datetime-local') => (
    <TextField
      label={t(`admin.members.${label}`)}
      hint={hint}
      testId={testId}
      type={type}
      value={draft?.[key] ?? ''}
      onChange={(value) => setDraft({ ...draft, [key]: value })}
    />
  );
  const currency = stores[0]?.currency ?? 'CNY';

  return (
    <section data-testid="admin-campaigns">
      <div className="admin-head">
        <h2>{t('admin.nav.campaigns')}</h2>
        {canWrite ? (
          <button
            type="button"
            className="admin-primary"
            onClick={() => setDraft({ mediaKind: 'text', storeId: '' })}
          >
            {t('admin.members.newCampaign')}
          </button>
        ) : null}
      </div>
      <ErrorBox message={submit.error} />
      {draft ? (
        <FormPanel
          testId="admin-campaign-form"
          onSubmit={(e) => void save(e)}
          busy={submit.busy}
          saveTestId="admin-campaign-save"
          onCancel={() => setDraft(null)}
        >
          <div className="admin-grid">
            {text('campaignName', 'name', 'admin-campaign-name')}
            <Field label={t('admin.members.store')}>
              <StoreSelect
                value={draft.storeId ?? ''}
                onChange={(v) => setDraft({ ...draft, storeId: v })}
                allowAll
                testId="admin-campaign-store"
              />
            </Field>
            <SelectField
              label={t('admin.members.media')}
              testId="admin-campaign-kind"
              value={draft.mediaKind ?? 'text'}
              onChange={(mediaKind) => setDraft({ ...draft, mediaKind })}
              options={[
                { value: 'text', label: t('admin.members.mediaText') },
                { value: 'image', label: t('admin.members.mediaImage') },
                { value: 'video', label: t('admin.members.mediaVideo') },
              ]}
            />
            {text('mediaUrl', 'mediaUrl', 'admin-campaign-url')}
            {text('text', 'text', 'admin-campaign-text')}
            {text('textZh', 'textZh', 'admin-campaign-text-zh')}
            {text('hint', 'hint', 'admin-campaign-hint')}
            {text('hintZh', 'hintZh', 'admin-campaign-hint-zh')}
            {text('variants', 'variantIds', 'admin-campaign-variants', t('admin.members.variantsHint'))}
            {text('from', 'startsAt', 'admin-campaign-from', undefined, 'datetime-local')}
            {text('to', 'endsAt', 'admin-campaign-to', undefined, 'datetime-local')}
          </div>
        </FormPanel>
      ) : null}
      <ListTable
        columns={5}
        empty={!list.loading && (list.data?.items.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.members.campaignName')}</th>
            <th>{t('admin.members.store')}</th>
            <th>{t('admin.members.from')}</th>
            <th>{t('admin.members.to')}</th>
            <th />
          </>
        }
      >
        {list.data?.items.map((c) => (
          <tr key={c.id} data-testid="admin-campaign-row">
            <td>{c.name}</td>
            <td>
              {c.storeId ? storeName(stores.find((s) => s.id === c.storeId)) : t('admin.members.allStores')}
            </td>
            <td>{fmt(c.startsAt)}</td>
            <td>{fmt(c.endsAt)}</td>
            <td>
              <button type="button" data-testid="admin-campaign-uplift" onClick={() => void showUplift(c)}>
                {t('admin.members.uplift')}
              </button>
            </td>
          </tr>
        ))}
      </ListTable>
      {uplift ? (
        <div className="admin-panel" data-testid="admin-uplift">
          <h3>
            {t('admin.members.uplift')}: {uplift.campaign.name}
          </h3>
          <table className="admin-table">
            <thead>
              <tr>
                <th />
                <th>{t('admin.members.days')}</th>
                <th>{t('admin.members.unitsPerDay')}</th>
                <th>{t('admin.members.revenuePerDay')}</th>
              </tr>
            </thead>
            <tbody>
              {(['baseline', 'during'] as const).map((k) => (
                <tr key={k} data-testid={`admin-uplift-${k}`} data-units-per-day={uplift.data[k].unitsPerDay}>
                  <td>{t(`admin.members.${k}`)}</td>
                  <td className="admin-num">{uplift.data[k].days}</td>
                  <td className="admin-num">{uplift.data[k].unitsPerDay}</td>
                  <td className="admin-num">
                    <Money minor={uplift.data[k].revenuePerDay} currency={currency} />
                  </td>
                </tr>
              ))}
              <tr data-testid="admin-uplift-change" data-units-pct={uplift.data.unitsUpliftPct ?? ''}>
                <td>{t('admin.members.change')}</td>
                <td />
                <td className="admin-num">
                  {uplift.data.unitsUpliftPct === null ? '—' : `${uplift.data.unitsUpliftPct}%`}
                </td>
                <td className="admin-num">
                  {uplift.data.revenueUpliftPct === null ? '—' : `${uplift.data.revenueUpliftPct}%`}
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

interface FeedbackReport {
  items: {
    id: string;
    orderId: string;
    storeId: string;
    staffName: string | null;
    rating: number;
    nps: number | null;
    comment: string | null;
    source: string;
    createdAt: string;
  }[];
  byStore: { key: string; count: number; averageRating: number; nps: number | null }[];
  byStaff: { key: string; count: number; averageRating: number; nps: number | null }[];
  byDay: { key: string; count: number; averageRating: number; nps: number | null }[];
}

export function Feedback() {
  const { t } = useTranslation();
  const { stores, staff } = useAdmin();
  const storeName = useStoreName();
  const fmt = useFormatDate();
  const [f, setF] = useState({ storeId: '', staffId: '', from: '', to: '' });
  const report = useLoad(
    () =>
      api<FeedbackReport>(
        'GET',
        `/feedback${qs({
          storeId: f.storeId || undefined,
          staffId: f.staffId || undefined,
          from: f.from ? new Date(f.from).toISOString() : undefined,
          to: f.to ? new Date(f.to).toISOString() : undefined,
        })}`,
      ),
    [f],
  );
  const staffName = (id: string) =>
    staff.find((s) => s.id === id)?.displayName ??
    report.data?.items.find((i) => i.id && i.staffName)?.staffName ??
    id;
  const summary = (title: string, rows: FeedbackReport['byStore'], label: (k: string) => string) => (
    <div className="admin-panel">
      <h3>{title}</h3>
      <ListTable
        columns={4}
        empty={rows.length === 0}
        heads={
          <>
            <th />
            <th>{t('admin.members.responses')}</th>
            <th>{t('admin.members.rating')}</th>
            <th>NPS</th>
          </>
        }
      >
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{label(r.key)}</td>
            <td className="admin-num">{r.count}</td>
            <td className="admin-num">{r.averageRating}</td>
            <td className="admin-num">{r.nps ?? '—'}</td>
          </tr>
        ))}
      </ListTable>
    </div>
  );
  return (
    <section data-testid="admin-feedback">
      <div className="admin-head">
        <h2>{t('admin.nav.feedback')}</h2>
      </div>
      <div className="admin-toolbar">
        <StoreSelect
          value={f.storeId}
          onChange={(v) => setF({ ...f, storeId: v })}
          allowAll
          testId="admin-feedback-store"
        />
        <select
          data-testid="admin-feedback-staff"
          value={f.staffId}
          onChange={(e) => setF({ ...f, staffId: e.target.value })}
        >
          <option value="">{t('admin.members.allStaff')}</option>
          {staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.displayName}
            </option>
          ))}
        </select>
        <input
          type="date"
          data-testid="admin-feedback-from"
          value={f.from}
          onChange={(e) => setF({ ...f, from: e.target.value })}
        />
        <input
          type="date"
          data-testid="admin-feedback-to"
          value={f.to}
          onChange={(e) => setF({ ...f, to: e.target.value })}
        />
      </div>
      <Loading show={report.loading} />
      <ErrorBox message={report.error?.message} />
      {report.data ? (
        <div data-testid="admin-feedback-summary" className="admin-grid">
          {summary(t('admin.members.byStore'), report.data.byStore, (k) =>
            storeName(stores.find((s) => s.id === k)),
          )}
          {summary(t('admin.members.byStaff'), report.data.byStaff, staffName)}
          {summary(t('admin.members.byDay'), report.data.byDay, (k) => k)}
        </div>
      ) : null}
      <ListTable
        columns={5}
        empty={(report.data?.items.length ?? 0) === 0}
        heads={
          <>
            <th>{t('admin.members.when')}</th>
            <th>{t('admin.members.store')}</th>
            <th>{t('admin.members.staffMember')}</th>
            <th>{t('admin.members.rating')}</th>
            <th>{t('admin.members.comment')}</th>
          </>
        }
      >
        {report.data?.items.map((i) => (
          <tr
            key={i.id}
            data-testid="admin-feedback-row"
            className="admin-clickable"
            onClick={() => go(`/orders/${i.orderId}`)}
          >
            <td>{fmt(i.createdAt)}</td>
            <td>{storeName(stores.find((s) => s.id === i.storeId))}</td>
            <td>{i.staffName ?? '—'}</td>
            <td>
              {'★'.repeat(i.rating)}
              {i.nps !== null ? ` · NPS ${i.nps}` : ''}
            </td>
            <td>{i.comment ?? ''}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}
