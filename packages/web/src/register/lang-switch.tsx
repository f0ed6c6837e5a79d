import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';

/** 简体中文 / English, always one tap away. */
export function LangSwitch() {
  const { t, i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  return (
    <button
      type="button"
      className="reg-lang"
      data-testid="lang-switch"
      onClick={() => setLanguage(zh ? 'en' : 'zh-CN')}
      title={t('register.header.language')}
    >
      {t('app.language')}
    </button>
  );
}
