import type { Kysely } from 'kysely';
import type { DB, DevicePairingTable, DeviceTable, DeviceTokenTable } from '../../db/schema';

export function insertDevice(db: Kysely<DB>, row: DeviceTable) {
  return db.insertInto('devices').values(row).compile();
}

export function insertPairing(db: Kysely<DB>, row: DevicePairingTable) {
  return db.insertInto('device_pairings').values(row).compile();
}

export function findDevice(db: Kysely<DB>, tenantId: string, id: string) {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A device by its id alone: the credential names its device, and the tenant comes from the row. */
export function findDeviceById(db: Kysely<DB>, id: string) {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listDevices(db: Kysely<DB>, tenantId: string) {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function findPairing(db: Kysely<DB>, codeHash: string) {
  return db.selectFrom('device_pairings').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}

/** Marks a pairing code used; false when another request used it first. */
export async function usePairing(db: Kysely<DB>, codeHash: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('device_pairings')
    .set({ used_at: at })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Unused codes of a device stop working (a new code replaces them; a revoked device has none). */
export function dropPendingPairings(db: Kysely<DB>, tenantId: string, deviceId: string) {
  return db
    .deleteFrom('device_pairings')
    .where('tenant_id', '=', tenantId)
    .where('device_id', '=', deviceId)
    .where('used_at', 'is', null)
    .compile();
}

export function setSecret(db: Kysely<DB>, tenantId: string, deviceId: string, hash: string, at: string) {
  return db
    .updateTable('devices')
    .set({ secret_hash: hash, paired_at: at, last_seen_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .compile();
}

export function revokeDevice(db: Kysely<DB>, tenantId: string, deviceId: string, at: string) {
  return db
    .updateTable('devices')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .compile();
}

export function dropTokens(db: Kysely<DB>, tenantId: string, deviceId: string) {
  return db
    .deleteFrom('device_tokens')
    .where('tenant_id', '=', tenantId)
    .where('device_id', '=', deviceId)
    .compile();
}

export function insertToken(db: Kysely<DB>, row: DeviceTokenTable) {
  return db.insertInto('device_tokens').values(row).compile();
}

/** A device token with its device, when both are live. */
export function findToken(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('device_tokens as t')
    .innerJoin('devices as d', (j) =>
      j.onRef('d.id', '=', 't.device_id').onRef('d.tenant_id', '=', 't.tenant_id'),
    )
    .selectAll('d')
    .select(['t.expires_at as token_expires_at'])
    .where('t.id', '=', id)
    .executeTakeFirst();
}

export function touchDevice(db: Kysely<DB>, tenantId: string, deviceId: string, at: string) {
  return db
    .updateTable('devices')
    .set({ last_seen_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deviceId)
    .execute();
}

/** Is there a live, paired device of this kind on the register? */
export async function hasPairedDevice(
  db: Kysely<DB>,
  tenantId: string,
  registerId: string,
  kind: DeviceTable['kind'],
): Promise<boolean> {
  const row = await db
    .selectFrom('devices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('register_id', '=', registerId)
    .where('kind', '=', kind)
    .where('secret_hash', 'is not', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
