import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalSale } from '../offline/contract';
import { useRegister, useSyncState } from './register-context';
import { Modal } from './widgets';

function timeOf(iso: string | null, locale: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Online/offline, unsynced and rejected counts, last sync: always in the header. */
export function SyncBadge() {
  const { t, i18n } = useTranslation();
  const { till, money } = useRegister();
  const sync = useSyncState(till);
  const [rejected, setRejected] = useState<LocalSale[] | null>(null);

  const openRejected = async () => {
    const sales = await till.recentSales(200);
    setRejected(sales.filter((s) => s.status === 'rejected'));
  };

  const cls = !sync.online
    ? 'offline'
    : sync.rejected > 0
      ? 'rejected'
      : sync.unsynced > 0
        ? 'pending'
        : 'ok';
  return (
    <>
      <button
        type="button"
        className={`reg-sync reg-sync-${cls}`}
        data-testid="sync-badge"
        data-online={sync.online ? 'true' : 'false'}
        data-unsynced={sync.unsynced}
        data-rejected={sync.rejected}
        onClick={() => void openRejected()}
        title={sync.lastError ?? ''}
      >
        <span className="reg-dot" />
        <span>{sync.online ? t('register.sync.online') : t('register.sync.offline')}</span>
        <span data-testid="sync-unsynced">{t('register.sync.unsynced', { count: sync.unsynced })}</span>
        {sync.rejected > 0 ? (
          <span data-testid="sync-rejected" className="reg-sync-bad">
            {t('register.sync.rejected', { count: sync.rejected })}
          </span>
        ) : null}
        <span className="reg-sync-time">
          {t('register.sync.last', { time: timeOf(sync.lastSyncAt, i18n.language) })}
        </span>
      </button>
      {rejected ? (
        <Modal
          title={t('register.sync.rejectedTitle')}
          onClose={() => setRejected(null)}
          testId="rejected-list"
        >
          {rejected.length === 0 ? <p>{t('register.sync.noneRejected')}</p> : null}
          <ul className="reg-list">
            {rejected.map((s) => (
              <li key={s.orderId} data-testid="rejected-sale">
                <strong>{s.orderId}</strong> · {money(s.priced.total)} ·{' '}
                {new Date(s.createdAt).toLocaleString(i18n.language)}
                <br />
                <span className="reg-error">
                  {s.rejection?.code}: {s.rejection?.message}
                </span>
              </li>
            ))}
          </ul>
          {sync.lastError ? <p className="reg-muted">{sync.lastError}</p> : null}
        </Modal>
      ) : null}
    </>
  );
}
