import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createPairing, pairingUrl, unpairAll } from './pairing';
import { QrImage } from './qr-image';
import './display.css';

/**
 * For the register (signed in): open the display on this machine, or pair one on another device
 * with a 6-digit code and its QR code. Drop it into a dialog or menu: <DisplayPairingPanel registerId=… />.
 *
 * data-testid: display-panel, display-open-local, display-pair, display-pair-code, display-pair-qr,
 * display-unpair-all, display-panel-message.
 */
export function DisplayPairingPanel({ registerId, onClose }: { registerId: string; onClose?: () => void }) {
  const { t, i18n } = useTranslation();
  const [pairing, setPairing] = useState<{ code: string; expiresAt: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function pair() {
    setMessage(null);
    const res = await createPairing(registerId);
    if (res.ok) setPairing(res.value);
    else setMessage(t('display.panel.failed', { message: res.error.message }));
  }
  async function unpair() {
    const res = await unpairAll(registerId);
    setPairing(null);
    setMessage(
      res.ok
        ? t('display.panel.unpaired', { count: res.value.revoked })
        : t('display.panel.failed', { message: res.error.message }),
    );
  }
  const localUrl = `/display?register=${encodeURIComponent(registerId)}&lang=${i18n.language}`;

  return (
    <section className="disp-panel" data-testid="display-panel">
      <h2>{t('display.panel.title')}</h2>
      <div className="disp-panel-actions">
        <a
          className="disp-panel-btn"
          href={localUrl}
          target="opentill-display"
          data-testid="display-open-local"
        >
          {t('display.panel.sameMachine')}
        </a>
        <button
          type="button"
          className="disp-panel-btn"
          data-testid="display-pair"
          onClick={() => void pair()}
        >
          {pairing ? t('display.panel.newCode') : t('display.panel.otherDevice')}
        </button>
        <button
          type="button"
          className="disp-panel-btn"
          data-testid="display-unpair-all"
          onClick={() => void unpair()}
        >
          {t('display.panel.unpairAll')}
        </button>
        {onClose ? (
          <button type="button" className="disp-panel-btn" onClick={onClose}>
            {t('display.panel.close')}
          </button>
        ) : null}
      </div>
      {pairing ? (
        <div className="disp-panel-pairing">
          <p>{t('display.panel.scanOrType')}</p>
          <div className="disp-panel-code" data-testid="display-pair-code">
            {pairing.code}
          </div>
          <QrImage text={pairingUrl(pairing.code)} label={pairing.code} testId="display-pair-qr" />
          <p className="disp-panel-muted">
            {t('display.panel.expires', {
              time: new Date(pairing.expiresAt).toLocaleTimeString(i18n.language, {
                hour: '2-digit',
                minute: '2-digit',
              }),
            })}
          </p>
        </div>
      ) : null}
      {message ? (
        <p className="disp-panel-muted" data-testid="display-panel-message">
          {message}
        </p>
      ) : null}
    </section>
  );
}
