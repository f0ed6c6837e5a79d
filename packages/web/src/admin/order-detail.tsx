import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Order } from './admin-api';
import { useAdmin } from './admin-context';
import {
  ErrorBox,
  Field,
  Loading,
  Money,
  Notice,
  useEnumLabel,
  useFormatDate,
  useItemName,
  useLoad,
  useNames,
  useSubmit,
} from './ui';

export function OrderDetail({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const { canWrite } = useAdmin();
  const names = useNames();
  const fmt = useFormatDate();
  const itemName = useItemName();
  const label = useEnumLabel();
  const order = useLoad(() => api<Order>('GET', `/orders/${encodeURIComponent(orderId)}`), [orderId]);
  const o = order.data;
  if (order.error) return <ErrorBox message={order.error.message} />;
  if (!o) return <Loading show />;
  const m = (minor: number) => <Money minor={minor} currency={o.currency} />;
  const refundable = o.status === 'paid' || o.status === 'partially_refunded';
  const voidable = o.status === 'paid' && o.refunds.length === 0;

  return (
    <section data-testid="admin-order">
      <div className="admin-head">
        <h2>
          {t('admin.orders.order')} <span className="admin-mono">{o.id.slice(-12).toUpperCase()}</span>
        </h2>
        <a href="#/orders">{t('admin.common.back')}</a>
      </div>
      <dl className="admin-dl admin-dl-wide">
        <dt>{t('admin.common.status')}</dt>
        <dd>
          <span className={`admin-badge admin-status-${o.status}`}>
            {t(`admin.orders.status.${o.status}`)}
          </span>
          {o.stockFlagged ? (
            <span className="admin-badge admin-badge-danger">{t('admin.orders.stockFlagged')}</span>
          ) : null}
        </dd>
        <dt>{t('admin.common.time')}</dt>
        <dd>{fmt(o.createdAt)}</dd>
        <dt>{t('admin.common.store')}</dt>
        <dd>{names.store(o.storeId)}</dd>
        <dt>{t('admin.common.register')}</dt>
        <dd>{names.register(o.registerId)}</dd>
        <dt>{t('admin.orders.cashier')}</dt>
        <dd>{names.staff(o.staffId)}</dd>
        <dt>{t('admin.orders.id')}</dt>
        <dd className="admin-mono">{o.id}</dd>
      </dl>
      <h3>{t('admin.orders.lines')}</h3>
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.products.name')}</th>
              <th>{t('admin.orders.qty')}</th>
              <th>{t('admin.orders.unitPrice')}</th>
              <th>{t('admin.orders.discount')}</th>
              <th>{t('admin.orders.tax')}</th>
              <th>{t('admin.orders.total')}</th>
              <th>{t('admin.orders.refundedQty')}</th>
            </tr>
          </thead>
          <tbody>
            {o.lines.map((l) => (
              <tr key={l.lineId} data-testid="admin-order-line">
                <td>{itemName(l)}</td>
                <td className="admin-num">
                  {l.quantity} {label('units', l.unit)}
                </td>
                <td>{m(l.unitPrice)}</td>
                <td>{l.lineDiscount + l.orderDiscount ? m(l.lineDiscount + l.orderDiscount) : '—'}</td>
                <td>{m(l.tax)}</td>
                <td>{m(l.total)}</td>
                <td>
                  {l.refundedQuantity ? `${l.refundedQuantity} · ` : ''}
                  {l.refundedAmount ? m(l.refundedAmount) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="admin-dl admin-totals">
        <dt>{t('admin.orders.subtotal')}</dt>
        <dd>{m(o.subtotal)}</dd>
        <dt>{t('admin.orders.discount')}</dt>
        <dd>{m(o.discountTotal)}</dd>
        <dt>{t('admin.orders.tax')}</dt>
        <dd>{m(o.taxTotal)}</dd>
        {o.cashRounding ? (
          <>
            <dt>{t('admin.cash.cashRounding')}</dt>
            <dd>{m(o.cashRounding)}</dd>
          </>
        ) : null}
        <dt>
          <strong>{t('admin.orders.total')}</strong>
        </dt>
        <dd>
          <strong>{m(o.total)}</strong>
        </dd>
        <dt>{t('admin.orders.change')}</dt>
        <dd>{m(o.change)}</dd>
        <dt>{t('admin.orders.refunded')}</dt>
        <dd>{m(o.refundedTotal)}</dd>
      </dl>
      <h3>{t('admin.orders.payments')}</h3>
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t('admin.cash.tender')}</th>
            <th>{t('admin.orders.amount')}</th>
            <th>{t('admin.orders.tendered')}</th>
            <th>{t('admin.orders.reference')}</th>
            <th>{t('admin.orders.refunded')}</th>
          </tr>
        </thead>
        <tbody>
          {o.payments.map((p) => (
            <tr key={p.id} data-testid="admin-order-payment">
              <td>{label('tenders', p.kind)}</td>
              <td>{m(p.amount)}</td>
              <td>{m(p.tendered)}</td>
              <td className="admin-mono">{p.reference ?? '—'}</td>
              <td>{p.refunded ? m(p.refunded) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {o.refunds.length > 0 ? (
        <>
          <h3>{t('admin.orders.refunds')}</h3>
          <table className="admin-table">
            <thead>
              <tr>
                <th>{t('admin.common.time')}</th>
                <th>{t('admin.orders.amount')}</th>
                <th>{t('admin.orders.reason')}</th>
                <th>{t('admin.movements.staff')}</th>
              </tr>
            </thead>
            <tbody>
              {o.refunds.map((r) => (
                <tr key={r.id} data-testid="admin-order-refund-row">
                  <td>{fmt(r.createdAt)}</td>
                  <td>{m(r.total)}</td>
                  <td>{r.reason ?? '—'}</td>
                  <td>{names.staff(r.staffId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {canWrite && refundable ? <RefundForm order={o} onDone={order.reload} /> : null}
      {canWrite && voidable ? <VoidForm order={o} onDone={order.reload} /> : null}
    </section>
  );
}

function RefundForm({ order: o, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const itemName = useItemName();
  const [qty, setQty] = useState<Record<string, string>>({});
  const [restock, setRestock] = useState<Record<string, boolean>>({});
  const [reason, setReason] = useState('');
  const [toTender, setToTender] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const submit = useSubmit();
  const left = (l: Order['lines'][number]) => Math.round((l.quantity - l.refundedQuantity) * 1000) / 1000;

  function all() {
    setQty(Object.fromEntries(o.lines.filter((l) => left(l) > 0).map((l) => [l.lineId, String(left(l))])));
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const lines: { lineId: string; quantity: number; restock: boolean }[] = [];
    for (const l of o.lines) {
      const text = (qty[l.lineId] ?? '').trim();
      if (!text) continue;
      if (!/^\d+(\.\d{1,3})?$/.test(text) || Number(text) <= 0 || Number(text) > left(l))
        return submit.setError(t('admin.refund.errQty', { name: itemName(l), max: left(l) }));
      lines.push({ lineId: l.lineId, quantity: Number(text), restock: restock[l.lineId] ?? true });
    }
    if (lines.length === 0) return submit.setError(t('admin.refund.errNoLines'));
    if (!reason.trim()) return submit.setError(t('admin.refund.errReason'));
    const r = await submit.run(() =>
      api('POST', `/orders/${encodeURIComponent(o.id)}/refunds`, {
        lines,
        reason: reason.trim(),
        ...(toTender ? { toTender } : {}),
      }),
    );
    if (r !== null) {
      setQty({});
      setReason('');
      setDone(t('admin.refund.done'));
      onDone();
    }
  }

  return (
    <form className="admin-form admin-panel" onSubmit={(e) => void save(e)} data-testid="admin-refund-form">
      <div className="admin-head">
        <h3>{t('admin.refund.title')}</h3>
        <button type="button" onClick={all} data-testid="admin-refund-all">
          {t('admin.refund.all')}
        </button>
      </div>
      <table className="admin-table">
        <thead>
          <tr>
            <th>{t('admin.products.name')}</th>
            <th>{t('admin.refund.left')}</th>
            <th>{t('admin.refund.qty')}</th>
            <th>{t('admin.refund.restock')}</th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.lineId}>
              <td>{itemName(l)}</td>
              <td className="admin-num">{left(l)}</td>
              <td>
                <input
                  inputMode="decimal"
                  className="admin-qty"
                  disabled={left(l) <= 0}
                  value={qty[l.lineId] ?? ''}
                  onChange={(e) => setQty({ ...qty, [l.lineId]: e.target.value })}
                  data-testid={`admin-refund-qty-${l.lineId}`}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  className="admin-big-check"
                  checked={restock[l.lineId] ?? true}
                  onChange={(e) => setRestock({ ...restock, [l.lineId]: e.target.checked })}
                  data-testid={`admin-refund-restock-${l.lineId}`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="admin-grid">
        <Field label={t('admin.orders.reason')}>
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="admin-refund-reason"
          />
        </Field>
        <Field label={t('admin.refund.to')} hint={t('admin.refund.toHint')}>
          <select
            value={toTender}
            onChange={(e) => setToTender(e.target.value)}
            data-testid="admin-refund-tender"
          >
            <option value="">{t('admin.refund.original')}</option>
            <option value="cash">{t('admin.tenders.cash')}</option>
          </select>
        </Field>
      </div>
      <ErrorBox message={submit.error} />
      <Notice message={done} />
      <div className="admin-actions">
        <button
          type="submit"
          className="admin-primary"
          disabled={submit.busy}
          data-testid="admin-refund-submit"
        >
          {t('admin.refund.submit')}
        </button>
      </div>
    </form>
  );
}

function VoidForm({ order: o, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const submit = useSubmit();

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim()) return submit.setError(t('admin.void.errReason'));
    if (!window.confirm(t('admin.void.confirm'))) return;
    const r = await submit.run(() =>
      api('POST', `/orders/${encodeURIComponent(o.id)}/void`, { reason: reason.trim() }),
    );
    if (r !== null) onDone();
  }

  return (
    <form className="admin-form admin-panel" onSubmit={(e) => void save(e)} data-testid="admin-void-form">
      <h3>{t('admin.void.title')}</h3>
      <p className="admin-muted">{t('admin.void.help')}</p>
      <div className="admin-toolbar">
        <input
          placeholder={t('admin.orders.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="admin-void-reason"
        />
        <button type="submit" className="admin-danger" disabled={submit.busy} data-testid="admin-void-submit">
          {t('admin.void.submit')}
        </button>
      </div>
      <ErrorBox message={submit.error} />
    </form>
  );
}
