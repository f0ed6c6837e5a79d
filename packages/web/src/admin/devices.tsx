/**
 * Back office: devices with their own credentials (registers, customer displays, payment
 * terminals, kiosks). "Pair new" registers a device and shows its one-time pairing code, as
 * text and as a QR code; the device types (or scans) it once. Revoking takes effect at once.
 *
 * data-testid: admin-devices, admin-device-row (data-device-id, data-state), admin-device-new,
 * admin-device-kind, admin-device-name, admin-device-store, admin-device-register,
 * admin-device-create, admin-device-code, admin-device-qr, admin-device-revoke, admin-device-repair
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { QrImage } from '../display/qr-image';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, ListTable, Loading, useFormatDate, useLoad, useNames, useSubmit } from './ui';

const kinds = ['register', 'customer_display', 'payment_terminal', 'kiosk'] as const;
type Kind = (typeof kinds)[number];

interface Device {
  id: string;
  kind: Kind;
  name: string;
  storeId: string;
  registerId: string | null;
  state: 'pending' | 'paired' | 'revoked';
  pairedAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface Pairing {
  code: string;
  expiresAt: string;
}

export function Devices() {
  const { t } = useTranslation();
  const list = useLoad(() => api<{ items: Device[] }>('GET', '/devices'), []);
  const names = useNames();
  const date = useFormatDate();
  const revoke = useSubmit();
  const [shown, setShown] = useState<{ device: string; pairing: Pairing } | null>(null);
  const [adding, setAdding] = useState(false);

  const newCode = async (id: string) => {
    const r = await revoke.run(() => api<Pairing>('POST', `/devices/${id}/pairing-code`));
    if (r) setShown({ device: id, pairing: r });
  };
  const revokeOne = async (d: Device) => {
    if (!window.confirm(t('admin.devices.revokeConfirm', { name: d.name }))) return;
    const r = await api<null>('DELETE', `/devices/${d.id}`);
    revoke.setError(r.ok ? null : r.error.message);
    if (shown?.device === d.id) setShown(null);
    list.reload();
  };

  return (
    <section data-testid="admin-devices">
      <div className="admin-head">
        <h2>{t('admin.devices.title')}</h2>
        <button type="button" onClick={() => setAdding((a) => !a)} data-testid="admin-device-new">
          {adding ? t('admin.common.cancel') : t('admin.devices.pairNew')}
        </button>
      </div>
      <p className="admin-muted">{t('admin.devices.intro')}</p>
      {adding ? (
        <NewDevice
          onCreated={(device, pairing) => {
            setAdding(false);
            setShown({ device, pairing });
            list.reload();
          }}
        />
      ) : null}
      {shown ? <PairingCode pairing={shown.pairing} onClose={() => setShown(null)} /> : null}
      <ErrorBox message={list.error?.message ?? revoke.error} />
      <Loading show={list.loading && !list.data} />
      <ListTable
        columns={7}
        empty={!!list.data && list.data.items.length === 0}
        heads={
          <>
            <th>{t('admin.devices.name')}</th>
            <th>{t('admin.devices.kind')}</th>
            <th>{t('admin.devices.where')}</th>
            <th>{t('admin.devices.state')}</th>
            <th>{t('admin.devices.lastSeen')}</th>
            <th>{t('admin.devices.created')}</th>
            <th />
          </>
        }
      >
        {(list.data?.items ?? []).map((d) => (
          <tr key={d.id} data-testid="admin-device-row" data-device-id={d.id} data-state={d.state}>
            <td>{d.name}</td>
            <td>{t(`admin.devices.kinds.${d.kind}`)}</td>
            <td>
              {names.store(d.storeId)}
              {d.registerId ? ` · ${names.register(d.registerId)}` : ''}
            </td>
            <td>{t(`admin.devices.states.${d.state}`)}</td>
            <td>{d.lastSeenAt ? date(d.lastSeenAt) : '—'}</td>
            <td>{date(d.createdAt)}</td>
            <td>
              {d.state !== 'revoked' ? (
                <>
                  <button type="button" onClick={() => void newCode(d.id)} data-testid="admin-device-repair">
                    {t('admin.devices.newCode')}
                  </button>{' '}
                  <button type="button" onClick={() => void revokeOne(d)} data-testid="admin-device-revoke">
                    {t('admin.devices.revoke')}
                  </button>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}

function NewDevice({ onCreated }: { onCreated: (deviceId: string, pairing: Pairing) => void }) {
  const { t } = useTranslation();
  const { stores, registers } = useAdmin();
  const [kind, setKind] = useState<Kind>('register');
  const [name, setName] = useState('');
  const [storeId, setStoreId] = useState(stores[0]?.id ?? '');
  const here = registers.filter((r) => r.storeId === storeId);
  const [registerId, setRegisterId] = useState(here[0]?.id ?? '');
  const submit = useSubmit();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit.run(() =>
      api<{ device: { id: string }; pairing: Pairing }>('POST', '/devices', {
        kind,
        name: name.trim() || t(`admin.devices.kinds.${kind}`),
        storeId,
        ...(kind !== 'kiosk' && registerId ? { registerId } : {}),
      }),
    );
    if (r) onCreated(r.device.id, r.pairing);
  };

  return (
    <form className="admin-panel admin-form" onSubmit={(e) => void save(e)}>
      <Field label={t('admin.devices.kind')}>
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as Kind)}
          data-testid="admin-device-kind"
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t(`admin.devices.kinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('admin.devices.name')}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          data-testid="admin-device-name"
        />
      </Field>
      <Field label={t('admin.devices.store')}>
        <select
          value={storeId}
          onChange={(e) => {
            setStoreId(e.target.value);
            setRegisterId(registers.find((r) => r.storeId === e.target.value)?.id ?? '');
          }}
          data-testid="admin-device-store"
        >
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </Field>
      {kind !== 'kiosk' ? (
        <Field label={t('admin.devices.register')}>
          <select
            value={registerId}
            onChange={(e) => setRegisterId(e.target.value)}
            data-testid="admin-device-register"
          >
            {here.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <ErrorBox message={submit.error} />
      <button type="submit" disabled={submit.busy} data-testid="admin-device-create">
        {t('admin.devices.create')}
      </button>
    </form>
  );
}

function PairingCode({ pairing, onClose }: { pairing: Pairing; onClose: () => void }) {
  const { t } = useTranslation();
  const date = useFormatDate();
  return (
    <div className="admin-panel admin-pairing" role="status">
      <h3>{t('admin.devices.codeTitle')}</h3>
      <p className="admin-pairing-code" data-testid="admin-device-code">
        {pairing.code}
      </p>
      <div className="admin-pairing-qr">
        <QrImage text={pairing.code} label={t('admin.devices.qrLabel')} testId="admin-device-qr" />
      </div>
      <p className="admin-muted">{t('admin.devices.codeHint', { until: date(pairing.expiresAt) })}</p>
      <button type="button" onClick={onClose}>
        {t('admin.common.close')}
      </button>
    </div>
  );
}
