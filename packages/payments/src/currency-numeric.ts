/**
 * ISO 4217 numeric codes, for the formats that carry currency as digits (EMV QR ID 53, ISO 8583
 * DE 49). The minor-unit exponents stay in @opentill/core's currency table.
 */
const NUMERIC: Readonly<Record<string, string>> = {
  AED: '784',
  ARS: '032',
  AUD: '036',
  BDT: '050',
  BHD: '048',
  BRL: '986',
  CAD: '124',
  CHF: '756',
  CLP: '152',
  CNY: '156',
  COP: '170',
  CZK: '203',
  DKK: '208',
  EGP: '818',
  EUR: '978',
  GBP: '826',
  HKD: '344',
  HUF: '348',
  IDR: '360',
  ILS: '376',
  INR: '356',
  ISK: '352',
  JOD: '400',
  JPY: '392',
  KES: '404',
  KHR: '116',
  KRW: '410',
  KWD: '414',
  LAK: '418',
  LKR: '144',
  MAD: '504',
  MMK: '104',
  MNT: '496',
  MOP: '446',
  MXN: '484',
  MYR: '458',
  NGN: '566',
  NOK: '578',
  NPR: '524',
  NZD: '554',
  OMR: '512',
  PEN: '604',
  PHP: '608',
  PKR: '586',
  PLN: '985',
  QAR: '634',
  RON: '946',
  RUB: '643',
  SAR: '682',
  SEK: '752',
  SGD: '702',
  THB: '764',
  TND: '788',
  TRY: '949',
  TWD: '901',
  UAH: '980',
  USD: '840',
  VND: '704',
  ZAR: '710',
};

const ALPHA: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(NUMERIC).map(([alpha, numeric]) => [numeric, alpha]),
);

/** '156' for 'CNY'; undefined when the code is not in the table. */
export function currencyNumeric(alpha: string): string | undefined {
  return NUMERIC[alpha];
}

/** 'CNY' for '156'; undefined when the code is not in the table. */
export function currencyAlpha(numeric: string): string | undefined {
  return ALPHA[numeric];
}
