import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { scanPrefix, setScanPrefix } from './use-scanner';
import { Modal } from './widgets';

/** Device settings: the scanner's prefix character, and moving this device to another register. */
export function SettingsDialog({
  onClose,
  onChangeRegister,
  onPrefixChanged,
}: {
  onClose: () => void;
  onChangeRegister: () => void;
  onPrefixChanged: () => void;
}) {
  const { t } = useTranslation();
  const [prefix, setPrefix] = useState(scanPrefix());
  return (
    <Modal title={t('register.settings.title')} onClose={onClose} testId="settings-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          setScanPrefix(prefix);
          onPrefixChanged();
          onClose();
        }}
      >
        <label>
          {t('register.settings.prefix')}
          <input
            data-testid="scan-prefix"
            maxLength={1}
            value={prefix}
            onChange={(e) => setPrefix(e.target.value.slice(0, 1))}
          />
        </label>
        <p className="reg-muted">{t('register.settings.prefixHint')}</p>
        <button type="submit" className="reg-primary" data-testid="settings-save">
          {t('register.common.save')}
        </button>
        <button type="button" data-testid="change-register" onClick={onChangeRegister}>
          {t('register.settings.changeRegister')}
        </button>
      </form>
    </Modal>
  );
}
