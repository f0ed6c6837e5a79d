import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import type { Markers } from '../../db/query-template';

/**
 * The active promotions of a tenant, for checkout's single read round trip (the query joins the
 * other checkout reads; the rows become core promotions with `toPromotion`).
 */
export function activePromotionsQuery(db: Kysely<DB>, m: Markers) {
  return db
    .selectFrom('promotions')
    .selectAll()
    .where('tenant_id', '=', m.value('tenantId'))
    .where('active', '=', 1);
}
