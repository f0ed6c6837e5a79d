/**
 * Analytics (back office): sales by hour, day, weekday, week, register and staff; basket size
 * and value; payment mix; top and bottom products and categories; refunds, voids and
 * discounts; stock turnover and days of cover; the reorder list and RFM segments. Filters by
 * store and a range of the store's local dates; every table downloads as CSV from the server.
 *
 * Test ids: admin-analytics, admin-an-store, admin-an-from, admin-an-to, admin-an-refresh,
 *   admin-an-summary, admin-an-chart-<name>, admin-an-table-<name>, admin-an-csv-<name>
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { currencyInfo } from '@opentill/core';
import { api, getToken } from '../api/client';
import { qs } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Loading, Money, useLoad, useStoreName } from './ui';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

interface SalesRow {
  key: string;
  label: string;
  orders: number;
  sales: number;
  discounts: number;
  items: number;
  refunds: number;
  refundTotal: number;
  voids: number;
  voidTotal: number;
  averageBasketValue: number;
  averageBasketItems: number;
}
interface PaymentRow {
  kind: string;
  payments: number;
  amount: number;
  share: number;
}
interface ProductRow {
  id: string;
  name: string;
  nameZh: string | null;
  quantity: number;
  revenue: number;
  lines: number;
  refundedQuantity: number;
  refundedRevenue: number;
  netQuantity: number;
  netRevenue: number;
}
interface CoverRow {
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  onHand: number;
  sold: number;
  turnover: number | null;
  daysOfCover: number | null;
}
interface ReorderRow {
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  onHand: number;
  onOrder: number;
  demandPerDay: number;
  reorderPoint: number;
  quantity: number;
}
interface SegmentRow {
  segment: string;
  currency: string;
  customers: number;
  monetary: number;
}

function localDate(timeZone: string, offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}

/** One ECharts instance bound to a div, resized with the window, disposed on unmount. */
function Chart({ option, testId }: { option: echarts.EChartsCoreOption; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current);
    const onResize = () => chart.current?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={ref} className="admin-chart" data-testid={testId} />;
}

/** Downloads the server's CSV of a table (the bearer token rides along, so no plain link). */
async function downloadCsv(path: string, name: string) {
  const token = getToken();
  const res = await fetch(`/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.csv`;
  a.click();
  URL.revokeObjectURL(url);
}

function CsvButton({ path, name }: { path: string; name: string }) {
  const { t } = useTranslation();
  const sep = path.includes('?') ? '&' : '?';
  return (
    <button
      type="button"
      className="admin-small"
      data-testid={`admin-an-csv-${name}`}
      onClick={() => void downloadCsv(`${path}${sep}format=csv`, name)}
    >
      {t('admin.analytics.csv')}
    </button>
  );
}

export function Analytics() {
  const { t, i18n } = useTranslation();
  const { stores, canWrite } = useAdmin();
  const storeName = useStoreName();
  const [storeId, setStoreId] = useState(stores[0]?.id ?? '');
  const store = stores.find((s) => s.id === storeId) ?? stores[0];
  const tz = store?.timeZone ?? 'UTC';
  const [from, setFrom] = useState(() => localDate(tz, -29));
  const [to, setTo] = useState(() => localDate(tz));
  const [by, setBy] = useState<'day' | 'week' | 'register' | 'staff'>('day');
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState(false);
  const currency = store?.currency ?? 'USD';
  const zh = i18n.language === 'zh-CN';
  const name = (r: { name: string; nameZh: string | null }) => (zh && r.nameZh ? r.nameZh : r.name);
  const range = qs({ storeId, from, to });
  const deps = [range, tick];

  const summary = useLoad(() => api<SalesRow>('GET', `/insights/summary${range}`), deps);
  const hours = useLoad(() => api<{ items: SalesRow[] }>('GET', `/insights/sales${range}&by=hour`), deps);
  const days = useLoad(() => api<{ items: SalesRow[] }>('GET', `/insights/sales${range}&by=day`), deps);
  const weekdays = useLoad(
    () => api<{ items: SalesRow[] }>('GET', `/insights/sales${range}&by=weekday`),
    deps,
  );
  const grouped = useLoad(
    () => api<{ items: SalesRow[] }>('GET', `/insights/sales${range}&by=${by}`),
    [...deps, by],
  );
  const payments = useLoad(() => api<{ items: PaymentRow[] }>('GET', `/insights/payments${range}`), deps);
  const top = useLoad(
    () => api<{ items: ProductRow[] }>('GET', `/insights/products${range}&order=top&limit=10`),
    deps,
  );
  const bottom = useLoad(
    () => api<{ items: ProductRow[] }>('GET', `/insights/products${range}&order=bottom&limit=10`),
    deps,
  );
  const categories = useLoad(
    () => api<{ items: ProductRow[] }>('GET', `/insights/products${range}&by=category&limit=50`),
    deps,
  );
  const cover = useLoad(() => api<{ items: CoverRow[] }>('GET', `/insights/stock${range}&limit=20`), deps);
  const reorder = useLoad(
    () => api<{ items: ReorderRow[] }>('GET', `/insights/reorder${qs({ storeId })}`),
    [storeId, tick],
  );
  const segments = useLoad(() => api<{ items: SegmentRow[] }>('GET', '/insights/segments'), [tick]);

  async function refresh() {
    setBusy(true);
    if (canWrite) await api('POST', '/insights/refresh');
    setBusy(false);
    setTick((n) => n + 1);
  }

  const weekdayNames = t('admin.analytics.weekdays').split(',');
  const s = summary.data;
  const err = summary.error ?? hours.error ?? payments.error ?? reorder.error;

  return (
    <section data-testid="admin-analytics">
      <h2>{t('admin.analytics.title')}</h2>
      <div className="admin-toolbar">
        <label>
          {t('admin.common.store')}{' '}
          <select value={storeId} onChange={(e) => setStoreId(e.target.value)} data-testid="admin-an-store">
            {stores.map((st) => (
              <option key={st.id} value={st.id}>
                {storeName(st)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.analytics.from')}{' '}
          <input
            type="date"
            value={from}
            max={to}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="admin-an-from"
          />
        </label>
        <label>
          {t('admin.analytics.to')}{' '}
          <input
            type="date"
            value={to}
            min={from}
            onChange={(e) => setTo(e.target.value)}
            data-testid="admin-an-to"
          />
        </label>
        <button type="button" onClick={() => void refresh()} disabled={busy} data-testid="admin-an-refresh">
          {t('admin.common.refresh')}
        </button>
        <span className="admin-muted">{t('admin.analytics.timeZone', { tz })}</span>
      </div>
      <ErrorBox message={err?.message} />
      <Loading show={summary.loading && !summary.data} />

      {s ? (
        <div className="admin-cards" data-testid="admin-an-summary">
          <Card label={t('admin.analytics.orders')} value={String(s.orders)} />
          <Card label={t('admin.analytics.sales')} value={<Money minor={s.sales} currency={currency} />} />
          <Card
            label={t('admin.analytics.basketValue')}
            value={<Money minor={s.averageBasketValue} currency={currency} />}
          />
          <Card label={t('admin.analytics.basketItems')} value={String(s.averageBasketItems)} />
          <Card
            label={t('admin.analytics.discounts')}
            value={<Money minor={s.discounts} currency={currency} />}
          />
          <Card
            label={t('admin.analytics.refunds', { n: s.refunds })}
            value={<Money minor={s.refundTotal} currency={currency} />}
          />
          <Card
            label={t('admin.analytics.voids', { n: s.voids })}
            value={<Money minor={s.voidTotal} currency={currency} />}
          />
        </div>
      ) : null}

      <div className="admin-chart-grid">
        <figure>
          <figcaption>{t('admin.analytics.byHour')}</figcaption>
          <Chart
            testId="admin-an-chart-hour"
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 60, right: 16, top: 16, bottom: 28 },
              xAxis: { type: 'category', data: (hours.data?.items ?? []).map((r) => r.label) },
              yAxis: { type: 'value' },
              series: [
                {
                  type: 'bar',
                  name: t('admin.analytics.orders'),
                  data: (hours.data?.items ?? []).map((r) => r.orders),
                },
              ],
            }}
          />
        </figure>
        <figure>
          <figcaption>{t('admin.analytics.byDay')}</figcaption>
          <Chart
            testId="admin-an-chart-day"
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 60, right: 16, top: 16, bottom: 28 },
              xAxis: { type: 'category', data: (days.data?.items ?? []).map((r) => r.key.slice(5)) },
              yAxis: { type: 'value' },
              series: [
                {
                  type: 'line',
                  smooth: true,
                  name: t('admin.analytics.sales'),
                  data: (days.data?.items ?? []).map(
                    (r) => r.sales / 10 ** (currencyInfo(currency)?.exponent ?? 2),
                  ),
                },
              ],
            }}
          />
        </figure>
        <figure>
          <figcaption>{t('admin.analytics.byWeekday')}</figcaption>
          <Chart
            testId="admin-an-chart-weekday"
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 60, right: 16, top: 16, bottom: 28 },
              xAxis: {
                type: 'category',
                data: (weekdays.data?.items ?? []).map(
                  (r) => weekdayNames[Number(r.key.slice(0, 1)) - 1] ?? r.key,
                ),
              },
              yAxis: { type: 'value' },
              series: [
                {
                  type: 'bar',
                  name: t('admin.analytics.orders'),
                  data: (weekdays.data?.items ?? []).map((r) => r.orders),
                },
              ],
            }}
          />
        </figure>
        <figure>
          <figcaption>{t('admin.analytics.paymentMix')}</figcaption>
          <Chart
            testId="admin-an-chart-payments"
            option={{
              tooltip: { trigger: 'item' },
              legend: { bottom: 0 },
              series: [
                {
                  type: 'pie',
                  radius: ['35%', '65%'],
                  data: (payments.data?.items ?? []).map((p) => ({
                    name: t(`admin.analytics.tender.${p.kind}`, { defaultValue: p.kind }),
                    value: p.amount,
                  })),
                },
              ],
            }}
          />
        </figure>
      </div>

      <TableBlock
        title={t('admin.analytics.salesTable')}
        name="sales"
        csv={`/insights/sales${range}&by=${by}`}
      >
        <select value={by} onChange={(e) => setBy(e.target.value as typeof by)} data-testid="admin-an-by">
          {(['day', 'week', 'register', 'staff'] as const).map((b) => (
            <option key={b} value={b}>
              {t(`admin.analytics.by.${b}`)}
            </option>
          ))}
        </select>
        <table className="admin-table" data-testid="admin-an-table-sales">
          <thead>
            <tr>
              <th>{t(`admin.analytics.by.${by}`)}</th>
              <th>{t('admin.analytics.orders')}</th>
              <th>{t('admin.analytics.sales')}</th>
              <th>{t('admin.analytics.basketValue')}</th>
              <th>{t('admin.analytics.basketItems')}</th>
              <th>{t('admin.analytics.discounts')}</th>
              <th>{t('admin.analytics.refundsCol')}</th>
              <th>{t('admin.analytics.voidsCol')}</th>
            </tr>
          </thead>
          <tbody>
            {(grouped.data?.items ?? []).map((r) => (
              <tr key={r.key}>
                <td>{r.label}</td>
                <td className="admin-num">{r.orders}</td>
                <td>
                  <Money minor={r.sales} currency={currency} />
                </td>
                <td>
                  <Money minor={r.averageBasketValue} currency={currency} />
                </td>
                <td className="admin-num">{r.averageBasketItems}</td>
                <td>
                  <Money minor={r.discounts} currency={currency} />
                </td>
                <td>
                  <Money minor={r.refundTotal} currency={currency} />
                </td>
                <td className="admin-num">{r.voids}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBlock>

      {(
        [
          [
            'top',
            t('admin.analytics.topProducts'),
            top.data?.items,
            `/insights/products${range}&order=top&limit=10`,
          ],
          [
            'bottom',
            t('admin.analytics.bottomProducts'),
            bottom.data?.items,
            `/insights/products${range}&order=bottom&limit=10`,
          ],
          [
            'categories',
            t('admin.analytics.categories'),
            categories.data?.items,
            `/insights/products${range}&by=category&limit=50`,
          ],
        ] as const
      ).map(([key, title, rows, csv]) => (
        <TableBlock key={key} title={title} name={key} csv={csv}>
          <table className="admin-table" data-testid={`admin-an-table-${key}`}>
            <thead>
              <tr>
                <th>{t('admin.analytics.name')}</th>
                <th>{t('admin.analytics.quantity')}</th>
                <th>{t('admin.analytics.revenue')}</th>
                <th>{t('admin.analytics.refundedQty')}</th>
                <th>{t('admin.analytics.refundedRevenue')}</th>
                <th>{t('admin.analytics.netRevenue')}</th>
              </tr>
            </thead>
            <tbody>
              {(rows ?? []).map((r) => (
                <tr key={r.id || '-'}>
                  <td>{name(r)}</td>
                  <td className="admin-num">{r.quantity}</td>
                  <td>
                    <Money minor={r.revenue} currency={currency} />
                  </td>
                  <td className="admin-num">{r.refundedQuantity}</td>
                  <td>
                    <Money minor={r.refundedRevenue} currency={currency} />
                  </td>
                  <td>
                    <Money minor={r.netRevenue} currency={currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBlock>
      ))}

      <TableBlock title={t('admin.analytics.cover')} name="stock" csv={`/insights/stock${range}&limit=20`}>
        <table className="admin-table" data-testid="admin-an-table-stock">
          <thead>
            <tr>
              <th>SKU</th>
              <th>{t('admin.analytics.name')}</th>
              <th>{t('admin.analytics.onHand')}</th>
              <th>{t('admin.analytics.sold')}</th>
              <th>{t('admin.analytics.turnover')}</th>
              <th>{t('admin.analytics.daysOfCover')}</th>
            </tr>
          </thead>
          <tbody>
            {(cover.data?.items ?? []).map((r) => (
              <tr key={r.variantId}>
                <td>{r.sku}</td>
                <td>{name(r)}</td>
                <td className="admin-num">{r.onHand}</td>
                <td className="admin-num">{r.sold}</td>
                <td className="admin-num">{r.turnover ?? '—'}</td>
                <td className="admin-num">{r.daysOfCover ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBlock>

      <TableBlock
        title={t('admin.analytics.reorder')}
        name="reorder"
        csv={`/insights/reorder${qs({ storeId })}`}
      >
        {canWrite && (reorder.data?.items.length ?? 0) > 0 ? (
          <button
            type="button"
            data-testid="admin-an-draft-po"
            onClick={() =>
              void api('POST', '/insights/purchase-orders', { storeId }).then(() => setTick((n) => n + 1))
            }
          >
            {t('admin.analytics.draftPo')}
          </button>
        ) : null}
        <table className="admin-table" data-testid="admin-an-table-reorder">
          <thead>
            <tr>
              <th>SKU</th>
              <th>{t('admin.analytics.name')}</th>
              <th>{t('admin.analytics.onHand')}</th>
              <th>{t('admin.analytics.onOrder')}</th>
              <th>{t('admin.analytics.perDay')}</th>
              <th>{t('admin.analytics.reorderPoint')}</th>
              <th>{t('admin.analytics.suggested')}</th>
            </tr>
          </thead>
          <tbody>
            {reorder.data?.items.length === 0 ? (
              <tr>
                <td colSpan={7} className="admin-muted">
                  {t('admin.analytics.nothingToReorder')}
                </td>
              </tr>
            ) : null}
            {(reorder.data?.items ?? []).map((r) => (
              <tr key={r.variantId}>
                <td>{r.sku}</td>
                <td>{name(r)}</td>
                <td className="admin-num">{r.onHand}</td>
                <td className="admin-num">{r.onOrder}</td>
                <td className="admin-num">{r.demandPerDay.toFixed(2)}</td>
                <td className="admin-num">{r.reorderPoint.toFixed(1)}</td>
                <td className="admin-num">{r.quantity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBlock>

      <TableBlock title={t('admin.analytics.segments')} name="segments" csv="/insights/segments">
        <table className="admin-table" data-testid="admin-an-table-segments">
          <thead>
            <tr>
              <th>{t('admin.analytics.segment')}</th>
              <th>{t('admin.analytics.currency')}</th>
              <th>{t('admin.analytics.customers')}</th>
              <th>{t('admin.analytics.monetary')}</th>
            </tr>
          </thead>
          <tbody>
            {(segments.data?.items ?? []).map((r) => (
              <tr key={`${r.segment}-${r.currency}`}>
                <td>{t(`admin.analytics.segmentName.${r.segment}`, { defaultValue: r.segment })}</td>
                <td>{r.currency}</td>
                <td className="admin-num">{r.customers}</td>
                <td>
                  <Money minor={r.monetary} currency={r.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBlock>
    </section>
  );
}

function Card({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="admin-card">
      <div className="admin-muted">{label}</div>
      <div className="admin-card-big">{value}</div>
    </div>
  );
}

function TableBlock({
  title,
  name,
  csv,
  children,
}: {
  title: string;
  name: string;
  csv: string;
  children: React.ReactNode;
}) {
  return (
    <div className="admin-an-block">
      <h3>
        {title} <CsvButton path={csv} name={name} />
      </h3>
      <div className="admin-table-wrap">{children}</div>
    </div>
  );
}
