import type { Strings } from '../i18n/types';
import type { adminEn } from './strings.en';

export const adminZhCN: Strings<typeof adminEn> = {
  title: '后台管理',
};
