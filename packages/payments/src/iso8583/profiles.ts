/**
 * Named ISO 8583 profiles. Each published vector in the conformance tests names the profile that
 * reproduces its bytes.
 *
 * | name | MTI | bitmap | fields | compatible with |
 * |---|---|---|---|---|
 * | `ascii` | ASCII | 16 hex chars | ASCII, ASCII LL/LLL prefixes, `b` fields raw | pyiso8583 `default_ascii` |
 * | `ascii-1993` | ASCII | 16 hex chars | as `ascii`, 1993 formats of DE 12/22/39/43 | fluidpay/iso8583 |
 * | `binary` | ASCII | 8 bytes | ASCII; DE 19 BCD, DE 49 left-aligned BCD, DE 43 right-justified | moov-io/iso8583 test spec |
 * | `opentill-link` | ASCII | 8 bytes | as `binary`, DE 52 b..16 (ISO 9564 format 0 or 4), DE 53 KSN | OpenTill acquirer link |
 *
 * Numeric fixed fields shorter than their length are zero-padded on the left in every profile
 * (moov-io and fluidpay do this; pyiso8583 would refuse the short value instead).
 */
import { field, type FieldSpec, type Iso8583Profile } from './spec';

type Row = [de: number, kind: FieldSpec['kind'], length: number, prefix: 0 | 2 | 3, desc: string];

/** ISO 8583:1987 data elements with the lengths pyiso8583's default specs use. */
const BASE_1987: Row[] = [
  [2, 'n', 19, 2, 'Primary Account Number (PAN)'],
  [3, 'n', 6, 0, 'Processing Code'],
  [4, 'n', 12, 0, 'Amount, Transaction'],
  [5, 'n', 12, 0, 'Amount, Settlement'],
  [6, 'n', 12, 0, 'Amount, Cardholder Billing'],
  [7, 'n', 10, 0, 'Transmission Date and Time'],
  [8, 'n', 8, 0, 'Amount, Cardholder Billing Fee'],
  [9, 'n', 8, 0, 'Conversion Rate, Settlement'],
  [10, 'n', 8, 0, 'Conversion Rate, Cardholder Billing'],
  [11, 'n', 6, 0, 'System Trace Audit Number'],
  [12, 'n', 6, 0, 'Time, Local Transaction'],
  [13, 'n', 4, 0, 'Date, Local Transaction'],
  [14, 'n', 4, 0, 'Date, Expiration'],
  [15, 'n', 4, 0, 'Date, Settlement'],
  [16, 'n', 4, 0, 'Date, Conversion'],
  [17, 'n', 4, 0, 'Date, Capture'],
  [18, 'n', 4, 0, 'Merchant Type'],
  [19, 'n', 3, 0, 'Acquiring Institution Country Code'],
  [20, 'n', 3, 0, 'PAN Country Code'],
  [21, 'n', 3, 0, 'Forwarding Institution Country Code'],
  [22, 'n', 3, 0, 'Point-of-Service Entry Mode'],
  [23, 'n', 3, 0, 'PAN Sequence Number'],
  [24, 'n', 3, 0, 'Network International ID (NII)'],
  [25, 'n', 2, 0, 'Point-of-Service Condition Code'],
  [26, 'n', 2, 0, 'Point-of-Service Capture Code'],
  [27, 'n', 1, 0, 'Authorizing ID Response Length'],
  [28, 'an', 9, 0, 'Amount, Transaction Fee'],
  [29, 'an', 9, 0, 'Amount, Settlement Fee'],
  [30, 'an', 9, 0, 'Amount, Transaction Processing Fee'],
  [31, 'an', 9, 0, 'Amount, Settlement Processing Fee'],
  [32, 'n', 11, 2, 'Acquiring Institution ID Code'],
  [33, 'n', 11, 2, 'Forwarding Institution ID Code'],
  [34, 'ans', 28, 2, 'Primary Account Number, Extended'],
  [35, 'z', 37, 2, 'Track 2 Data'],
  [36, 'ans', 104, 3, 'Track 3 Data'],
  [37, 'an', 12, 0, 'Retrieval Reference Number'],
  [38, 'an', 6, 0, 'Authorization ID Response'],
  [39, 'an', 2, 0, 'Response Code'],
  [40, 'an', 3, 0, 'Service Restriction Code'],
  [41, 'ans', 8, 0, 'Card Acceptor Terminal ID'],
  [42, 'ans', 15, 0, 'Card Acceptor ID Code'],
  [43, 'ans', 40, 0, 'Card Acceptor Name/Location'],
  [44, 'ans', 25, 2, 'Additional Response Data'],
  [45, 'ans', 76, 2, 'Track 1 Data'],
  [46, 'ans', 999, 3, 'Additional Data - ISO'],
  [47, 'ans', 999, 3, 'Additional Data - National'],
  [48, 'ans', 999, 3, 'Additional Data - Private'],
  [49, 'n', 3, 0, 'Currency Code, Transaction'],
  [50, 'n', 3, 0, 'Currency Code, Settlement'],
  [51, 'n', 3, 0, 'Currency Code, Cardholder Billing'],
  [52, 'b', 8, 0, 'PIN Data'],
  [53, 'n', 16, 0, 'Security-Related Control Information'],
  [54, 'ans', 240, 3, 'Additional Amounts'],
  [55, 'b', 255, 3, 'ICC Data'],
  [56, 'ans', 999, 3, 'Reserved ISO'],
  [57, 'ans', 999, 3, 'Reserved National'],
  [58, 'ans', 999, 3, 'Reserved National'],
  [59, 'ans', 999, 3, 'Reserved National'],
  [60, 'ans', 999, 3, 'Reserved National'],
  [61, 'ans', 999, 3, 'Reserved Private'],
  [62, 'ans', 999, 3, 'Reserved Private'],
  [63, 'ans', 999, 3, 'Reserved Private'],
  [64, 'b', 8, 0, 'Message Authentication Code'],
  [65, 'b', 8, 0, 'Bitmap, Extended'],
  [66, 'n', 1, 0, 'Settlement Code'],
  [67, 'n', 2, 0, 'Extended Payment Code'],
  [68, 'n', 3, 0, 'Receiving Institution Country Code'],
  [69, 'n', 3, 0, 'Settlement Institution Country Code'],
  [70, 'n', 3, 0, 'Network Management Information Code'],
  [71, 'n', 4, 0, 'Message Number'],
  [72, 'n', 4, 0, 'Message Number, Last'],
  [73, 'n', 6, 0, 'Date, Action'],
  [74, 'n', 10, 0, 'Credits, Number'],
  [75, 'n', 10, 0, 'Credits, Reversal Number'],
  [76, 'n', 10, 0, 'Debits, Number'],
  [77, 'n', 10, 0, 'Debits, Reversal Number'],
  [78, 'n', 10, 0, 'Transfer, Number'],
  [79, 'n', 10, 0, 'Transfer, Reversal Number'],
  [80, 'n', 10, 0, 'Inquiries, Number'],
  [81, 'n', 10, 0, 'Authorizations, Number'],
  [82, 'n', 12, 0, 'Credits, Processing Fee Amount'],
  [83, 'n', 12, 0, 'Credits, Transaction Fee Amount'],
  [84, 'n', 12, 0, 'Debits, Processing Fee Amount'],
  [85, 'n', 12, 0, 'Debits, Transaction Fee Amount'],
  [86, 'n', 16, 0, 'Credits, Amount'],
  [87, 'n', 16, 0, 'Credits, Reversal Amount'],
  [88, 'n', 16, 0, 'Debits, Amount'],
  [89, 'n', 16, 0, 'Debits, Reversal Amount'],
  [90, 'n', 42, 0, 'Original Data Elements'],
  [91, 'an', 1, 0, 'File Update Code'],
  [92, 'an', 2, 0, 'File Security Code'],
  [93, 'an', 5, 0, 'Response Indicator'],
  [94, 'an', 7, 0, 'Service Indicator'],
  [95, 'an', 42, 0, 'Replacement Amounts'],
  [96, 'b', 8, 0, 'Message Security Code'],
  [97, 'an', 17, 0, 'Amount, Net Settlement'],
  [98, 'ans', 25, 0, 'Payee'],
  [99, 'n', 11, 2, 'Settlement Institution ID Code'],
  [100, 'n', 11, 2, 'Receiving Institution ID Code'],
  [101, 'ans', 17, 2, 'File Name'],
  [102, 'ans', 28, 2, 'Account ID 1'],
  [103, 'ans', 28, 2, 'Account ID 2'],
  [104, 'ans', 100, 3, 'Transaction Description'],
  ...Array.from({ length: 23 }, (_, i): Row => {
    const de = 105 + i;
    const desc =
      de <= 111
        ? 'Reserved for ISO Use'
        : de <= 119
          ? 'Reserved for National Use'
          : 'Reserved for Private Use';
    return [de, 'ans', 999, 3, desc];
  }),
  [128, 'b', 8, 0, 'Message Authentication Code'],
];

function table(rows: Row[]): Record<number, FieldSpec> {
  const out: Record<number, FieldSpec> = {};
  for (const [de, kind, length, prefix, desc] of rows) out[de] = field(kind, length, prefix, desc);
  return out;
}

const base = table(BASE_1987);

export const ASCII: Iso8583Profile = {
  name: 'ascii',
  description:
    'ASCII MTI, 16-character hex-string bitmaps, ASCII fields with ASCII LL/LLL length prefixes, binary fields as raw bytes (pyiso8583 default_ascii)',
  mti: 'ascii',
  bitmap: 'hex',
  strictKinds: false,
  fields: base,
};

export const ASCII_1993: Iso8583Profile = {
  name: 'ascii-1993',
  description:
    'ISO 8583:1993 in ASCII with hex-string bitmaps: DE 12 n12 YYMMDDhhmmss, DE 22 an12 POS data code, DE 39 n3 action code, DE 43 ans..99 LLVAR (fluidpay/iso8583)',
  mti: 'ascii',
  bitmap: 'hex',
  strictKinds: true,
  fields: {
    ...base,
    12: field('n', 12, 0, 'Date and Time, Local Transaction'),
    22: field('an', 12, 0, 'Point of Service Data Code'),
    24: field('n', 3, 0, 'Function Code'),
    39: field('n', 3, 0, 'Action Code'),
    43: field('ans', 99, 2, 'Card Acceptor Name/Location'),
  },
};

export const BINARY: Iso8583Profile = {
  name: 'binary',
  description:
    'ASCII MTI, 8-byte binary bitmaps, ASCII fields with ASCII LL/LLL prefixes; DE 19 BCD, DE 49 left-aligned BCD, DE 43 right-justified (moov-io/iso8583 test spec)',
  mti: 'ascii',
  bitmap: 'binary',
  strictKinds: true,
  fields: {
    ...base,
    19: field('n', 3, 0, 'Acquiring Institution Country Code', { encoding: 'bcd' }),
    43: field('ans', 40, 0, 'Card Acceptor Name/Location', { padding: 'space-left' }),
    49: field('n', 3, 0, 'Currency Code, Transaction', { encoding: 'lbcd' }),
  },
};

/**
 * The acquirer link between OpenTill and its sandbox host (and the shape a production adapter
 * maps to its network): binary bitmaps; DE 52 carries an 8-byte ISO format-0 block (TDES DUKPT)
 * or a 16-byte ISO format-4 block (AES DUKPT) with a binary length byte; DE 53 carries the KSN as
 * hex (20 characters TDES, 24 AES).
 */
export const OPENTILL_LINK: Iso8583Profile = {
  name: 'opentill-link',
  description:
    'OpenTill acquirer link: as binary, with DE 52 b..16 (ISO 9564 format 0 or 4 PIN block) and DE 53 ans..24 (DUKPT KSN as hex)',
  mti: 'ascii',
  bitmap: 'binary',
  strictKinds: true,
  fields: {
    ...base,
    52: field('b', 16, 2, 'PIN Data', { prefixEncoding: 'binary' }),
    53: field('ans', 24, 2, 'Security-Related Control Information (DUKPT KSN)'),
  },
};

export const PROFILES: Readonly<Record<string, Iso8583Profile>> = {
  ascii: ASCII,
  'ascii-1993': ASCII_1993,
  binary: BINARY,
  'opentill-link': OPENTILL_LINK,
};

export function profileByName(name: string): Iso8583Profile | undefined {
  return Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
}
