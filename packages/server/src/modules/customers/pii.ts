import type { FieldCipher } from '../../lib/field-cipher';
import type { CustomerTable } from '../../db/schema';

/**
 * All handling of customers' personal data lives in this file: normalising, encrypting per field
 * (one key per customer through FieldCipher), blind indexes for lookup, masking for the till,
 * and erasure by crypto-shredding. Nothing else in the server reads or writes the `*_enc` and
 * `*_idx` columns.
 */

export interface Profile {
  name: string | null;
  phone: string | null;
  email: string | null;
  birthday: string | null;
}

type SealedColumns = Pick<
  CustomerTable,
  'name_enc' | 'phone_enc' | 'email_enc' | 'birthday_enc' | 'phone_idx' | 'email_idx'
>;

/**
 * Digits only, without the international "00" or "+" prefix, so "+86 138-0013-8000",
 * "008613800138000" and "86 13800138000" meet in one blind index. A national number (no
 * country code) stays as typed: the till and the form both pass what the customer says.
 */
export function normalizePhone(raw: string): string | null {
  const digits = raw.replace(/^\s*(\+|00)/, '').replace(/[\s().-]/g, '');
  if (!/^\d{5,17}$/.test(digits)) return null;
  return digits;
}

export function normalizeEmail(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) && e.length <= 254 ? e : null;
}

export const phoneIndex = (cipher: FieldCipher, tenantId: string, phone: string) =>
  cipher.blindIndex(tenantId, 'customer.phone', phone);
export const emailIndex = (cipher: FieldCipher, tenantId: string, email: string) =>
  cipher.blindIndex(tenantId, 'customer.email', email);

/** The encrypted columns (and blind indexes) for the fields present in `profile`. */
export async function sealProfile(
  cipher: FieldCipher,
  tenantId: string,
  customerId: string,
  profile: Partial<Profile>,
): Promise<Partial<SealedColumns>> {
  const enc = (v: string | null) => (v === null ? null : cipher.encrypt(tenantId, customerId, v));
  const out: Partial<SealedColumns> = {};
  if (profile.name !== undefined) out.name_enc = await enc(profile.name);
  if (profile.birthday !== undefined) out.birthday_enc = await enc(profile.birthday);
  if (profile.phone !== undefined) {
    out.phone_enc = await enc(profile.phone);
    out.phone_idx = profile.phone === null ? null : await phoneIndex(cipher, tenantId, profile.phone);
  }
  if (profile.email !== undefined) {
    out.email_enc = await enc(profile.email);
    out.email_idx = profile.email === null ? null : await emailIndex(cipher, tenantId, profile.email);
  }
  return out;
}

/** The plaintext profile; every field is null once the customer was erased. */
export async function openProfile(
  cipher: FieldCipher,
  row: Pick<CustomerTable, 'tenant_id' | 'id' | 'name_enc' | 'phone_enc' | 'email_enc' | 'birthday_enc'>,
): Promise<Profile> {
  const dec = (v: string | null) => (v === null ? null : cipher.decrypt(row.tenant_id, row.id, v));
  const [name, phone, email, birthday] = await Promise.all([
    dec(row.name_enc),
    dec(row.phone_enc),
    dec(row.email_enc),
    dec(row.birthday_enc),
  ]);
  return { name, phone, email, birthday };
}

/** What a cashier sees: the name and the last four digits of the phone. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  return phone.length <= 4 ? '****' : `${'*'.repeat(Math.min(phone.length - 4, 7))}${phone.slice(-4)}`;
}

/**
 * Erasure: destroys the customer's key (no copy of a ciphertext, in a backup or anywhere, can
 * be read again) and returns the column values that remove the personal data from the row.
 */
export async function erasePersonalData(
  cipher: FieldCipher,
  tenantId: string,
  customerId: string,
): Promise<SealedColumns & Pick<CustomerTable, 'card_no' | 'member_code' | 'note'>> {
  await cipher.shred(tenantId, customerId);
  return {
    name_enc: null,
    phone_enc: null,
    email_enc: null,
    birthday_enc: null,
    phone_idx: null,
    email_idx: null,
    card_no: null,
    member_code: null,
    note: null,
  };
}
