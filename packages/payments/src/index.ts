/**
 * @opentill/payments — payment protocols without I/O: cards, EMV QR (merchant-presented),
 * ISO 8583 codec and profiles, and the acquirer contract. Runs in the browser and in Node.
 * PIN blocks, DUKPT, the HSM, the terminal simulator and the TCP acquirer link need Node:
 * import them from `@opentill/payments/node`.
 */
export * from './bytes';
export * from './cards';
export * from './currency-numeric';
export * from './emv-qr';
export * from './iso8583/spec';
export * from './iso8583/profiles';
export * from './iso8583/codec';
export * from './acquirer/types';
export * from './acquirer/messages';
export * from './acquirer/sandbox-rules';
