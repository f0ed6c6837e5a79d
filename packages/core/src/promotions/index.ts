export * from './types';
export * from './validate';
export * from './engine';
export * from './local-time';
export * from './context';
export * from './hints';
