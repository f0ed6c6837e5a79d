import { toDataURL } from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogItem, LocalSale, TenderEntry } from '../offline/contract';
import { itemName } from './names';
import { useRegister } from './register-context';
import { Kbd } from './widgets';

function ratePercent(ppm: number): string {
  return `${(ppm / 10_000).toString()}%`;
}

/** The receipt, rendered from the local sale (so it shows offline too), with its order-id QR code. */
/**
 * What the receipt prints beside a tender: a card's brand and masked number; a gift card's or
 * credit note's last four characters only (the code is a bearer secret); else the reference.
 */
function tenderNote(tender: TenderEntry): string {
  if (tender.maskedPan) return `${tender.brand?.toUpperCase() ?? ''} ${tender.maskedPan}`.trim();
  if (!tender.reference) return '';
  if (tender.kind === 'gift_card' || tender.kind === 'store_credit')
    return tender.reference.startsWith('…') ? tender.reference : `…${tender.reference.slice(-4)}`;
  return tender.reference;
}

export function ReceiptView({
  sale,
  items,
  onNewSale,
}: {
  sale: LocalSale;
  /** catalog items by variant id, for names in both languages */
  items: Map<string, CatalogItem>;
  onNewSale: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { session, money } = useRegister();
  const [qr, setQr] = useState<string | null>(null);
  // e-receipt: the token the sale carries opens /receipt/<token> (feedback there too)
  const token = (sale.body as { receiptToken?: string } | null)?.receiptToken ?? null;
  const eReceiptUrl = token ? `${window.location.origin}/receipt/${token}` : null;
  const [eQr, setEQr] = useState<string | null>(null);
  useEffect(() => {
    if (!eReceiptUrl) return;
    let live = true;
    void toDataURL(eReceiptUrl, { margin: 1, width: 140, errorCorrectionLevel: 'M' }).then((url) => {
      if (live) setEQr(url);
    });
    return () => {
      live = false;
    };
  }, [eReceiptUrl]);
  const { store, register, staff } = session;
  const { priced } = sale;

  useEffect(() => {
    let live = true;
    void toDataURL(sale.orderId, { margin: 1, width: 180, errorCorrectionLevel: 'M' }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [sale.orderId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === 'F4') {
        e.preventDefault();
        onNewSale();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onNewSale]);

  return (
    <div className="reg-receipt-screen">
      <article className="reg-receipt" data-testid="receipt" data-order-id={sale.orderId}>
        <header>
          <h2>{i18n.language === 'zh-CN' && store.nameZh ? store.nameZh : store.name}</h2>
          <p>
            {register.name} · {staff.displayName}
            <br />
            {new Date(sale.createdAt).toLocaleString(i18n.language, { timeZone: store.timeZone })}
          </p>
        </header>
        <table>
          <tbody>
            {priced.lines.map((line) => {
              const item = items.get(line.variantId);
              return (
                <tr key={line.lineId} data-testid="receipt-line">
                  <td>
                    {item ? itemName(item, i18n.language) : line.name}
                    <br />
                    <small>
                      {line.quantity.toLocaleString(i18n.language, { maximumFractionDigits: 3 })}
                      {line.unit === 'each' ? '' : ` ${t(`register.units.${line.unit}`)}`} ×{' '}
                      {money(line.unitPrice)}
                      {line.lineDiscount > 0 ? ` −${money(line.lineDiscount)}` : ''}
                    </small>
                  </td>
                  <td className="reg-num">{money(line.total)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <dl className="reg-totals">
          <dt>{t('register.cart.subtotal')}</dt>
          <dd>{money(priced.subtotal)}</dd>
          {priced.discountTotal > 0 ? (
            <>
              <dt>{t('register.cart.discounts')}</dt>
              <dd>−{money(priced.discountTotal)}</dd>
            </>
          ) : null}
          {priced.taxes.map((tax) => (
            <div className="reg-contents" key={tax.taxClassId}>
              <dt>
                {priced.taxMode === 'inclusive'
                  ? t('register.receipt.taxIncluded', { rate: ratePercent(tax.ratePpm) })
                  : t('register.receipt.tax', { rate: ratePercent(tax.ratePpm) })}
              </dt>
              <dd>{money(tax.tax)}</dd>
            </div>
          ))}
          <dt className="reg-grand">{t('register.cart.total')}</dt>
          <dd className="reg-grand" data-testid="receipt-total">
            {money(priced.total)}
          </dd>
          {sale.cashRounding !== 0 ? (
            <>
              <dt>{t('register.receipt.cashRounding')}</dt>
              <dd>{money(sale.cashRounding)}</dd>
            </>
          ) : null}
          {sale.tenders.map((tender, i) => (
            <div className="reg-contents" key={i}>
              <dt>
                {t(`register.tenders.${tender.kind}`)}
                {tenderNote(tender) ? ` (${tenderNote(tender)})` : ''}
              </dt>
              <dd>{money(tender.amount)}</dd>
            </div>
          ))}
          <dt className="reg-grand">{t('register.pay.change')}</dt>
          <dd className="reg-grand" data-testid="receipt-change">
            {money(sale.change)}
          </dd>
        </dl>
        {sale.offlineCard ? <p>{t('register.receipt.offlineCard')}</p> : null}
        <footer>
          {qr ? <img src={qr} alt={sale.orderId} data-testid="receipt-qr" width={140} height={140} /> : null}
          <p className="reg-order-id">{sale.orderId}</p>
          {eQr && eReceiptUrl ? (
            <p className="reg-e-receipt">
              <img
                src={eQr}
                alt={eReceiptUrl}
                data-testid="receipt-e-qr"
                data-url={eReceiptUrl}
                width={110}
                height={110}
              />
              <br />
              <small>{t('register.receipt.eReceipt')}</small>
            </p>
          ) : null}
          <p>{t('register.receipt.thanks')}</p>
          <p className="reg-muted reg-noprint" data-testid="receipt-sync">
            {sale.status === 'synced' ? t('register.receipt.synced') : t('register.receipt.pending')}
          </p>
        </footer>
      </article>
      <div className="reg-receipt-actions reg-noprint">
        <button type="button" data-testid="print-receipt" onClick={() => window.print()}>
          🖨 {t('register.receipt.print')}
        </button>
        <button type="button" className="reg-pay" data-testid="new-sale" onClick={onNewSale}>
          {t('register.receipt.newSale')} <Kbd k="Enter" />
        </button>
      </div>
    </div>
  );
}
