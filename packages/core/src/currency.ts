/**
 * ISO 4217 currency table: minor-unit exponent per active currency, and the smallest
 * cash step (in minor units) where the country no longer circulates the smallest coin.
 * Funds/precious-metal codes without a minor unit (XAU, XDR, …) are not money for a till.
 */
export interface CurrencyInfo {
  code: string;
  exponent: number;
  /** Smallest cash step in minor units; 1 = no cash rounding. */
  cashIncrement: number;
}

const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
const EXPONENT_2 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
  'GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD ' +
  'LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN ' +
  'PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL ' +
  'THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL';

/** Cash steps in minor units, where the smallest coin is larger than one minor unit. */
const CASH_INCREMENTS: Readonly<Record<string, number>> = {
  AUD: 5, // 5 cents
  CAD: 5, // 5 cents (penny withdrawn 2013)
  CHF: 5, // 5 Rappen
  CZK: 100, // whole koruna
  DKK: 50, // 50 øre
  HKD: 10, // 10 cents
  HUF: 500, // 5 forint
  ILS: 10, // 10 agorot
  MYR: 5, // 5 sen
  NOK: 100, // whole krone
  NZD: 10, // 10 cents
  SEK: 100, // whole krona
  SGD: 5, // 5 cents
  TWD: 100, // whole dollar
  ZAR: 10, // 10 cents
};

function buildTable(): ReadonlyMap<string, CurrencyInfo> {
  const table = new Map<string, CurrencyInfo>();
  const groups: [string, number][] = [
    [EXPONENT_0, 0],
    [EXPONENT_2, 2],
    [EXPONENT_3, 3],
    [EXPONENT_4, 4],
  ];
  for (const [codes, exponent] of groups) {
    for (const code of codes.split(' ')) {
      table.set(code, Object.freeze({ code, exponent, cashIncrement: CASH_INCREMENTS[code] ?? 1 }));
    }
  }
  return table;
}

const TABLE = buildTable();

/** The table entry for an ISO 4217 code (upper case), or undefined if unknown. */
export function currencyInfo(code: string): CurrencyInfo | undefined {
  return TABLE.get(code);
}

export function isCurrency(code: string): boolean {
  return TABLE.has(code);
}

/** All known currency codes, sorted. */
export function currencyCodes(): string[] {
  return [...TABLE.keys()].sort();
}

/** Like {@link currencyInfo} but throws for an unknown code (a programmer error). */
export function requireCurrency(code: string): CurrencyInfo {
  const info = TABLE.get(code);
  if (!info) throw new RangeError(`unknown currency: ${JSON.stringify(code)}`);
  return info;
}
