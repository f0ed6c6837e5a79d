import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-cn';

/** Keys that were asked for but exist in neither language; the browser tests fail on any. */
export const missingKeys = new Set<string>();

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('opentill.lang') : null;

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: saved ?? (navigator.language.startsWith('zh') ? 'zh-CN' : 'en'),
  fallbackLng: false,
  interpolation: { escapeValue: false },
  saveMissing: true,
  missingKeyHandler: (_lngs, _ns, key) => {
    missingKeys.add(key);
    (window as unknown as { __opentillMissingKeys?: string[] }).__opentillMissingKeys = [...missingKeys];
  },
});

export function setLanguage(lang: 'en' | 'zh-CN'): void {
  localStorage.setItem('opentill.lang', lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export default i18n;
