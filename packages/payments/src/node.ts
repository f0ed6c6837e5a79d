/**
 * Everything in `@opentill/payments` plus the parts that need Node: PIN blocks and DUKPT
 * (node:crypto), the HSM contract and its software implementation, the terminal simulator, and
 * the TCP acquirer link (sandbox host and connector, node:net).
 */
export * from './index';
export * from './crypto/primitives';
export * from './crypto/pinblock';
export * from './crypto/dukpt';
export * from './crypto/hsm';
export * from './link/frame';
export * from './link/connector';
export * from './link/sandbox-host';
export * from './link/terminal-simulator';
