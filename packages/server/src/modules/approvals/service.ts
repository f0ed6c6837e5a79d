import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { auditQuery, outboxQuery } from '../audit/audit';
import type { AuthContext, AuthService, RequestMeta, SecondFactorProof } from '../auth/service';
import { can } from '../auth/permissions';
import { canonicalJson } from '../auth/keys';

/** The sensitive actions that may need a manager at the moment they happen. */
export type ApprovalKind =
  'refund' | 'void' | 'price_override' | 'discount' | 'drawer_open' | 'paid_out' | 'offline_limit';

export const approvalKinds: readonly ApprovalKind[] = [
  'refund',
  'void',
  'price_override',
  'discount',
  'drawer_open',
  'paid_out',
  'offline_limit',
];

/** What is being approved; the action route rebuilds it and must find the same thing. */
export interface ApprovalAction {
  kind: ApprovalKind;
  /** minor units (refund, void, paid out, price override, new offline limit) */
  amount?: number | undefined;
  currency?: string | undefined;
  /** discount in basis points of the price */
  percentBp?: number | undefined;
  /** the order, cash session or register the action is on */
  entityId?: string | undefined;
}

/**
 * Per tenant, set in the back office. `null` = never needs approval. Amounts are minor units of
 * the store's currency; 0 = always.
 */
export interface ApprovalPolicy {
  refundAbove: number | null;
  void: boolean;
  priceOverride: boolean;
  discountAboveBp: number | null;
  drawerOpen: boolean;
  paidOutAbove: number | null;
  offlineLimitRaise: boolean;
}

/** Until a tenant sets its thresholds, nothing waits for a manager. */
export const defaultPolicy: ApprovalPolicy = {
  refundAbove: null,
  void: false,
  priceOverride: false,
  discountAboveBp: null,
  drawerOpen: false,
  paidOutAbove: null,
  offlineLimitRaise: false,
};

/** Does this action need a manager's approval under this policy? */
export function needsApproval(policy: ApprovalPolicy, a: ApprovalAction): boolean {
  switch (a.kind) {
    case 'refund':
      return policy.refundAbove !== null && (a.amount ?? 0) > policy.refundAbove;
    case 'void':
      return policy.void;
    case 'price_override':
      return policy.priceOverride;
    case 'discount':
      return policy.discountAboveBp !== null && (a.percentBp ?? 0) > policy.discountAboveBp;
    case 'drawer_open':
      return policy.drawerOpen;
    case 'paid_out':
      return policy.paidOutAbove !== null && (a.amount ?? 0) > policy.paidOutAbove;
    case 'offline_limit':
      return policy.offlineLimitRaise;
  }
}

/** An approval is usable for this long after the manager says yes. */
const USABLE_MS = 5 * 60_000;
/** A request nobody answers lapses after this long. */
const PENDING_MS = 10 * 60_000;

export interface ApprovalView {
  id: string;
  kind: ApprovalKind;
  action: ApprovalAction;
  status: 'pending' | 'approved' | 'denied' | 'consumed' | 'expired';
  registerId: string | null;
  requestedBy: string;
  requestedByName: string | null;
  approvedBy: string | null;
  method: string | null;
  signature: string | null;
  createdAt: string;
  decidedAt: string | null;
  expiresAt: string;
}

function sameAction(a: ApprovalAction, b: ApprovalAction): boolean {
  return canonicalJson(normalize(a)) === canonicalJson(normalize(b));
}

function normalize(a: ApprovalAction): ApprovalAction {
  return {
    kind: a.kind,
    amount: a.amount ?? undefined,
    currency: a.currency ?? undefined,
    percentBp: a.percentBp ?? undefined,
    entityId: a.entityId ?? undefined,
  };
}

export function createApprovalsService(deps: Deps, auth: AuthService) {
  const { database, clock, ids } = deps;
  const db = () => database.db;
  const nowIso = () => clock.now().toISOString();

  async function policyOf(tenantId: string): Promise<ApprovalPolicy> {
    const row = await db()
      .selectFrom('approval_policies')
      .select('policy')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row ? { ...defaultPolicy, ...(JSON.parse(row.policy) as Partial<ApprovalPolicy>) } : defaultPolicy;
  }

  /** The signed statement: who approved what, for whom, when, and how they proved it. */
  function statement(row: {
    id: string;
    tenant_id: string;
    action: string;
    requested_by: string;
    approved_by: string | null;
    method: string | null;
    decided_at: string | null;
  }) {
    return canonicalJson({
      id: row.id,
      tenantId: row.tenant_id,
      action: JSON.parse(row.action) as unknown,
      requestedBy: row.requested_by,
      approvedBy: row.approved_by,
      method: row.method,
      decidedAt: row.decided_at,
    });
  }

  async function load(tenantId: string, id: string) {
    return db()
      .selectFrom('approvals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function view(row: NonNullable<Awaited<ReturnType<typeof load>>>): Promise<ApprovalView> {
    const nowMs = clock.now().getTime();
    const lapsed =
      (row.status === 'pending' || row.status === 'approved') && Date.parse(row.expires_at) <= nowMs;
    const requester = await auth.findTenantStaff(row.tenant_id, row.requested_by);
    return {
      id: row.id,
      kind: row.kind as ApprovalKind,
      action: JSON.parse(row.action) as ApprovalAction,
      status: lapsed ? 'expired' : row.status,
      registerId: row.register_id,
      requestedBy: row.requested_by,
      requestedByName: requester?.display_name ?? null,
      approvedBy: row.approved_by,
      method: row.method,
      signature: row.signature,
      createdAt: row.created_at,
      decidedAt: row.decided_at,
      expiresAt: row.expires_at,
    };
  }

  return {
    policyOf,
    needsApproval,

    async setPolicy(ctx: AuthContext, policy: ApprovalPolicy): Promise<ApprovalPolicy> {
      const now = nowIso();
      const row = {
        tenant_id: ctx.tenantId,
        policy: JSON.stringify(policy),
        updated_by: ctx.staffId,
        updated_at: now,
      };
      await db()
        .insertInto('approval_policies')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('tenant_id')
            .doUpdateSet({ policy: row.policy, updated_by: row.updated_by, updated_at: now }),
        )
        .execute();
      await database.batch([
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'approval.policy',
            entity: 'approval_policy',
            entityId: null,
            data: policy,
          },
          now,
        ),
      ]);
      return policy;
    },

    /** A cashier (or anyone) asks for approval; managers are told through the outbox. */
    async request(ctx: AuthContext, action: ApprovalAction): Promise<Result<ApprovalView>> {
      const now = clock.now();
      const id = ids.newId('apr');
      const a = normalize(action);
      const row = {
        id,
        tenant_id: ctx.tenantId,
        kind: a.kind,
        action: canonicalJson(a),
        register_id: ctx.registerId,
        requested_by: ctx.staffId,
        approved_by: null,
        method: null,
        status: 'pending' as const,
        key_id: null,
        signature: null,
        created_at: now.toISOString(),
        decided_at: null,
        expires_at: new Date(now.getTime() + PENDING_MS).toISOString(),
        consumed_at: null,
      };
      await database.batch([
        db().insertInto('approvals').values(row).compile(),
        outboxQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            topic: 'approval.requested',
            payload: { approvalId: id, action: a, registerId: ctx.registerId, requestedBy: ctx.staffId },
          },
          now.toISOString(),
        ),
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'approval.request',
            entity: 'approval',
            entityId: id,
            data: a,
          },
          now.toISOString(),
        ),
      ]);
      return { ok: true, value: await view(row) };
    },

    async get(tenantId: string, id: string): Promise<Result<ApprovalView>> {
      const row = await load(tenantId, id);
      if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
      return { ok: true, value: await view(row) };
    },

    async pending(tenantId: string): Promise<ApprovalView[]> {
      const rows = await db()
        .selectFrom('approvals')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'pending')
        .where('expires_at', '>', nowIso())
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return Promise.all(rows.map(view));
    },

    /**
     * Passkey options for an approver. The challenge carries a hash of the action, so the
     * signature the device makes covers exactly this approval.
     */
    async challenge(
      tenantId: string,
      id: string,
      approverUsername: string | null,
      ctx: AuthContext,
      meta: RequestMeta,
    ) {
      const row = await load(tenantId, id);
      if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
      let approverId = ctx.staffId;
      if (approverUsername) {
        const list = await auth.listStaff(tenantId);
        const s = list.find((x) => x.username === approverUsername && x.active);
        if (!s) return fail('unknown_staff', 'No such manager.');
        approverId = s.id;
      }
      const digest = createHash('sha256').update(row.action).digest();
      const challenge = Buffer.concat([randomBytes(16), digest]).toString('base64url');
      return auth.passkeyOptions({ tenantId, staffId: approverId }, `approve:${id}`, meta, challenge);
    },

    /**
     * A manager says yes: on the register (username + PIN + passkey or TOTP) or remotely from a
     * signed-in back-office session (passkey or TOTP). The approval is signed (HMAC-SHA256 over
     * the canonical statement) and tied to the action.
     */
    async approve(
      ctx: AuthContext,
      id: string,
      input: { username?: string | undefined; pin?: string | undefined; proof: SecondFactorProof },
      meta: RequestMeta,
    ): Promise<Result<ApprovalView>> {
      const row = await load(ctx.tenantId, id);
      if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
      if (row.status !== 'pending' || Date.parse(row.expires_at) <= clock.now().getTime())
        return fail('approval_not_pending', 'This approval was already decided or has lapsed.');
      let approver: { id: string; role: AuthContext['role'] };
      let how: string;
      if (input.username !== undefined || input.pin !== undefined) {
        // on the same register: the manager types their PIN, then the second factor
        if (!input.username || !input.pin)
          return fail('validation_failed', 'Send the approver’s username and PIN together.');
        const pin = await auth.checkPin(ctx.tenantId, input.username, input.pin, meta);
        if (!pin.ok) return pin;
        approver = { id: pin.value.id, role: pin.value.role };
        how = 'pin+';
      } else {
        if ((ctx.level ?? 'full') !== 'full') return fail('mfa_required', 'Finish signing in first.');
        approver = { id: ctx.staffId, role: ctx.role };
        how = 'session+';
      }
      if (!can(approver.role, 'approvals.grant'))
        return fail('forbidden', 'Only a manager or owner can approve this.');
      // a manager may approve their own request: that is a step-up with a fresh second factor
      const proof = await auth.proveFactor(ctx.tenantId, approver.id, input.proof, meta, `approve:${id}`);
      if (!proof.ok) {
        await auth.codeFailed(ctx.tenantId, approver.id, meta);
        return proof;
      }
      const now = clock.now();
      const decided = {
        ...row,
        approved_by: approver.id,
        method: how + proof.value.method,
        decided_at: now.toISOString(),
      };
      const signed = await auth.keys.sign(ctx.tenantId, statement(decided));
      const r = await db()
        .updateTable('approvals')
        .set({
          status: 'approved',
          approved_by: decided.approved_by,
          method: decided.method,
          decided_at: decided.decided_at,
          key_id: signed.keyId,
          signature: signed.signature,
          expires_at: new Date(now.getTime() + USABLE_MS).toISOString(),
        })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        return fail('approval_not_pending', 'This approval was already decided.');
      await database.batch([
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: approver.id,
            action: 'approval.grant',
            entity: 'approval',
            entityId: id,
            data: {
              action: JSON.parse(row.action) as unknown,
              method: decided.method,
              requestedBy: row.requested_by,
            },
          },
          now.toISOString(),
        ),
      ]);
      return { ok: true, value: await view((await load(ctx.tenantId, id))!) };
    },

    async deny(ctx: AuthContext, id: string): Promise<Result<ApprovalView>> {
      const now = nowIso();
      const r = await db()
        .updateTable('approvals')
        .set({ status: 'denied', approved_by: ctx.staffId, decided_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        return fail('approval_not_pending', 'This approval was already decided.');
      await database.batch([
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'approval.deny',
            entity: 'approval',
            entityId: id,
            data: {},
          },
          now,
        ),
      ]);
      return { ok: true, value: await view((await load(ctx.tenantId, id))!) };
    },

    /**
     * The action route's check: the approval exists in this tenant, was approved for this very
     * action (kind, amount, entity) by someone allowed, carries a valid signature, and is
     * consumed now — a second use fails.
     */
    async consume(ctx: AuthContext, id: string, action: ApprovalAction): Promise<Result<ApprovalView>> {
      const row = await load(ctx.tenantId, id);
      if (!row) return fail('invalid_approval', 'That approval does not exist.');
      if (row.status !== 'approved' || Date.parse(row.expires_at) <= clock.now().getTime())
        return fail('invalid_approval', 'That approval is not (or no longer) usable.');
      if (row.requested_by !== ctx.staffId)
        return fail('invalid_approval', 'That approval was given to someone else.');
      if (!sameAction(JSON.parse(row.action) as ApprovalAction, action))
        return fail('invalid_approval', 'That approval was given for a different action.', {
          approved: JSON.parse(row.action) as unknown,
          requested: normalize(action),
        });
      const expected = await auth.keys.sign(ctx.tenantId, statement(row));
      if (expected.signature !== row.signature)
        return fail('invalid_approval', 'That approval’s signature does not verify.');
      const now = nowIso();
      const r = await db()
        .updateTable('approvals')
        .set({ status: 'consumed', consumed_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return fail('invalid_approval', 'That approval was already used.');
      await database.batch([
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'approval.use',
            entity: 'approval',
            entityId: id,
            data: normalize(action),
          },
          now,
        ),
      ]);
      return { ok: true, value: await view((await load(ctx.tenantId, id))!) };
    },
  };
}

export type ApprovalsService = ReturnType<typeof createApprovalsService>;
