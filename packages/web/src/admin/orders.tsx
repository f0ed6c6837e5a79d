import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { orderStatuses, qs, type OrderPage } from './admin-api';
import {
  ErrorBox,
  Loading,
  Money,
  Pager,
  RegisterSelect,
  StoreSelect,
  go,
  useFormatDate,
  useLoad,
  useNames,
  ListTable,
} from './ui';

const PAGE = 50;

/** A yyyy-mm-dd from a date input → the start of that day (local time), as an ISO instant. */
function dayStart(date: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

export function Orders() {
  const { t } = useTranslation();
  const names = useNames();
  const fmt = useFormatDate();
  const [storeId, setStoreId] = useState('');
  const [registerId, setRegisterId] = useState('');
  const [status, setStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // cursors[i] is the `before` of page i
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const before = cursors[page];
  const reset = () => setCursors([undefined]);
  const list = useLoad(
    () =>
      api<OrderPage>(
        'GET',
        `/orders${qs({ storeId, registerId, status, from: dayStart(from), to: dayStart(to, 1), before, limit: PAGE })}`,
      ),
    [storeId, registerId, status, from, to, before],
  );

  return (
    <section data-testid="admin-orders">
      <h2>{t('admin.orders.title')}</h2>
      <div className="admin-toolbar admin-filters">
        <StoreSelect
          value={storeId}
          allowAll
          onChange={(v) => {
            setStoreId(v);
            setRegisterId('');
            reset();
          }}
          testId="admin-orders-store"
        />
        <RegisterSelect
          value={registerId}
          storeId={storeId || undefined}
          onChange={(v) => {
            setRegisterId(v);
            reset();
          }}
          testId="admin-orders-register"
        />
        <select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            reset();
          }}
          data-testid="admin-orders-status"
        >
          <option value="">{t('admin.common.allStatuses')}</option>
          {orderStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`admin.orders.status.${s}`)}
            </option>
          ))}
        </select>
        <label className="admin-inline">
          {t('admin.orders.from')}
          <input
            type="date"
            value={from}
            onChange={(e) => {
              setFrom(e.target.value);
              reset();
            }}
            data-testid="admin-orders-from"
          />
        </label>
        <label className="admin-inline">
          {t('admin.orders.to')}
          <input
            type="date"
            value={to}
            onChange={(e) => {
              setTo(e.target.value);
              reset();
            }}
            data-testid="admin-orders-to"
          />
        </label>
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.common.time')}</th>
            <th>{t('admin.orders.number')}</th>
            <th>{t('admin.common.store')}</th>
            <th>{t('admin.common.register')}</th>
            <th>{t('admin.orders.cashier')}</th>
            <th>{t('admin.common.status')}</th>
            <th>{t('admin.orders.total')}</th>
            <th>{t('admin.orders.refunded')}</th>
          </>
        }
        columns={8}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((o) => (
          <tr
            key={o.id}
            className="admin-clickable"
            onClick={() => go(`orders/${o.id}`)}
            data-testid="admin-order-row"
          >
            <td>{fmt(o.createdAt)}</td>
            <td className="admin-mono">
              <a href={`#/orders/${o.id}`}>{o.id.slice(-12).toUpperCase()}</a>
            </td>
            <td>{names.store(o.storeId)}</td>
            <td>{names.register(o.registerId)}</td>
            <td>{names.staff(o.staffId)}</td>
            <td>
              <span className={`admin-badge admin-status-${o.status}`}>
                {t(`admin.orders.status.${o.status}`)}
              </span>
            </td>
            <td>
              <Money minor={o.total} currency={o.currency} />
            </td>
            <td>{o.refundedTotal ? <Money minor={o.refundedTotal} currency={o.currency} /> : '—'}</td>
          </tr>
        ))}
      </ListTable>
      <Pager
        page={page}
        hasMore={Boolean(list.data?.nextBefore)}
        onPage={(p) => {
          if (p < page) setCursors(cursors.slice(0, p + 1));
          else if (list.data?.nextBefore) setCursors([...cursors, list.data.nextBefore]);
        }}
      />
    </section>
  );
}
