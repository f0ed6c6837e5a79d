import type { Kysely, Transaction } from 'kysely';
import type { Promotion } from '@opentill/core';
import type { DB, PromotionTable } from '../../db/schema';

type Db = Kysely<DB> | Transaction<DB>;

export function listPromotions(db: Db, tenantId: string, filter: { active?: boolean | undefined } = {}) {
  let q = db.selectFrom('promotions').selectAll().where('tenant_id', '=', tenantId);
  if (filter.active !== undefined) q = q.where('active', '=', filter.active ? 1 : 0);
  return q.orderBy('priority', 'desc').orderBy('id').execute();
}

export function findPromotion(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('promotions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertPromotion(db: Db, row: PromotionTable): Promise<void> {
  await db.insertInto('promotions').values(row).execute();
}

export async function updatePromotion(
  db: Db,
  tenantId: string,
  id: string,
  patch: Omit<PromotionTable, 'id' | 'tenant_id' | 'created_at'>,
): Promise<boolean> {
  const r = await db
    .updateTable('promotions')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deletePromotion(db: Db, tenantId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('promotions')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A stored row in the core's shape, as the engine (register and checkout) takes it. */
export function toPromotion(row: PromotionTable): Promotion {
  return {
    id: row.id,
    name: row.name,
    nameZh: row.name_zh,
    priority: row.priority,
    exclusive: row.exclusive === 1,
    group: row.conflict_group,
    conditions: JSON.parse(row.conditions) as Promotion['conditions'],
    action: JSON.parse(row.action) as Promotion['action'],
    maxApplications: row.max_applications,
  };
}
