import {
  promotionProblem,
  type Promotion,
  type PromotionAction,
  type PromotionCondition,
} from '@opentill/core';
import type { Deps } from '../../deps';
import type { PromotionTable } from '../../db/schema';
import { fail, type Result } from '../../http/errors';
import type { AuthContext } from '../auth/service';
import { auditQuery } from '../audit/audit';
import * as store from './store';

export interface PromotionInput {
  name: string;
  nameZh?: string | null;
  priority?: number;
  exclusive?: boolean;
  group?: string | null;
  conditions?: PromotionCondition[];
  action: PromotionAction;
  maxApplications?: number | null;
  active?: boolean;
}

export type PromotionPatch = Partial<PromotionInput>;

export interface PromotionView extends Promotion {
  nameZh: string | null;
  group: string | null;
  maxApplications: number | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

function view(row: PromotionTable): PromotionView {
  const p = store.toPromotion(row);
  return {
    ...p,
    nameZh: row.name_zh,
    group: row.conflict_group,
    maxApplications: row.max_applications,
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Promotions: the rules the core engine applies at the register and at checkout. */
export function createPromotionsService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  function check(p: Promotion): Result<true> {
    const problem = promotionProblem(p);
    return problem
      ? fail('invalid_promotion', `The promotion is not valid: ${problem}.`)
      : { ok: true, value: true };
  }

  function rowOf(
    tenantId: string,
    id: string,
    input: PromotionInput,
    createdAt: string,
    now: string,
  ): PromotionTable {
    return {
      id,
      tenant_id: tenantId,
      name: input.name,
      name_zh: input.nameZh ?? null,
      priority: input.priority ?? 0,
      exclusive: input.exclusive ? 1 : 0,
      conflict_group: input.group ?? null,
      conditions: JSON.stringify(input.conditions ?? []),
      action: JSON.stringify(input.action),
      max_applications: input.maxApplications ?? null,
      active: input.active === false ? 0 : 1,
      created_at: createdAt,
      updated_at: now,
    };
  }

  async function audit(ctx: AuthContext, action: string, id: string, data: unknown, now: string) {
    return auditQuery(
      db,
      ids,
      { tenantId: ctx.tenantId, staffId: ctx.staffId, action, entity: 'promotion', entityId: id, data },
      now,
    );
  }

  return {
    async list(tenantId: string, filter: { active?: boolean } = {}): Promise<PromotionView[]> {
      return (await store.listPromotions(db, tenantId, filter)).map(view);
    },

    async get(tenantId: string, id: string): Promise<Result<PromotionView>> {
      const row = await store.findPromotion(db, tenantId, id);
      return row
        ? { ok: true, value: view(row) }
        : fail('unknown_promotion', `Promotion ${id} does not exist.`);
    },

    /** The active promotions in the core's shape: what the register caches and checkout applies. */
    async active(tenantId: string): Promise<Promotion[]> {
      return (await store.listPromotions(db, tenantId, { active: true })).map(store.toPromotion);
    },

    async create(ctx: AuthContext, input: PromotionInput): Promise<Result<PromotionView>> {
      const now = clock.now().toISOString();
      const row = rowOf(ctx.tenantId, ids.newId('pro'), input, now, now);
      const valid = check(store.toPromotion(row));
      if (!valid.ok) return valid;
      const entry = await audit(ctx, 'promotion.create', row.id, input, now);
      await db.transaction().execute(async (trx) => {
        await store.insertPromotion(trx, row);
        await trx.executeQuery(entry);
      });
      return { ok: true, value: view(row) };
    },

    async update(ctx: AuthContext, id: string, patch: PromotionPatch): Promise<Result<PromotionView>> {
      const now = clock.now().toISOString();
      return db.transaction().execute(async (trx): Promise<Result<PromotionView>> => {
        const current = await store.findPromotion(trx, ctx.tenantId, id);
        if (!current) return fail('unknown_promotion', `Promotion ${id} does not exist.`);
        const before = view(current);
        const merged: PromotionInput = {
          name: patch.name ?? before.name,
          nameZh: patch.nameZh !== undefined ? patch.nameZh : before.nameZh,
          priority: patch.priority ?? before.priority,
          exclusive: patch.exclusive ?? before.exclusive,
          group: patch.group !== undefined ? patch.group : before.group,
          conditions: patch.conditions ?? before.conditions,
          action: patch.action ?? before.action,
          maxApplications:
            patch.maxApplications !== undefined ? patch.maxApplications : before.maxApplications,
          active: patch.active ?? before.active,
        };
        const row = rowOf(ctx.tenantId, id, merged, current.created_at, now);
        const valid = check(store.toPromotion(row));
        if (!valid.ok) return valid;
        const { id: _id, tenant_id: _t, created_at: _c, ...changes } = row;
        await store.updatePromotion(trx, ctx.tenantId, id, changes);
        await trx.executeQuery(await audit(ctx, 'promotion.update', id, patch, now));
        return { ok: true, value: view(row) };
      });
    },

    async remove(ctx: AuthContext, id: string): Promise<Result<{ id: string }>> {
      const now = clock.now().toISOString();
      return db.transaction().execute(async (trx): Promise<Result<{ id: string }>> => {
        // orders keep the promotion's name in their own details, so deleting loses no history
        if (!(await store.deletePromotion(trx, ctx.tenantId, id))) {
          return fail('unknown_promotion', `Promotion ${id} does not exist.`);
        }
        await trx.executeQuery(await audit(ctx, 'promotion.delete', id, {}, now));
        return { ok: true, value: { id } };
      });
    },
  };
}

export type PromotionsService = ReturnType<typeof createPromotionsService>;
