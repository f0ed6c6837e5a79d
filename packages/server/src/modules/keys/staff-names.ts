import type { Database } from '../../db/database';
import type { FieldCipher } from '../../lib/field-cipher';

/**
 * Staff display names through the FieldCipher, with the staff member as the data subject. Kept
 * here so the auth store needs one call on write and one on read:
 *
 *   display_name: await sealStaffName(deps.cipher, tenantId, staffId, input.displayName)
 *   displayName: await openStaffName(deps.cipher, row.tenant_id, row.id, row.display_name)
 *
 * Rows written before names were encrypted read back as they are, and `encryptStaffNames`
 * converts them in place (idempotent).
 */
export const ERASED_NAME = '—';

/** A keyring ciphertext (`v1.sk_….<iv>.<body>`), as opposed to a name stored in clear. */
export function isSealed(stored: string): boolean {
  return /^v1\.sk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/.test(stored);
}

export function sealStaffName(cipher: FieldCipher, tenantId: string, staffId: string, name: string) {
  return cipher.encrypt(tenantId, staffId, name);
}

export async function openStaffName(
  cipher: FieldCipher,
  tenantId: string,
  staffId: string,
  stored: string,
): Promise<string> {
  if (!isSealed(stored)) return stored;
  return (await cipher.decrypt(tenantId, staffId, stored)) ?? ERASED_NAME;
}

/** Encrypts every staff name still stored in clear; returns how many it changed. */
export async function encryptStaffNames(database: Database, cipher: FieldCipher): Promise<number> {
  const rows = await database.db.selectFrom('staff').select(['id', 'tenant_id', 'display_name']).execute();
  let n = 0;
  for (const row of rows) {
    if (isSealed(row.display_name)) continue;
    await database.db
      .updateTable('staff')
      .set({ display_name: await sealStaffName(cipher, row.tenant_id, row.id, row.display_name) })
      .where('tenant_id', '=', row.tenant_id)
      .where('id', '=', row.id)
      .where('display_name', '=', row.display_name)
      .execute();
    n += 1;
  }
  return n;
}
