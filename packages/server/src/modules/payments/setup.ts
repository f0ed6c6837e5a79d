import { randomBytes } from 'node:crypto';
import { buildMerchantQr } from '@opentill/payments';
import type { PaymentsOptions } from './service';
import { createSandboxWallet, type SandboxWallet } from './wallets';
import { createLazyAcquirer, createSimulatedTerminals, type SimulatedTerminals } from './terminals';

const COUNTRY_OF: Record<string, string> = {
  CNY: 'CN',
  USD: 'US',
  SGD: 'SG',
  BRL: 'BR',
  THB: 'TH',
  HKD: 'HK',
};

/** A dynamic EMV merchant-presented QR (one-time: amount and reference fixed) for the sandbox wallet. */
export function sandboxQr(a: { reference: string; amount: number; currency: string }): string {
  return buildMerchantQr({
    accounts: [{ id: '26', gui: 'io.opentill.sandbox', fields: { '01': 'OPENTILL-DEMO' } }],
    merchantCategoryCode: '5814',
    currency: a.currency,
    amount: a.amount,
    countryCode: COUNTRY_OF[a.currency] ?? 'CN',
    merchantName: 'OpenTill Demo',
    merchantCity: 'Shanghai',
    // ID 62/05 holds at most 25 characters: the tail of the payment id is unique enough
    reference: a.reference.replace(/[^0-9A-Za-z]/g, '').slice(-25),
    pointOfInitiation: 'dynamic',
  });
}

export interface PaymentsSetup {
  options: PaymentsOptions;
  sandboxWallet: SandboxWallet | null;
  /** the simulated payment terminals, when the server uses them (the demo, tests) */
  terminals: SimulatedTerminals | null;
}

/**
 * What the server runs with unless told otherwise: simulated payment terminals and the
 * in-process sandbox acquirer (or the acquirer at `OPENTILL_ACQUIRER_HOST`), and the sandbox
 * wallet (its callback secret made fresh at each start unless `OPENTILL_WALLET_SANDBOX_SECRET` is set).
 */
export function defaultPaymentsSetup(env: NodeJS.ProcessEnv = process.env): PaymentsSetup {
  const sandboxWallet =
    env.OPENTILL_WALLET_SANDBOX === '0'
      ? null
      : createSandboxWallet({
          secret: env.OPENTILL_WALLET_SANDBOX_SECRET ?? randomBytes(32).toString('hex'),
          buildQr: sandboxQr,
        });
  const terminals = createSimulatedTerminals(
    env.OPENTILL_CARD_TOKEN_KEY ? { tokenKey: env.OPENTILL_CARD_TOKEN_KEY } : {},
  );
  return {
    options: {
      wallets: { providers: sandboxWallet ? [sandboxWallet] : [] },
      cards: {
        terminals,
        acquirer: createLazyAcquirer(env),
        pollMs: Number(env.OPENTILL_CARD_POLL_MS ?? 2000),
      },
    },
    sandboxWallet,
    terminals,
  };
}
