import {
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** scrypt parameters: N=2^15, r=8, p=1 (32 MiB per hash) for passwords; N=2^14 for PINs. */
export const PASSWORD_COST = { N: 1 << 15, r: 8, p: 1 } as const;
export const PIN_COST = { N: 1 << 14, r: 8, p: 1 } as const;

export async function hashSecret(secret: string, cost: { N: number; r: number; p: number } = PASSWORD_COST) {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 32, { ...cost, maxmem: 128 * cost.N * cost.r * 2 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const N = Number(n);
  const R = Number(r);
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: R,
    p: Number(p),
    maxmem: 128 * N * R * 2,
  });
  return timingSafeEqual(actual, expected);
}

export function newToken(): string {
  return `otk_${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
