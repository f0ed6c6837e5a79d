import type { Strings } from '../i18n/types';
import type { registerEn } from './strings.en';

export const registerZhCN: Strings<typeof registerEn> = {
  title: '收银台',
};
