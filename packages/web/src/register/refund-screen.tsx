import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ApprovalPrompt, type ApprovalAction } from './approval-prompt';
import { useRegister } from './register-context';
import { ErrorText, Kbd } from './widgets';

interface OrderLine {
  lineId: string;
  name: string;
  nameZh: string | null;
  unit: string;
  quantity: number;
  total: number;
  refundedQuantity: number;
}
interface Order {
  id: string;
  status: string;
  currency: string;
  total: number;
  refundedTotal: number;
  createdAt: string;
  lines: OrderLine[];
  payments: { kind: string; amount: number }[];
}
interface OrderSummary {
  id: string;
  status: string;
  total: number;
  refundedTotal: number;
  createdAt: string;
}
interface RefundResult {
  id: string;
  total: number;
  tenders: { kind: string; amount: number }[];
  order: Order;
  /** a refund as store credit: the credit note code, shown once */
  storeCredit?: { accountId: string; code: string | null };
}

const left = (l: OrderLine) => Math.round((l.quantity - l.refundedQuantity) * 1000) / 1000;

/** Find an order (scan its receipt QR, type its id, or pick a recent one), choose lines, refund. */
export function RefundScreen({
  initialOrderId,
  onBack,
}: {
  initialOrderId: string | null;
  onBack: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { session, money } = useRegister();
  const [query, setQuery] = useState(initialOrderId ?? '');
  const [recent, setRecent] = useState<OrderSummary[]>([]);
  const [order, setOrder] = useState<Order | null>(null);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [restock, setRestock] = useState(true);
  const [asCredit, setAsCredit] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [approval, setApproval] = useState<ApprovalAction | null>(null);
  const [result, setResult] = useState<RefundResult | null>(null);
  const [busy, setBusy] = useState(false);

  const open = useCallback(async (id: string) => {
    setError(null);
    setResult(null);
    const found = await api<Order>('GET', `/orders/${encodeURIComponent(id.trim())}`);
    if (!found.ok) {
      setOrder(null);
      setError(found.error.message);
      return;
    }
    setOrder(found.value);
    setQuantities({});
  }, []);

  useEffect(() => {
    void api<{ items: OrderSummary[] }>(
      'GET',
      `/orders?registerId=${encodeURIComponent(session.register.id)}&limit=20`,
    ).then((r) => {
      if (r.ok) setRecent(r.value.items);
      else setError(r.error.message);
    });
  }, [session.register.id, result]);

  useEffect(() => {
    if (initialOrderId) {
      setQuery(initialOrderId);
      void open(initialOrderId);
    }
  }, [initialOrderId, open]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        if (order) setOrder(null);
        else onBack();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [order, onBack]);

  const chosen = order ? order.lines.filter((l) => (quantities[l.lineId] ?? 0) > 0) : [];

  const submit = async (approvalId?: string) => {
    if (!order || chosen.length === 0) return;
    if (!reason.trim()) return setError(t('register.refund.needReason'));
    setBusy(true);
    setError(null);
    setApproval(null);
    const r = await api<RefundResult>(
      'POST',
      `/orders/${encodeURIComponent(order.id)}/refunds`,
      {
        lines: chosen.map((l) => ({ lineId: l.lineId, quantity: quantities[l.lineId] ?? 0, restock })),
        restock,
        reason: reason.trim(),
        ...(asCredit ? { toTender: 'store_credit' } : {}),
      },
      approvalId ? { 'x-approval-id': approvalId } : {},
    );
    setBusy(false);
    // above the store's threshold a manager approves first; then the same refund is sent again
    if (!r.ok && r.error.code === 'approval_required') {
      const action = (r.error.details as { action?: ApprovalAction } | undefined)?.action;
      if (action) return setApproval(action);
    }
    if (!r.ok) return setError(r.error.message);
    setResult(r.value);
    setOrder(r.value.order);
    setQuantities({});
    setReason('');
  };

  const name = (l: OrderLine) => (i18n.language === 'zh-CN' && l.nameZh ? l.nameZh : l.name);

  return (
    <div className="reg-page" data-testid="refund-screen">
      <header className="reg-page-head">
        <button type="button" className="reg-ghost" data-testid="refund-back" onClick={onBack}>
          ← {t('register.common.back')} <Kbd k="Esc" />
        </button>
        <h1>{t('register.refund.title')}</h1>
      </header>
      <form
        className="reg-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) void open(query);
        }}
      >
        <input
          className="reg-grow"
          data-testid="refund-order-input"
          placeholder={t('register.refund.find')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" className="reg-primary" data-testid="refund-find">
          {t('register.refund.open')}
        </button>
      </form>
      <p className="reg-muted">{t('register.refund.scanHint')}</p>
      <ErrorText message={error} />
      {approval ? (
        <ApprovalPrompt
          action={approval}
          onApproved={(approvalId) => void submit(approvalId)}
          onClose={() => setApproval(null)}
        />
      ) : null}
      {result ? (
        <div className="reg-success" data-testid="refund-result">
          <strong>{t('register.refund.done', { amount: money(result.total) })}</strong>
          <ul>
            {result.tenders.map((x, i) => (
              <li key={i}>
                {t(`register.tenders.${x.kind}`, { defaultValue: x.kind })}: {money(x.amount)}
              </li>
            ))}
          </ul>
          {result.storeCredit?.code ? (
            <p data-testid="refund-credit-code">
              {t('register.refund.creditCode')} <strong>{result.storeCredit.code}</strong>
            </p>
          ) : null}
        </div>
      ) : null}
      {order ? (
        <section className="reg-card" data-testid="refund-order" data-order-id={order.id}>
          <h2>
            {order.id} · {money(order.total)} ·{' '}
            <span data-testid="refund-order-status">
              {t(`register.refund.status.${order.status}`, { defaultValue: order.status })}
            </span>
          </h2>
          <p className="reg-muted">
            {new Date(order.createdAt).toLocaleString(i18n.language)} ·{' '}
            {t('register.refund.refunded', { amount: money(order.refundedTotal) })}
          </p>
          <ul className="reg-list">
            {order.lines.map((l) => {
              const max = left(l);
              const q = quantities[l.lineId] ?? 0;
              const stepBy = l.unit === 'each' || l.unit === 'g' ? 1 : Math.min(max, 0.1);
              return (
                <li
                  key={l.lineId}
                  className="reg-refund-line"
                  data-testid="refund-line"
                  data-line-id={l.lineId}
                >
                  <span className="reg-grow">
                    {name(l)}
                    <br />
                    <small className="reg-muted">
                      {t('register.refund.sold', { qty: l.quantity, refunded: l.refundedQuantity })} ·{' '}
                      {money(l.total)}
                    </small>
                  </span>
                  <button
                    type="button"
                    data-testid="refund-qty-minus"
                    disabled={q <= 0}
                    onClick={() =>
                      setQuantities((m) => ({
                        ...m,
                        [l.lineId]: Math.max(0, Math.round((q - stepBy) * 1000) / 1000),
                      }))
                    }
                  >
                    −
                  </button>
                  <span className="reg-qty" data-testid="refund-qty">
                    {q}
                  </span>
                  <button
                    type="button"
                    data-testid="refund-qty-plus"
                    disabled={q >= max}
                    onClick={() =>
                      setQuantities((m) => ({
                        ...m,
                        [l.lineId]: Math.min(max, Math.round((q + stepBy) * 1000) / 1000),
                      }))
                    }
                  >
                    +
                  </button>
                  <button
                    type="button"
                    data-testid="refund-line-all"
                    disabled={max <= 0}
                    onClick={() => setQuantities((m) => ({ ...m, [l.lineId]: max }))}
                  >
                    {t('register.refund.all')}
                  </button>
                </li>
              );
            })}
          </ul>
          <label className="reg-check">
            <input
              type="checkbox"
              data-testid="refund-restock"
              checked={restock}
              onChange={(e) => setRestock(e.target.checked)}
            />
            {t('register.refund.restock')}
          </label>
          <label className="reg-check">
            <input
              type="checkbox"
              data-testid="refund-as-credit"
              checked={asCredit}
              onChange={(e) => setAsCredit(e.target.checked)}
            />
            {t('register.refund.asCredit')}
          </label>
          <label>
            {t('register.refund.reason')}
            <input data-testid="refund-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button
            type="button"
            className="reg-pay"
            data-testid="refund-submit"
            disabled={busy || chosen.length === 0}
            onClick={() => void submit()}
          >
            {busy ? t('register.common.working') : t('register.refund.submit', { count: chosen.length })}
          </button>
        </section>
      ) : (
        <section>
          <h2>{t('register.refund.recent')}</h2>
          <ul className="reg-list">
            {recent.map((o) => (
              <li key={o.id}>
                <button
                  type="button"
                  className="reg-option reg-wide"
                  data-testid="refund-recent-order"
                  data-order-id={o.id}
                  onClick={() => {
                    setQuery(o.id);
                    void open(o.id);
                  }}
                >
                  <span>{new Date(o.createdAt).toLocaleTimeString(i18n.language)}</span>
                  <span className="reg-muted">{o.id}</span>
                  <strong>{money(o.total)}</strong>
                  <span>{t(`register.refund.status.${o.status}`, { defaultValue: o.status })}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
