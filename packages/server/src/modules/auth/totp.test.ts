import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp, type OtpHash } from './totp';

interface Vectors {
  hotp: { secret_ascii: string; vectors: { counter: number; expected_hotp: string }[] };
  totp: {
    secrets: Record<OtpHash, { ascii: string }>;
    vectors: { unix_time: number; expected: Record<OtpHash, string> }[];
  };
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../../../../shared/vectors/totp.json', import.meta.url), 'utf8'),
) as Vectors;

describe('HOTP and TOTP against the published vectors', () => {
  it('reproduces RFC 4226 Appendix D', () => {
    const secret = Buffer.from(vectors.hotp.secret_ascii, 'ascii');
    expect(vectors.hotp.vectors).toHaveLength(10);
    for (const v of vectors.hotp.vectors) expect(hotp(secret, v.counter)).toBe(v.expected_hotp);
  });

  it('reproduces RFC 6238 Appendix B for SHA1, SHA256 and SHA512 (each with its own seed)', () => {
    expect(vectors.totp.vectors).toHaveLength(6);
    for (const v of vectors.totp.vectors) {
      for (const hash of ['SHA1', 'SHA256', 'SHA512'] as const) {
        const secret = Buffer.from(vectors.totp.secrets[hash].ascii, 'ascii');
        expect(totp(secret, v.unix_time, { digits: 8, hash })).toBe(v.expected[hash]);
      }
    }
  });

  it('accepts a code within one step of drift, and never a step at or below the last one used', () => {
    const secret = Buffer.from(vectors.totp.secrets.SHA1.ascii, 'ascii');
    const t = 1111111109;
    const code = totp(secret, t, { digits: 8 });
    const step = matchTotp(secret, code, t, null, { digits: 8 });
    expect(step).toBe(Math.floor(t / 30));
    // replay of the same code: refused
    expect(matchTotp(secret, code, t, step, { digits: 8 })).toBeNull();
    // the previous step's code, still inside the drift window: refused once a later step was used
    const previous = totp(secret, t - 30, { digits: 8 });
    expect(matchTotp(secret, previous, t, null, { digits: 8 })).toBe(step! - 1);
    expect(matchTotp(secret, previous, t, step, { digits: 8 })).toBeNull();
    // two steps away: outside the window
    expect(matchTotp(secret, totp(secret, t - 60, { digits: 8 }), t, null, { digits: 8 })).toBeNull();
    expect(matchTotp(secret, 'abcdefgh', t, null, { digits: 8 })).toBeNull();
  });

  it('round-trips base32 and builds an otpauth URI', () => {
    const secret = Buffer.from(vectors.hotp.secret_ascii, 'ascii');
    expect(base32Encode(secret)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(base32Encode(secret)).equals(secret)).toBe(true);
    const uri = otpauthUri(secret, 'manager', 'OpenTill');
    expect(uri).toMatch(
      /^otpauth:\/\/totp\/OpenTill%3Amanager\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=OpenTill/,
    );
  });
});
