import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'docs/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'path', 'crypto', 'kysely', 'fastify', 'pg', 'better-sqlite3'] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core is pure: take `now` as a parameter' },
        { object: 'Math', property: 'random', message: 'core is pure: take `newId` as a parameter' },
      ],
    },
  },
  {
    // the codecs stay free of I/O: crypto/ may use node:crypto, link/ node:net
    files: ['packages/payments/src/**/*.ts'],
    ignores: [
      'packages/payments/src/crypto/**',
      'packages/payments/src/link/**',
      'packages/payments/src/node.ts',
      'packages/payments/src/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'net', 'crypto', 'buffer'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
