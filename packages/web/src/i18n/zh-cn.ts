import type { en } from './en';

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

/** 简体中文. Typed against en.ts, so a key missing here fails the type check. */
export const zhCN: Strings<typeof en> = {
  app: { name: 'OpenTill', loading: '加载中…', language: 'English' },
};
