import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Register, Store } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Money, Notice, moneyText, parseMoney, useStoreName, useSubmit } from './ui';

const roundingModes = ['half_up', 'half_even', 'half_down', 'up', 'down'] as const;

export function Stores() {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const [editing, setEditing] = useState<string | null>(null);
  const storeName = useStoreName();

  return (
    <section data-testid="admin-stores">
      <h2>{t('admin.stores.title')}</h2>
      {stores.map((s) => (
        <div key={s.id} className="admin-panel" data-testid="admin-store-row">
          <div className="admin-head">
            <h3>{storeName(s)}</h3>
            <StoreActions
              store={s}
              editing={editing === s.id}
              onEdit={() => setEditing(editing === s.id ? null : s.id)}
            />
          </div>
          {editing === s.id ? (
            <StoreForm store={s} onDone={() => setEditing(null)} />
          ) : (
            <StoreSummary store={s} />
          )}
          <Registers store={s} />
        </div>
      ))}
    </section>
  );
}

function StoreActions({ editing, onEdit }: { store: Store; editing: boolean; onEdit: () => void }) {
  const { t } = useTranslation();
  const { canWrite } = useAdmin();
  if (!canWrite) return null;
  return (
    <button type="button" onClick={onEdit} data-testid="admin-store-edit">
      {editing ? t('admin.common.cancel') : t('admin.common.edit')}
    </button>
  );
}

function StoreSummary({ store: s }: { store: Store }) {
  const { t } = useTranslation();
  return (
    <dl className="admin-dl admin-dl-wide">
      <dt>{t('admin.stores.currency')}</dt>
      <dd>{s.currency}</dd>
      <dt>{t('admin.stores.timeZone')}</dt>
      <dd>{s.timeZone}</dd>
      <dt>{t('admin.stores.taxMode')}</dt>
      <dd>{t(`admin.stores.taxModes.${s.taxMode}`)}</dd>
      <dt>{t('admin.stores.taxRounding')}</dt>
      <dd>{t(`admin.stores.taxRoundings.${s.taxRounding}`)}</dd>
      <dt>{t('admin.stores.roundingMode')}</dt>
      <dd>{t(`admin.stores.roundingModes.${s.roundingMode}`)}</dd>
      <dt>{t('admin.stores.cashIncrement')}</dt>
      <dd>
        <Money minor={s.cashIncrement} currency={s.currency} />
      </dd>
      <dt>{t('admin.stores.negativeStock')}</dt>
      <dd>{t(`admin.stores.negativeStocks.${s.negativeStock}`)}</dd>
      <dt>{t('admin.stores.address')}</dt>
      <dd>{s.address ?? '—'}</dd>
    </dl>
  );
}

function StoreForm({ store: s, onDone }: { store: Store; onDone: () => void }) {
  const { t } = useTranslation();
  const { reload } = useAdmin();
  const [d, setD] = useState({
    name: s.name,
    nameZh: s.nameZh ?? '',
    address: s.address ?? '',
    taxMode: s.taxMode,
    taxRounding: s.taxRounding,
    roundingMode: s.roundingMode,
    cashIncrement: moneyText(s.cashIncrement, s.currency),
    negativeStock: s.negativeStock,
  });
  const submit = useSubmit();

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!d.name.trim()) return submit.setError(t('admin.stores.errName'));
    const inc = parseMoney(d.cashIncrement, s.currency);
    if (inc === null || inc < 1) return submit.setError(t('admin.stores.errIncrement'));
    const r = await submit.run(() =>
      api<Store>('PATCH', `/stores/${encodeURIComponent(s.id)}`, {
        name: d.name.trim(),
        nameZh: d.nameZh.trim() || null,
        address: d.address.trim() || null,
        taxMode: d.taxMode,
        taxRounding: d.taxRounding,
        roundingMode: d.roundingMode,
        cashIncrement: inc,
        negativeStock: d.negativeStock,
      }),
    );
    if (r) {
      reload();
      onDone();
    }
  }

  return (
    <form className="admin-form" onSubmit={(e) => void save(e)} data-testid="admin-store-form">
      <div className="admin-grid">
        <Field label={t('admin.products.nameEn')}>
          <input value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} />
        </Field>
        <Field label={t('admin.products.nameZh')}>
          <input value={d.nameZh} onChange={(e) => setD({ ...d, nameZh: e.target.value })} />
        </Field>
        <Field label={t('admin.stores.address')}>
          <input value={d.address} onChange={(e) => setD({ ...d, address: e.target.value })} />
        </Field>
        <Field label={t('admin.stores.taxMode')}>
          <select
            value={d.taxMode}
            onChange={(e) => setD({ ...d, taxMode: e.target.value as Store['taxMode'] })}
            data-testid="admin-store-tax-mode"
          >
            <option value="inclusive">{t('admin.stores.taxModes.inclusive')}</option>
            <option value="exclusive">{t('admin.stores.taxModes.exclusive')}</option>
          </select>
        </Field>
        <Field label={t('admin.stores.taxRounding')}>
          <select
            value={d.taxRounding}
            onChange={(e) => setD({ ...d, taxRounding: e.target.value as Store['taxRounding'] })}
            data-testid="admin-store-tax-rounding"
          >
            <option value="per_line">{t('admin.stores.taxRoundings.per_line')}</option>
            <option value="per_order">{t('admin.stores.taxRoundings.per_order')}</option>
          </select>
        </Field>
        <Field label={t('admin.stores.roundingMode')}>
          <select
            value={d.roundingMode}
            onChange={(e) => setD({ ...d, roundingMode: e.target.value })}
            data-testid="admin-store-rounding-mode"
          >
            {roundingModes.map((m) => (
              <option key={m} value={m}>
                {t(`admin.stores.roundingModes.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('admin.stores.cashIncrementIn', { currency: s.currency })}
          hint={t('admin.stores.cashIncrementHint')}
        >
          <input
            inputMode="decimal"
            value={d.cashIncrement}
            onChange={(e) => setD({ ...d, cashIncrement: e.target.value })}
            data-testid="admin-store-cash-increment"
          />
        </Field>
        <Field label={t('admin.stores.negativeStock')}>
          <select
            value={d.negativeStock}
            onChange={(e) => setD({ ...d, negativeStock: e.target.value as Store['negativeStock'] })}
            data-testid="admin-store-negative-stock"
          >
            <option value="allow">{t('admin.stores.negativeStocks.allow')}</option>
            <option value="block">{t('admin.stores.negativeStocks.block')}</option>
          </select>
        </Field>
      </div>
      <ErrorBox message={submit.error} />
      <div className="admin-actions">
        <button type="submit" className="admin-primary" disabled={submit.busy} data-testid="admin-store-save">
          {t('admin.common.save')}
        </button>
      </div>
    </form>
  );
}

function Registers({ store }: { store: Store }) {
  const { t } = useTranslation();
  const { registers, canWrite, reload } = useAdmin();
  const mine = registers.filter((r) => r.storeId === store.id);
  const hasLimit = mine.some((r) => r.offlineCardLimit !== undefined);
  const [name, setName] = useState('');
  const submit = useSubmit();

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return submit.setError(t('admin.stores.errRegisterName'));
    const r = await submit.run(() =>
      api<Register>('POST', '/registers', { storeId: store.id, name: name.trim() }),
    );
    if (r) {
      setName('');
      reload();
    }
  }

  return (
    <>
      <h4>{t('admin.stores.registers')}</h4>
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.stores.registerName')}</th>
              <th>{t('admin.common.active')}</th>
              {hasLimit ? <th>{t('admin.stores.offlineCardLimit', { currency: store.currency })}</th> : null}
              <th />
            </tr>
          </thead>
          <tbody>
            {mine.map((r) => (
              <RegisterRow key={r.id} register={r} store={store} />
            ))}
          </tbody>
        </table>
      </div>
      {hasLimit ? <p className="admin-muted">{t('admin.stores.offlineCardLimitHelp')}</p> : null}
      {canWrite ? (
        <form className="admin-toolbar" onSubmit={(e) => void add(e)}>
          <input
            placeholder={t('admin.stores.newRegister')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="admin-register-new-name"
          />
          <button type="submit" disabled={submit.busy} data-testid="admin-register-add">
            {t('admin.stores.addRegister')}
          </button>
          <ErrorBox message={submit.error} />
        </form>
      ) : null}
    </>
  );
}

function RegisterRow({ register: r, store }: { register: Register; store: Store }) {
  const { t } = useTranslation();
  const { canWrite, reload } = useAdmin();
  const [name, setName] = useState(r.name);
  const [active, setActive] = useState(r.active);
  const [limit, setLimit] = useState(moneyText(r.offlineCardLimit, store.currency));
  const [saved, setSaved] = useState<string | null>(null);
  const submit = useSubmit();
  const hasLimit = r.offlineCardLimit !== undefined;

  async function save() {
    setSaved(null);
    if (!name.trim()) return submit.setError(t('admin.stores.errRegisterName'));
    const body: Record<string, unknown> = {};
    if (name.trim() !== r.name) body.name = name.trim();
    if (active !== r.active) body.active = active;
    if (hasLimit) {
      const minor = parseMoney(limit || '0', store.currency);
      if (minor === null) return submit.setError(t('admin.stores.errLimit'));
      if (minor !== r.offlineCardLimit) body.offlineCardLimit = minor;
    }
    if (Object.keys(body).length === 0) return setSaved(t('admin.common.noChanges'));
    const res = await submit.run(() =>
      api<Register>('PATCH', `/registers/${encodeURIComponent(r.id)}`, body),
    );
    if (res) {
      setSaved(t('admin.common.saved'));
      reload();
    }
  }

  return (
    <tr data-testid="admin-register-row">
      <td>
        <input
          value={name}
          disabled={!canWrite}
          onChange={(e) => setName(e.target.value)}
          data-testid="admin-register-name"
        />
      </td>
      <td>
        <input
          type="checkbox"
          className="admin-big-check"
          checked={active}
          disabled={!canWrite}
          onChange={(e) => setActive(e.target.checked)}
          data-testid="admin-register-active"
        />
      </td>
      {hasLimit ? (
        <td>
          <input
            inputMode="decimal"
            className="admin-qty"
            value={limit}
            disabled={!canWrite}
            onChange={(e) => setLimit(e.target.value)}
            data-testid="admin-register-card-limit"
          />
        </td>
      ) : null}
      <td>
        {canWrite ? (
          <button
            type="button"
            disabled={submit.busy}
            onClick={() => void save()}
            data-testid="admin-register-save"
          >
            {t('admin.common.save')}
          </button>
        ) : null}
        <ErrorBox message={submit.error} />
        <Notice message={saved} />
      </td>
    </tr>
  );
}
