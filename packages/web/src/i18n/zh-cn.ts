import { adminZhCN } from '../admin/strings.zh-cn';
import { displayZhCN } from '../display/strings.zh-cn';
import { registerZhCN } from '../register/strings.zh-cn';
import type { en } from './en';
import type { Strings } from './types';

/** 简体中文. Typed against en.ts, so a key missing here fails the type check. */
export const zhCN: Strings<typeof en> = {
  app: { name: 'OpenTill', loading: '加载中…', language: 'English' },
  register: registerZhCN,
  admin: adminZhCN,
  display: displayZhCN,
};
