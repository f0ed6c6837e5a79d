import type { Kysely } from 'kysely';
import type { DB, RegisterTable, StoreTable } from '../../db/schema';

export function listStores(db: Kysely<DB>, tenantId: string) {
  return db.selectFrom('stores').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
}

export function findStore(db: Kysely<DB>, tenantId: string, id: string) {
  return db
    .selectFrom('stores')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertStore(db: Kysely<DB>, row: StoreTable): Promise<void> {
  await db.insertInto('stores').values(row).execute();
}

export async function updateStore(db: Kysely<DB>, tenantId: string, id: string, patch: Partial<StoreTable>) {
  await db.updateTable('stores').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export function listRegisters(db: Kysely<DB>, tenantId: string, storeId?: string) {
  let q = db.selectFrom('registers').selectAll().where('tenant_id', '=', tenantId);
  if (storeId) q = q.where('store_id', '=', storeId);
  return q.orderBy('id').execute();
}

export function findRegister(db: Kysely<DB>, tenantId: string, id: string) {
  return db
    .selectFrom('registers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertRegister(db: Kysely<DB>, row: RegisterTable): Promise<void> {
  await db.insertInto('registers').values(row).execute();
}

export async function updateRegister(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  patch: Partial<RegisterTable>,
) {
  await db
    .updateTable('registers')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
