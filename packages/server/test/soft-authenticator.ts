import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software passkey for tests: a P-256 key made with node:crypto, attestation "none", and
 * assertions signed exactly as a platform authenticator signs them. Flags say what the device
 * checked: UP (0x01) user present, UV (0x04) user verified (fingerprint, face, device PIN).
 */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/** The CBOR subset WebAuthn needs: unsigned/negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string')
    return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) {
    const parts: Buffer[] = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error('unsupported CBOR value');
}

const b64u = (b: Buffer) => b.toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

export interface SoftPasskey {
  credentialId: Buffer;
  privateKey: KeyObject;
  counter: number;
}

export function newSoftPasskey(): SoftPasskey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { credentialId: randomBytes(32), privateKey, counter: 0 };
}

/** The browser's answer to registration options (navigator.credentials.create). */
export function softRegister(
  pk: SoftPasskey,
  options: { challenge: string; rp: { id?: string } },
  origin: string,
  flags = UP | UV | AT,
) {
  const jwk = pk.privateKey.export({ format: 'jwk' });
  const cose = new Map<number, unknown>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]);
  const counter = Buffer.alloc(4);
  const idLen = Buffer.alloc(2);
  idLen.writeUInt16BE(pk.credentialId.length);
  const authData = Buffer.concat([
    sha256(options.rp.id ?? 'localhost'),
    Buffer.from([flags]),
    counter,
    Buffer.alloc(16),
    idLen,
    pk.credentialId,
    cbor(cose),
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
  );
  const attestationObject = cbor(
    new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]),
  );
  return {
    id: b64u(pk.credentialId),
    rawId: b64u(pk.credentialId),
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64u(clientDataJSON),
      attestationObject: b64u(attestationObject),
      transports: ['internal'],
    },
  };
}

/** The browser's answer to authentication options (navigator.credentials.get). */
export function softAssert(
  pk: SoftPasskey,
  options: { challenge: string; rpId?: string },
  origin: string,
  opts: { flags?: number; counter?: number } = {},
) {
  pk.counter = opts.counter ?? pk.counter + 1;
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(pk.counter);
  const authData = Buffer.concat([
    sha256(options.rpId ?? 'localhost'),
    Buffer.from([opts.flags ?? UP | UV]),
    counter,
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }),
  );
  const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), pk.privateKey);
  return {
    id: b64u(pk.credentialId),
    rawId: b64u(pk.credentialId),
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64u(clientDataJSON),
      authenticatorData: b64u(authData),
      signature: b64u(signature),
    },
  };
}

export const FLAGS = { UP, UV, AT };
