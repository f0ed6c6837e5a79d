import type { Strings } from '../i18n/types';
import type { displayEn } from './strings.en';

export const displayZhCN: Strings<typeof displayEn> = {
  title: '顾客显示屏',
};
