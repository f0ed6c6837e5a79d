/**
 * ISO 8583 message specifications as data. A profile says how the MTI, the bitmaps and each data
 * element are written on the wire; the codec has one pack and one unpack that read the profile,
 * so a new network is a new profile, never a new branch in the codec.
 */

/** Content type of a data element (ISO 8583:1987 notation). `b` values are hex strings in the API. */
export type FieldKind = 'n' | 'an' | 'ans' | 'b' | 'z';

/**
 * How the value is written: `ascii` one byte per character; `bcd` two digits per byte, right
 * aligned (odd counts get a leading 0 nibble); `lbcd` left aligned (trailing 0 nibble);
 * `binary` raw bytes (for `b` fields).
 */
export type FieldEncoding = 'ascii' | 'bcd' | 'lbcd' | 'binary';

/** `ascii` decimal digits; `bcd` packed digits (LL = 1 byte, LLL = 2 bytes); `binary` big-endian. */
export type PrefixEncoding = 'ascii' | 'bcd' | 'binary';

/** How a fixed-length value shorter than its length is completed. */
export type Padding = 'zero-left' | 'space-right' | 'space-left' | 'none';

export interface FieldSpec {
  desc: string;
  kind: FieldKind;
  /** Fixed length, or maximum length when `prefix` > 0: characters/digits, or bytes for `b`. */
  length: number;
  /** Length-prefix digits: 0 fixed, 2 LLVAR, 3 LLLVAR. */
  prefix: 0 | 2 | 3;
  encoding: FieldEncoding;
  prefixEncoding: PrefixEncoding;
  padding: Padding;
}

export interface Iso8583Profile {
  name: string;
  description: string;
  mti: 'ascii' | 'bcd';
  /** `hex`: 16 ASCII hex characters per bitmap; `binary`: 8 bytes per bitmap. */
  bitmap: 'hex' | 'binary';
  /** Check that values match their kind (digits for `n`, …) on pack and unpack. */
  strictKinds: boolean;
  /** Data elements 2–128 the profile knows; the codec refuses any other. */
  fields: Readonly<Record<number, FieldSpec>>;
}

/** A message as the API sees it: MTI and data elements as strings (`b` elements as hex). */
export interface Iso8583Message {
  mti: string;
  fields: Record<number, string>;
}

/** Shorthand used by the profile tables: `field('n', 6)`, `field('ans', 28, 2)`. */
export function field(
  kind: FieldKind,
  length: number,
  prefix: 0 | 2 | 3 = 0,
  desc = '',
  options: Partial<Pick<FieldSpec, 'encoding' | 'prefixEncoding' | 'padding'>> = {},
): FieldSpec {
  return {
    desc,
    kind,
    length,
    prefix,
    encoding: options.encoding ?? (kind === 'b' ? 'binary' : 'ascii'),
    prefixEncoding: options.prefixEncoding ?? 'ascii',
    padding:
      options.padding ?? (prefix > 0 || kind === 'b' ? 'none' : kind === 'n' ? 'zero-left' : 'space-right'),
  };
}
