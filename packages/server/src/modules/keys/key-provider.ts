import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where the master key lives. The keyring asks it to wrap and unwrap tenant keys and never sees
 * the master key itself, so a KMS or HSM adapter (AWS KMS Encrypt/Decrypt, Vault transit, a
 * PKCS#11 token) implements these same four methods and plugs in without other changes.
 */
export interface KeyProvider {
  /** The master key new wraps use. */
  currentKeyId(): string;
  /** Every master key id this provider can unwrap with, oldest first, with when it appeared. */
  keys(): { keyId: string; createdAt: string | null }[];
  /** Encrypts a data key under the current master key; `context` is bound as associated data. */
  wrap(plain: Buffer, context: string): Promise<{ masterKeyId: string; wrapped: string }>;
  unwrap(masterKeyId: string, wrapped: string, context: string): Promise<Buffer>;
  /** Makes a new master key current (the old ones stay usable for unwrapping). Optional for KMS. */
  rotate?(): Promise<string>;
}

const b64 = (b: Buffer) => b.toString('base64url');

/** AES-256-GCM wrap: `<iv>.<ciphertext+tag>`, base64url. Shared by the keyring for subject keys. */
export function aesWrap(key: Buffer, plain: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${b64(iv)}.${b64(body)}`;
}

export function aesUnwrap(key: Buffer, wrapped: string, context: string): Buffer {
  const [iv, body] = wrapped.split('.');
  if (!iv || !body) throw new Error('malformed wrapped key');
  const raw = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]);
}

/** A master key's id: a fingerprint, so the same key always has the same id on every node. */
export function masterKeyId(key: Buffer): string {
  return `mk_${createHash('sha256').update('opentill master key id\0').update(key).digest('hex').slice(0, 16)}`;
}

function parseKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where}: a master key is 32 bytes, base64-encoded`);
  return key;
}

/**
 * A provider holding master keys in process memory (from a file or the environment). The last
 * key is current; earlier ones only unwrap. `onRotate` persists a newly made key.
 */
export function createStaticKeyProvider(
  initial: { key: Buffer; createdAt?: string | null }[],
  onRotate?: (key: Buffer, createdAt: string) => void,
  /** re-reads the keys when an unknown id shows up (another process rotated the file) */
  reload?: () => { key: Buffer; createdAt?: string | null }[],
): KeyProvider {
  if (initial.length === 0) throw new Error('at least one master key is needed');
  const byId = new Map<string, { key: Buffer; createdAt: string | null }>();
  let current = '';
  const add = (key: Buffer, createdAt: string | null) => {
    current = masterKeyId(key);
    byId.set(current, { key, createdAt });
  };
  for (const k of initial) add(k.key, k.createdAt ?? null);
  const keyOf = (id: string) => {
    if (!byId.has(id) && reload) for (const k of reload()) add(k.key, k.createdAt ?? null);
    const entry = byId.get(id);
    if (!entry) throw new Error(`master key ${id} is not available (check OPENTILL_MASTER_KEY / _FILE)`);
    return entry.key;
  };
  return {
    currentKeyId: () => current,
    keys: () => [...byId].map(([keyId, v]) => ({ keyId, createdAt: v.createdAt })),
    async wrap(plain, context) {
      return { masterKeyId: current, wrapped: aesWrap(keyOf(current), plain, `${current}/${context}`) };
    },
    async unwrap(id, wrapped, context) {
      return aesUnwrap(keyOf(id), wrapped, `${id}/${context}`);
    },
    ...(onRotate
      ? {
          async rotate() {
            const key = randomBytes(32);
            const createdAt = new Date().toISOString();
            onRotate(key, createdAt);
            add(key, createdAt);
            return current;
          },
        }
      : {}),
  };
}

/**
 * Master key file: one key per line, `<base64 key> <created ISO instant>`, newest last; `#`
 * starts a comment. Written with mode 0600.
 */
function readKeyFile(path: string): { key: Buffer; createdAt: string | null }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [key, createdAt] = l.split(/\s+/);
      return { key: parseKey(key ?? '', path), createdAt: createdAt ?? null };
    });
}

function keyLine(key: Buffer, createdAt: string) {
  return `${key.toString('base64')} ${createdAt}\n`;
}

export interface MasterKeySource {
  provider: KeyProvider;
  /** how the key was found, for the start-up line (never the key itself) */
  description: string;
  /** true when a new key file was just made */
  generated: boolean;
}

/**
 * The master key from the environment: `OPENTILL_MASTER_KEY` (base64; several comma-separated,
 * newest last) or `OPENTILL_MASTER_KEY_FILE`. Without either, and only when `generateAt` is given
 * (the embedded demo database), a key file is made there with mode 0600 on first start.
 */
export function masterKeyFromEnv(
  env: NodeJS.ProcessEnv,
  options: { generateAt?: string | undefined } = {},
): MasterKeySource {
  if (env.OPENTILL_MASTER_KEY) {
    const keys = env.OPENTILL_MASTER_KEY.split(',').map((k) => ({
      key: parseKey(k, 'OPENTILL_MASTER_KEY'),
    }));
    // a key held in the environment cannot be rotated by the CLI: the operator adds the new one
    return { provider: createStaticKeyProvider(keys), description: 'OPENTILL_MASTER_KEY', generated: false };
  }
  const path = env.OPENTILL_MASTER_KEY_FILE || options.generateAt;
  if (!path) {
    throw new Error(
      'No master key: set OPENTILL_MASTER_KEY (32 bytes, base64) or OPENTILL_MASTER_KEY_FILE. ' +
        'Every API node must use the same key.',
    );
  }
  let generated = false;
  if (!existsSync(path)) {
    if (env.OPENTILL_MASTER_KEY_FILE) throw new Error(`OPENTILL_MASTER_KEY_FILE ${path} does not exist`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      `# OpenTill master key: back it up apart from the database; without it encrypted data is lost\n${keyLine(randomBytes(32), new Date().toISOString())}`,
      { mode: 0o600, flag: 'wx' },
    );
    generated = true;
  }
  chmodSync(path, 0o600);
  const provider = createStaticKeyProvider(
    readKeyFile(path),
    (key, createdAt) => appendFileSync(path, keyLine(key, createdAt), { mode: 0o600 }),
    () => readKeyFile(path),
  );
  return { provider, description: path, generated };
}
