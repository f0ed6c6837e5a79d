import { adminEn } from '../admin/strings.en';
import { displayEn } from '../display/strings.en';
import { registerEn } from '../register/strings.en';

/** English strings. Each surface keeps its own file; zh-cn.ts mirrors this shape exactly. */
export const en = {
  app: { name: 'OpenTill', loading: 'Loading…', language: '中文' },
  register: registerEn,
  admin: adminEn,
  display: displayEn,
};
