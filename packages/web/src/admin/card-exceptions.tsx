import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ErrorBox, ListTable, Loading, Money, useEnumLabel, useFormatDate, useLoad, useNames } from './ui';

/** An offline card sale the acquirer declined when it was forwarded (GET /payments/card/exceptions). */
interface CardException {
  id: string;
  amount: number;
  currency: string;
  maskedPan: string | null;
  brand: string | null;
  entryMode: string | null;
  responseCode: string | null;
  orderId: string | null;
  registerId: string | null;
  createdAt: string;
}

/**
 * Card sales the registers took offline (under their floor limit) that the acquirer declined
 * once the network returned: the goods left the store unpaid, so a manager follows each one up.
 */
export function CardExceptions() {
  const { t } = useTranslation();
  const names = useNames();
  const fmt = useFormatDate();
  const label = useEnumLabel();
  const list = useLoad(() => api<{ items: CardException[] }>('GET', '/payments/card/exceptions'), []);

  return (
    <section data-testid="admin-card-exceptions">
      <h2>{t('admin.cardExceptions.title')}</h2>
      <p className="admin-muted">{t('admin.cardExceptions.intro')}</p>
      <div className="admin-toolbar">
        <button type="button" onClick={list.reload} data-testid="admin-card-exceptions-reload">
          {t('admin.cardExceptions.reload')}
        </button>
      </div>
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        heads={
          <>
            <th>{t('admin.cardExceptions.takenAt')}</th>
            <th>{t('admin.common.register')}</th>
            <th>{t('admin.cardExceptions.card')}</th>
            <th>{t('admin.cardExceptions.amount')}</th>
            <th>{t('admin.cardExceptions.response')}</th>
            <th>{t('admin.orders.order')}</th>
          </>
        }
        columns={6}
        empty={list.data?.items.length === 0}
      >
        {list.data?.items.map((x) => (
          <tr key={x.id} data-testid="admin-card-exception-row" data-order-id={x.orderId ?? ''}>
            <td>{fmt(x.createdAt)}</td>
            <td>{x.registerId ? names.register(x.registerId) : '—'}</td>
            <td data-testid="admin-card-exception-card">
              {[x.brand?.toUpperCase(), x.maskedPan].filter(Boolean).join(' ') || '—'}
            </td>
            <td>
              <Money minor={x.amount} currency={x.currency} />
            </td>
            <td data-testid="admin-card-exception-code" data-code={x.responseCode ?? ''}>
              {x.responseCode ? `${x.responseCode} · ${label('cardExceptions.codes', x.responseCode)}` : '—'}
            </td>
            <td>{x.orderId ? <a href={`#/orders/${x.orderId}`}>{x.orderId.slice(-8)}</a> : '—'}</td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}
