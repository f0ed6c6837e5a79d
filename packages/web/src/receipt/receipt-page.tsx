/**
 * The e-receipt at /receipt/<token>: what the QR on a receipt opens, on the shopper's phone. No
 * sign-in: the 128-bit token is the key. Shows the purchase and asks for feedback once.
 *
 * data-testid: e-receipt, e-receipt-store, e-receipt-line, e-receipt-total, e-receipt-payment,
 * e-receipt-missing, e-receipt-lang, plus the feedback ids of display/marketing.tsx
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../i18n';
import { FeedbackPanel } from '../display/marketing';
import { money } from '../display/format';
import '../display/display.css';

interface EReceipt {
  order: {
    id: string;
    currency: string;
    createdAt: string;
    lines: {
      lineId: string;
      name: string;
      nameZh: string | null;
      quantity: number;
      unit: string;
      total: number;
    }[];
    subtotal: number;
    discountTotal: number;
    taxTotal: number;
    total: number;
    payments: { kind: string; amount: number }[];
  };
  store: { name: string; nameZh: string | null; address: string | null };
  feedback: { rating: number } | null;
}

export default function ReceiptPage() {
  const { t } = useTranslation();
  const token = window.location.pathname.split('/')[2] ?? '';
  const [data, setData] = useState<EReceipt | null>(null);
  const [missing, setMissing] = useState(false);
  const [lang, setLang] = useState(i18n.language);
  useEffect(() => {
    void fetch(`/api/v1/e-receipts/${encodeURIComponent(token)}`).then(async (res) => {
      if (!res.ok) return setMissing(true);
      setData((await res.json()) as EReceipt);
    });
  }, [token]);
  const zh = lang === 'zh-CN';
  const switchLang = () => {
    const next = zh ? 'en' : 'zh-CN';
    void i18n.changeLanguage(next);
    setLang(next);
  };
  const langButton = (
    <button type="button" className="erc-lang" data-testid="e-receipt-lang" onClick={switchLang}>
      {t('app.language')}
    </button>
  );
  if (missing) {
    return (
      <main className="erc" data-testid="e-receipt-missing">
        {langButton}
        <p>{t('display.receiptPage.missing')}</p>
      </main>
    );
  }
  if (!data) return <main className="erc">…</main>;
  const { order, store } = data;
  const m = (v: number) => money(v, order.currency);
  return (
    <main className="erc" data-testid="e-receipt" data-order-id={order.id}>
      {langButton}
      <h1 data-testid="e-receipt-store">{zh && store.nameZh ? store.nameZh : store.name}</h1>
      {store.address ? <p className="erc-muted">{store.address}</p> : null}
      <p className="erc-muted">
        {t('display.receiptPage.title')} · {new Date(order.createdAt).toLocaleString(lang)}
      </p>
      <table>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.lineId} data-testid="e-receipt-line">
              <td>
                {zh && l.nameZh ? l.nameZh : l.name}
                <br />
                <small className="erc-muted">× {l.quantity}</small>
              </td>
              <td className="erc-num">{m(l.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl>
        <dt>{t('display.cart.subtotal')}</dt>
        <dd>{m(order.subtotal)}</dd>
        {order.discountTotal ? (
          <>
            <dt>{t('display.cart.discount')}</dt>
            <dd>−{m(order.discountTotal)}</dd>
          </>
        ) : null}
        <dt>{t('display.cart.tax')}</dt>
        <dd>{m(order.taxTotal)}</dd>
        <dt>
          <strong>{t('display.cart.total')}</strong>
        </dt>
        <dd data-testid="e-receipt-total">
          <strong>{m(order.total)}</strong>
        </dd>
        {order.payments.map((p, i) => (
          <div key={i} style={{ display: 'contents' }} data-testid="e-receipt-payment" data-kind={p.kind}>
            <dt>{t(`register.tenders.${p.kind}`, { defaultValue: p.kind })}</dt>
            <dd>{m(p.amount)}</dd>
          </div>
        ))}
      </dl>
      {data.feedback ? (
        <p data-testid="feedback-thanks">{t('display.feedback.thanks')}</p>
      ) : (
        <FeedbackPanel token={token} source="receipt" />
      )}
    </main>
  );
}
