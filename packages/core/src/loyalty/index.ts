export * from './earn';
export * from './redeem';
export * from './ledger';
