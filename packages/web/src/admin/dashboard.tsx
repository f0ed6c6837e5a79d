import { useTranslation } from 'react-i18next';
import { api, type ApiResult } from '../api/client';
import { qs, type CashSession, type OrderPage, type Store } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Loading, Money, useFormatDate, useLoad, useNames, useStoreName, startOfToday } from './ui';

interface StoreDay {
  store: Store;
  orders: number;
  voided: number;
  sales: number;
  refunds: number;
}

/** Sums today's orders of one store, paging through GET /orders (at most 20 pages of 500). */
async function storeDay(store: Store): Promise<ApiResult<StoreDay>> {
  const day: StoreDay = { store, orders: 0, voided: 0, sales: 0, refunds: 0 };
  let before: string | null = null;
  for (let i = 0; i < 20; i++) {
    const r: ApiResult<OrderPage> = await api<OrderPage>(
      'GET',
      `/orders${qs({ storeId: store.id, from: startOfToday(store.timeZone), limit: 500, before })}`,
    );
    if (!r.ok) return r;
    for (const o of r.value.items) {
      if (o.status === 'voided') day.voided += 1;
      else {
        day.orders += 1;
        day.sales += o.total;
        day.refunds += o.refundedTotal;
      }
    }
    before = r.value.nextBefore;
    if (!before) break;
  }
  return { ok: true, value: day };
}

export function Dashboard() {
  const { t } = useTranslation();
  const { stores } = useAdmin();
  const storeName = useStoreName();
  const names = useNames();
  const fmt = useFormatDate();
  const days = useLoad(async () => {
    const all = await Promise.all(stores.map(storeDay));
    const bad = all.find((r) => !r.ok);
    if (bad && !bad.ok) return bad;
    return { ok: true as const, value: all.flatMap((r) => (r.ok ? [r.value] : [])) };
  }, [stores]);
  const sessions = useLoad(() => api<{ items: CashSession[] }>('GET', '/cash-sessions?status=open'), []);

  return (
    <section data-testid="admin-dashboard">
      <h2>{t('admin.dashboard.title')}</h2>
      <h3>{t('admin.dashboard.today')}</h3>
      <ErrorBox message={days.error?.message} />
      <Loading show={days.loading && !days.data} />
      <div className="admin-cards">
        {days.data?.map((d) => (
          <div className="admin-card" key={d.store.id} data-testid={`admin-dash-store-${d.store.id}`}>
            <div className="admin-card-title">{storeName(d.store)}</div>
            <div className="admin-card-big">
              <Money minor={d.sales - d.refunds} currency={d.store.currency} />
            </div>
            <div className="admin-muted">{t('admin.dashboard.net')}</div>
            <dl className="admin-dl">
              <dt>{t('admin.dashboard.orders')}</dt>
              <dd>{d.orders}</dd>
              <dt>{t('admin.dashboard.sales')}</dt>
              <dd>
                <Money minor={d.sales} currency={d.store.currency} />
              </dd>
              <dt>{t('admin.dashboard.refunds')}</dt>
              <dd>
                <Money minor={d.refunds} currency={d.store.currency} />
              </dd>
              <dt>{t('admin.dashboard.voided')}</dt>
              <dd>{d.voided}</dd>
            </dl>
          </div>
        ))}
      </div>
      <h3>{t('admin.dashboard.openSessions')}</h3>
      <ErrorBox message={sessions.error?.message} />
      <div className="admin-table-wrap">
        <table className="admin-table" data-testid="admin-dash-sessions">
          <thead>
            <tr>
              <th>{t('admin.common.store')}</th>
              <th>{t('admin.common.register')}</th>
              <th>{t('admin.cash.openedAt')}</th>
              <th>{t('admin.cash.openedBy')}</th>
              <th>{t('admin.cash.float')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.data?.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="admin-muted">
                  {t('admin.dashboard.noSessions')}
                </td>
              </tr>
            ) : null}
            {sessions.data?.items.map((s) => (
              <tr key={s.id}>
                <td>{names.store(s.storeId)}</td>
                <td>{names.register(s.registerId)}</td>
                <td>{fmt(s.openedAt)}</td>
                <td>{names.staff(s.openedBy)}</td>
                <td>
                  <Money minor={s.openingFloat} currency={names.currency(s.storeId)} />
                </td>
                <td>
                  <a href={`#/cash/${s.id}`}>{t('admin.cash.xReport')}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
