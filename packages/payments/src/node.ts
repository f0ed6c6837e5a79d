/** Everything in `@opentill/payments` plus the parts that need Node (crypto, net). */
export * from './index';
