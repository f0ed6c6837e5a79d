/** English strings. Every key here must exist in zh-cn.ts too (a test compares the key sets). */
export const en = {
  app: { name: 'OpenTill', loading: 'Loading…', language: '中文' },
} as const;
