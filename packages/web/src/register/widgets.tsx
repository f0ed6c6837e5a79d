import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A shortcut hint shown on a button. */
export function Kbd({ k }: { k: string }) {
  return <kbd className="reg-kbd">{k}</kbd>;
}

export function Modal({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="reg-modal-backdrop" onClick={onClose}>
      <div
        className={wide ? 'reg-modal reg-modal-wide' : 'reg-modal'}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onClick={(e) => e.stopPropagation()}
      >
        <header className="reg-modal-head">
          <h2>{title}</h2>
          <button type="button" className="reg-ghost" data-testid="modal-close" onClick={onClose}>
            {t('register.common.close')} <Kbd k="Esc" />
          </button>
        </header>
        <div className="reg-modal-body">{children}</div>
      </div>
    </div>
  );
}

const KEYS = ['7', '8', '9', '4', '5', '6', '1', '2', '3', '.', '0', '⌫'] as const;

/** A touch keypad editing a numeric text. */
export function Keypad({
  value,
  onChange,
  decimal = true,
  testId = 'keypad',
}: {
  value: string;
  onChange: (next: string) => void;
  decimal?: boolean;
  testId?: string;
}) {
  const press = (key: (typeof KEYS)[number]) => {
    if (key === '⌫') onChange(value.slice(0, -1));
    else if (key === '.') {
      if (decimal && !value.includes('.')) onChange((value || '0') + '.');
    } else onChange(value === '0' ? key : value + key);
  };
  return (
    <div className="reg-keypad" data-testid={testId}>
      {KEYS.map((key) => (
        <button
          key={key}
          type="button"
          className="reg-key"
          data-testid={`${testId}-${key === '.' ? 'dot' : key === '⌫' ? 'back' : key}`}
          disabled={key === '.' && !decimal}
          onClick={() => press(key)}
        >
          {key}
        </button>
      ))}
    </div>
  );
}

export function ErrorText({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="reg-error" role="alert" data-testid="error">
      {message}
    </p>
  );
}
