import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption of personal data, one field at a time (names, phone numbers, e-mail, ID numbers).
 *
 * Every value belongs to a subject (a customer or a staff member) so that erasing the subject can
 * destroy its key material (crypto-shredding): after `shred`, `decrypt` returns null for that
 * subject's values while the rows that hold them (sales facts) stay. A blind index (keyed HMAC of
 * a normalised value) finds a subject by phone or e-mail without decrypting anything.
 *
 * Modules that hold personal data take a `FieldCipher`; they never touch keys themselves.
 */
export interface FieldCipher {
  /** An opaque, self-describing ciphertext (`v1.<keyId>.<iv>.<ciphertext+tag>`, base64url parts). */
  encrypt(tenantId: string, subjectId: string, plaintext: string): Promise<string>;
  /** The plaintext, or null when the subject's key was shredded. Throws on a tampered value. */
  decrypt(tenantId: string, subjectId: string, ciphertext: string): Promise<string | null>;
  /** A keyed HMAC of `value` for equality lookups; `kind` separates e.g. `phone` from `email`. */
  blindIndex(tenantId: string, kind: string, value: string): Promise<string>;
  /** Destroys the subject's key material; its ciphertexts can never be read again. */
  shred(tenantId: string, subjectId: string): Promise<void>;
}

const b64 = (b: Buffer) => b.toString('base64url');

/**
 * A FieldCipher with keys held in memory: AES-256-GCM under a random key per subject, blind
 * indexes under a key derived (HKDF-SHA256) from the master key per tenant. For tests and as the
 * reference behaviour; the server's keyring keeps the subject keys wrapped in the database.
 */
export function createMemoryFieldCipher(masterKey: Buffer = randomBytes(32)): FieldCipher {
  const subjectKeys = new Map<string, { id: string; key: Buffer } | null>();
  const keyFor = (tenantId: string, subjectId: string, create: boolean) => {
    const k = `${tenantId}\u0000${subjectId}`;
    let entry = subjectKeys.get(k);
    if (entry === undefined && create) {
      entry = { id: b64(randomBytes(6)), key: randomBytes(32) };
      subjectKeys.set(k, entry);
    }
    return entry ?? null;
  };
  const indexKey = (tenantId: string) =>
    Buffer.from(
      hkdfSync('sha256', masterKey, Buffer.from(tenantId), Buffer.from('opentill blind index'), 32),
    );
  return {
    async encrypt(tenantId, subjectId, plaintext) {
      const entry = keyFor(tenantId, subjectId, true);
      if (!entry) throw new Error('subject key was shredded');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', entry.key, iv);
      cipher.setAAD(Buffer.from(`${tenantId}/${subjectId}`));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${entry.id}.${b64(iv)}.${b64(body)}`;
    },
    async decrypt(tenantId, subjectId, ciphertext) {
      const [version, , iv, body] = ciphertext.split('.');
      if (version !== 'v1' || !iv || !body) throw new Error('not a v1 field ciphertext');
      const entry = keyFor(tenantId, subjectId, false);
      if (!entry) return null;
      const raw = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${tenantId}/${subjectId}`));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    },
    async blindIndex(tenantId, kind, value) {
      return b64(createHmac('sha256', indexKey(tenantId)).update(`${kind}\u0000${value}`).digest());
    },
    async shred(tenantId, subjectId) {
      subjectKeys.set(`${tenantId}\u0000${subjectId}`, null);
    },
  };
}
