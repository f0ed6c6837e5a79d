import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMinor, formatMoney, toMinor } from '@opentill/core';
import type { ApiError, ApiResult } from '../api/client';
import { useAdmin } from './admin-context';
import type { Register, Store } from './admin-api';

/** Loads with `fn` whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(fn: () => Promise<ApiResult<T>>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    void fn().then((r) => {
      if (!live) return;
      setState(
        r.ok
          ? { data: r.value, error: null, loading: false }
          : { data: null, error: r.error, loading: false },
      );
    });
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs a write, keeping `busy` and the server's error message for the form. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<ApiResult<T>>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    const r = await fn();
    setBusy(false);
    if (r.ok) return r.value;
    setError(r.error.message);
    return null;
  }, []);
  return { busy, error, setError, run };
}

export function ErrorBox({
  message,
  testId = 'admin-error',
}: {
  message: string | null | undefined;
  testId?: string;
}) {
  if (!message) return null;
  return (
    <div className="admin-error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

export function Notice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="admin-notice" role="status" data-testid="admin-notice">
      {message}
    </div>
  );
}

export function Loading({ show }: { show: boolean }) {
  const { t } = useTranslation();
  return show ? <div className="admin-muted">{t('app.loading')}</div> : null;
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="admin-field">
      <span className="admin-field-label">{label}</span>
      {children}
      {hint ? <span className="admin-field-hint">{hint}</span> : null}
    </label>
  );
}

export function Pager({
  page,
  hasMore,
  onPage,
  total,
}: {
  page: number;
  hasMore: boolean;
  onPage: (page: number) => void;
  total?: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="admin-pager" data-testid="admin-pager">
      <button
        type="button"
        disabled={page === 0}
        onClick={() => onPage(page - 1)}
        data-testid="admin-pager-prev"
      >
        {t('admin.common.prev')}
      </button>
      <span>
        {t('admin.common.page', { n: page + 1 })}
        {total !== undefined ? ` · ${t('admin.common.total', { n: total })}` : ''}
      </span>
      <button
        type="button"
        disabled={!hasMore}
        onClick={() => onPage(page + 1)}
        data-testid="admin-pager-next"
      >
        {t('admin.common.next')}
      </button>
    </div>
  );
}

/** Locale for numbers and money: the UI language. */
export function useLocale(): string {
  const { i18n } = useTranslation();
  return i18n.language === 'zh-CN' ? 'zh-CN' : 'en-US';
}

export function Money({ minor, currency }: { minor: number; currency: string }) {
  const locale = useLocale();
  return <span className="admin-num">{formatMoney(minor, currency, locale)}</span>;
}

export function useFormatDate() {
  const locale = useLocale();
  return (iso: string | null | undefined, timeZone?: string) =>
    iso
      ? new Date(iso).toLocaleString(locale, {
          dateStyle: 'short',
          timeStyle: 'short',
          ...(timeZone ? { timeZone } : {}),
        })
      : '—';
}

/** Decimal text → minor units, or null when it is not a valid amount in that currency. */
export function parseMoney(text: string, currency: string): number | null {
  const s = text.trim();
  if (!/^\d+(\.\d*)?$/.test(s)) return null;
  try {
    return toMinor(s, currency);
  } catch {
    return null;
  }
}

export function moneyText(minor: number | undefined | null, currency: string): string {
  return minor === undefined || minor === null ? '' : formatMinor(minor, currency);
}

/** A store's name in the UI language. */
export function useStoreName() {
  const { i18n } = useTranslation();
  return (s: Store | undefined) => (s ? (i18n.language === 'zh-CN' && s.nameZh ? s.nameZh : s.name) : '—');
}

/** A catalog name in the UI language. */
export function useItemName() {
  const { i18n } = useTranslation();
  return (item: { name: string; nameZh: string | null }) =>
    i18n.language === 'zh-CN' && item.nameZh ? item.nameZh : item.name;
}

export function StoreSelect({
  value,
  onChange,
  allowAll,
  testId,
}: {
  value: string;
  onChange: (id: string) => void;
  allowAll?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const storeName = useStoreName();
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {allowAll ? <option value="">{t('admin.common.allStores')}</option> : null}
      {stores.map((s) => (
        <option key={s.id} value={s.id}>
          {storeName(s)}
        </option>
      ))}
    </select>
  );
}

export function RegisterSelect({
  value,
  onChange,
  storeId,
  testId,
}: {
  value: string;
  onChange: (id: string) => void;
  storeId?: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const { registers } = useAdmin();
  const list: Register[] = storeId ? registers.filter((r) => r.storeId === storeId) : registers;
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">{t('admin.common.allRegisters')}</option>
      {list.map((r) => (
        <option key={r.id} value={r.id}>
          {r.name}
        </option>
      ))}
    </select>
  );
}

/** Names for ids: stores, registers, staff. */
export function useNames() {
  const { stores, registers, staff } = useAdmin();
  const storeName = useStoreName();
  return {
    store: (id: string) => storeName(stores.find((s) => s.id === id)),
    register: (id: string) => registers.find((r) => r.id === id)?.name ?? id.slice(-6),
    staff: (id: string | null) => (id ? (staff.find((s) => s.id === id)?.displayName ?? id.slice(-6)) : '—'),
    currency: (storeId: string) => stores.find((s) => s.id === storeId)?.currency ?? 'USD',
  };
}

/** Navigates inside the back office (hash routes). */
export function go(path: string): void {
  window.location.hash = `#/${path}`;
}

/** Midnight today in a time zone, as an ISO instant. */
export function startOfToday(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  // the wall clock there, read as if it were UTC, minus the current instant = the zone's offset
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = wall - Math.floor(now.getTime() / 1000) * 1000;
  const midnightWall = Date.UTC(get('year'), get('month') - 1, get('day'));
  return new Date(midnightWall - offset).toISOString();
}

/** A label for a value from an open-ended set (units, movement kinds): its translation when there is one, else the value. */
export function useEnumLabel() {
  const { t, i18n } = useTranslation();
  return (group: string, value: string) => {
    const key = `admin.${group}.${value}`;
    return i18n.exists(key) ? t(key) : value;
  };
}

/** A labelled text input (text, number, date, time…) whose value is a string. */
export function TextField({
  label,
  hint,
  value,
  onChange,
  testId,
  type,
  inputMode,
}: {
  label: string;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  testId?: string;
  type?: 'text' | 'date' | 'time' | 'datetime-local' | 'email' | 'url';
  inputMode?: 'numeric' | 'decimal';
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      <input
        type={type ?? 'text'}
        data-testid={testId}
        inputMode={inputMode}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** A labelled drop-down of `options` (value and label each). */
export function SelectField({
  label,
  hint,
  value,
  onChange,
  options,
  testId,
}: {
  label: string;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  testId?: string;
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A labelled checkbox. */
export function CheckField({
  label,
  hint,
  checked,
  onChange,
  testId,
}: {
  label: string;
  hint?: string | undefined;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId?: string;
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      <input
        type="checkbox"
        data-testid={testId}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
    </Field>
  );
}

/**
 * An inline create-or-edit form in a panel: the fields (`children`, usually in `admin-grid`
 * blocks), the server's error when there is one, and the Save / Cancel bar.
 */
export function FormPanel({
  testId,
  onSubmit,
  busy,
  saveTestId,
  onCancel,
  error,
  children,
}: {
  testId: string;
  onSubmit: (e: FormEvent) => void;
  busy: boolean;
  saveTestId: string;
  onCancel: () => void;
  error?: string | null;
  children: ReactNode;
}) {
  return (
    <form className="admin-form admin-panel" data-testid={testId} onSubmit={onSubmit}>
      {children}
      {error !== undefined ? <ErrorBox message={error} /> : null}
      <SaveCancel busy={busy} testId={saveTestId} onCancel={onCancel} />
    </form>
  );
}

/** The Save / Cancel bar at the foot of an inline create-or-edit form. */
export function SaveCancel({
  busy,
  testId,
  onCancel,
}: {
  busy: boolean;
  testId: string;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="admin-actions">
      <button type="submit" className="admin-primary" disabled={busy} data-testid={testId}>
        {t('admin.common.save')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('admin.common.cancel')}
      </button>
    </div>
  );
}

/** A list table: column headings, an "empty" row when there is nothing, then the rows. */
export function ListTable({
  heads,
  columns,
  empty,
  children,
}: {
  heads: ReactNode;
  columns: number;
  empty: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="admin-table-wrap">
      <table className="admin-table">
        <thead>
          <tr>{heads}</tr>
        </thead>
        <tbody>
          {empty ? (
            <tr>
              <td colSpan={columns} className="admin-muted">
                {t('admin.common.none')}
              </td>
            </tr>
          ) : null}
          {children}
        </tbody>
      </table>
    </div>
  );
}
