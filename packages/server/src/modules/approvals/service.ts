import { createHash, randomBytes } from 'node:crypto';
import { isCurrency } from '@opentill/core';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { auditQuery, outboxQuery } from '../audit/audit';
import type { AuthContext, AuthService, RequestMeta, SecondFactorProof } from '../auth/service';
import { can } from '../auth/permissions';
import { canonicalJson } from '../auth/keys';
import { createApprovalSigner, type ApprovalSigner } from './signing';
import { createOutboxPushSender, type PushSender } from './push';

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
 * Amount thresholds per currency: ISO 4217 code → minor units of that currency. An action in a
 * currency that is not listed never waits for a manager; 0 = always.
 */
export type CurrencyThresholds = Record<string, number>;

/** Per tenant, set in the back office. `null` = never needs approval. */
export interface ApprovalPolicy {
  refundAbove: CurrencyThresholds;
  void: boolean;
  priceOverride: boolean;
  discountAboveBp: number | null;
  drawerOpen: boolean;
  paidOutAbove: CurrencyThresholds;
  offlineLimitRaise: boolean;
}

/** Until a tenant sets its thresholds, nothing waits for a manager. */
export const defaultPolicy: ApprovalPolicy = {
  refundAbove: {},
  void: false,
  priceOverride: false,
  discountAboveBp: null,
  drawerOpen: false,
  paidOutAbove: {},
  offlineLimitRaise: false,
};

function above(thresholds: CurrencyThresholds, a: ApprovalAction): boolean {
  const limit = a.currency === undefined ? undefined : thresholds[a.currency];
  return limit !== undefined && (a.amount ?? 0) > limit;
}

/** Does this action need a manager's approval under this policy? */
export function needsApproval(policy: ApprovalPolicy, a: ApprovalAction): boolean {
  switch (a.kind) {
    case 'refund':
      return above(policy.refundAbove, a);
    case 'void':
      return policy.void;
    case 'price_override':
      return policy.priceOverride;
    case 'discount':
      return policy.discountAboveBp !== null && (a.percentBp ?? 0) > policy.discountAboveBp;
    case 'drawer_open':
      return policy.drawerOpen;
    case 'paid_out':
      return above(policy.paidOutAbove, a);
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

/** Where a waiting approval can be opened on a phone (the back office's approval page). */
export const approvalPageUrl = (id: string) => `/admin/#/approve/${id}`;

/** Long polls answer at the latest after this long; the client asks again. */
export const MAX_WAIT_S = 25;
const POLL_MS = 300;

export function createApprovalsService(
  deps: Deps,
  auth: AuthService,
  options: { signer?: ApprovalSigner; push?: PushSender } = {},
) {
  const { database, clock, ids } = deps;
  const db = () => database.db;
  const nowIso = () => clock.now().toISOString();
  const signer = options.signer ?? createApprovalSigner(database, deps.cipher, clock);
  const push = options.push ?? createOutboxPushSender(deps);

  /** A threshold stored before thresholds were per currency applies to each of the tenant's store currencies. */
  async function perCurrency(value: unknown, tenantId: string): Promise<CurrencyThresholds> {
    if (value === null || value === undefined) return {};
    if (typeof value === 'number') {
      const stores = await db()
        .selectFrom('stores')
        .select('currency')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .execute();
      return Object.fromEntries(stores.map((s) => [s.currency, value]));
    }
    return value as CurrencyThresholds;
  }

  async function policyOf(tenantId: string): Promise<ApprovalPolicy> {
    const row = await db()
      .selectFrom('approval_policies')
      .select('policy')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) return defaultPolicy;
    const stored = JSON.parse(row.policy) as Partial<Record<keyof ApprovalPolicy, unknown>>;
    return {
      ...defaultPolicy,
      ...(stored as Partial<ApprovalPolicy>),
      refundAbove: await perCurrency(stored.refundAbove, tenantId),
      paidOutAbove: await perCurrency(stored.paidOutAbove, tenantId),
    };
  }

  async function nameOf(tenantId: string, staffId: string): Promise<string | null> {
    const s = await auth.findTenantStaff(tenantId, staffId);
    return s?.display_name ?? null;
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
    return {
      id: row.id,
      kind: row.kind as ApprovalKind,
      action: JSON.parse(row.action) as ApprovalAction,
      status: lapsed ? 'expired' : row.status,
      registerId: row.register_id,
      requestedBy: row.requested_by,
      requestedByName: await nameOf(row.tenant_id, row.requested_by),
      approvedBy: row.approved_by,
      method: row.method,
      signature: row.signature,
      createdAt: row.created_at,
      decidedAt: row.decided_at,
      expiresAt: row.expires_at,
    };
  }

  async function pendingRows(tenantId: string) {
    return db()
      .selectFrom('approvals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', nowIso())
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
  }

  /** Every active manager and owner of the tenant gets a push; failures are recorded, not fatal. */
  async function notifyManagers(tenantId: string, approvalId: string, action: ApprovalAction) {
    const staff = await auth.listStaff(tenantId);
    const managers = staff.filter((s) => s.active && can(s.role, 'approvals.grant'));
    for (const m of managers) {
      let status: 'sent' | 'failed' = 'failed';
      try {
        const r = await push.send({
          tenantId,
          staffId: m.id,
          approvalId,
          kind: action.kind,
          title: 'Approval needed',
          body: `A ${action.kind.replace('_', ' ')} waits for a manager.`,
          url: approvalPageUrl(approvalId),
        });
        status = r.ok ? 'sent' : 'failed';
        if (!r.ok) deps.log.warn({ approvalId, reason: r.reason }, 'approval push failed');
      } catch (e) {
        deps.log.warn({ approvalId, err: (e as Error).message }, 'approval push failed');
      }
      await db()
        .insertInto('approval_pushes')
        .values({
          id: `${approvalId}/${m.id}`,
          tenant_id: tenantId,
          approval_id: approvalId,
          staff_id: m.id,
          channel: push.channel,
          status,
          created_at: nowIso(),
        })
        .execute();
    }
  }

  /** Everything short of using it: exists, approved, unexpired, for this requester and action, signed. */
  async function verify(ctx: AuthContext, id: string, action: ApprovalAction): Promise<Result<null>> {
    const row = await load(ctx.tenantId, id);
    if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
    if (row.status !== 'approved' || Date.parse(row.expires_at) <= clock.now().getTime())
      return fail('invalid_approval', 'That approval is not (or no longer) usable.');
    if (row.requested_by !== ctx.staffId)
      return fail('invalid_approval', 'That approval was given to someone else.');
    if (!sameAction(JSON.parse(row.action) as ApprovalAction, action))
      return fail('invalid_approval', 'That approval was given for a different action.', {
        approved: JSON.parse(row.action) as unknown,
        requested: normalize(action),
      });
    if (
      !row.key_id ||
      !row.signature ||
      !(await signer.verify(ctx.tenantId, row.key_id, statement(row), row.signature))
    )
      return fail('invalid_approval', 'That approval’s signature does not verify.');
    return { ok: true, value: null };
  }

  /** Marks verified approvals used (each only once, even under a race) and audits each use. */
  async function markUsed(
    ctx: AuthContext,
    items: readonly { id: string; action: ApprovalAction }[],
  ): Promise<Result<null>> {
    const now = nowIso();
    const done: string[] = [];
    for (const { id } of items) {
      const r = await db()
        .updateTable('approvals')
        .set({ status: 'consumed', consumed_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) {
        await release(ctx, done);
        return fail('invalid_approval', 'That approval was already used.');
      }
      done.push(id);
    }
    await database.batch(
      items.map(({ id, action }) =>
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
      ),
    );
    return { ok: true, value: null };
  }

  /** Gives used approvals back (the action they were used for did not happen). */
  async function release(ctx: AuthContext, approvalIds: readonly string[]) {
    if (approvalIds.length === 0) return;
    await db()
      .updateTable('approvals')
      .set({ status: 'approved', consumed_at: null })
      .where('tenant_id', '=', ctx.tenantId)
      .where('id', 'in', [...approvalIds])
      .where('status', '=', 'consumed')
      .execute();
    await database.batch(
      approvalIds.map((id) =>
        auditQuery(
          db(),
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'approval.release',
            entity: 'approval',
            entityId: id,
            data: {},
          },
          nowIso(),
        ),
      ),
    );
  }

  return {
    policyOf,
    needsApproval,

    async setPolicy(ctx: AuthContext, policy: ApprovalPolicy): Promise<Result<ApprovalPolicy>> {
      for (const field of ['refundAbove', 'paidOutAbove'] as const)
        for (const code of Object.keys(policy[field]))
          if (!isCurrency(code))
            return fail('invalid_currency', `${field}: ${code} is not an ISO 4217 currency we know.`, {
              field,
              currency: code,
            });
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
      return { ok: true, value: policy };
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
      await notifyManagers(ctx.tenantId, id, a);
      return { ok: true, value: await view(row) };
    },

    async get(tenantId: string, id: string): Promise<Result<ApprovalView>> {
      const row = await load(tenantId, id);
      if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
      return { ok: true, value: await view(row) };
    },

    async pending(tenantId: string): Promise<ApprovalView[]> {
      const rows = await pendingRows(tenantId);
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
      const signed = await signer.sign(ctx.tenantId, statement(decided));
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
      if (!(await load(ctx.tenantId, id))) return fail('unknown_approval', `Approval ${id} does not exist.`);
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
     * consumed now — a second use fails. A missing approval (or another tenant's) is
     * `unknown_approval`.
     */
    async consume(ctx: AuthContext, id: string, action: ApprovalAction): Promise<Result<ApprovalView>> {
      const ok = await verify(ctx, id, action);
      if (!ok.ok) return ok;
      const used = await markUsed(ctx, [{ id, action }]);
      if (!used.ok) return used;
      return { ok: true, value: await view((await load(ctx.tenantId, id))!) };
    },

    /**
     * For a use case that needs several approvals at once (a checkout with a price override and a
     * large discount): each action must be covered by one of `approvalIds`. Nothing is used until
     * all are covered; the first action without a usable approval comes back as
     * `approval_required` with every action in the details. On success the approvals are used and
     * `release` gives them back (the use case failed after all: compensation).
     */
    async consumeAll(
      ctx: AuthContext,
      approvalIds: readonly string[],
      actions: readonly ApprovalAction[],
    ): Promise<Result<{ release: () => Promise<void> }>> {
      const taken: { id: string; action: ApprovalAction }[] = [];
      const problems: string[] = [];
      for (const action of actions) {
        let found: string | null = null;
        for (const id of approvalIds) {
          if (taken.some((t) => t.id === id)) continue;
          const r = await verify(ctx, id, action);
          if (r.ok) {
            found = id;
            break;
          }
          problems.push(`${id}: ${r.error.message}`);
        }
        if (!found)
          return fail('approval_required', 'A manager must approve this first.', {
            action: normalize(action),
            actions: actions.map(normalize),
            ...(approvalIds.length > 0 ? { rejected: problems.slice(0, 5) } : {}),
          });
        taken.push({ id: found, action });
      }
      const used = await markUsed(ctx, taken);
      if (!used.ok) return used;
      return {
        ok: true,
        value: {
          release: () =>
            release(
              ctx,
              taken.map((t) => t.id),
            ),
        },
      };
    },

    /**
     * Long poll for the requester (the register): answers as soon as the approval is no longer
     * pending, or after `waitS` seconds with it still pending.
     */
    async waitFor(tenantId: string, id: string, waitS: number): Promise<Result<ApprovalView>> {
      const until = Date.now() + Math.min(waitS, MAX_WAIT_S) * 1000;
      for (;;) {
        const row = await load(tenantId, id);
        if (!row) return fail('unknown_approval', `Approval ${id} does not exist.`);
        const v = await view(row);
        if (v.status !== 'pending' || Date.now() >= until) return { ok: true, value: v };
        await sleep(POLL_MS);
      }
    },

    /**
     * Long poll for the back office: the pending approvals as soon as they differ from `known`
     * (the ids the screen already shows), or after `waitS` seconds.
     */
    async waitPending(tenantId: string, known: readonly string[], waitS: number): Promise<ApprovalView[]> {
      const until = Date.now() + Math.min(waitS, MAX_WAIT_S) * 1000;
      const seen = [...known].sort().join(',');
      for (;;) {
        const rows = await pendingRows(tenantId);
        if (
          rows
            .map((r) => r.id)
            .sort()
            .join(',') !== seen ||
          Date.now() >= until
        )
          return Promise.all(rows.map(view));
        await sleep(POLL_MS);
      }
    },

    /** Who was told about an approval, and through which channel. */
    async pushesOf(tenantId: string, id: string) {
      return db()
        .selectFrom('approval_pushes')
        .select(['staff_id as staffId', 'channel', 'status', 'created_at as createdAt'])
        .where('tenant_id', '=', tenantId)
        .where('approval_id', '=', id)
        .orderBy('created_at')
        .execute();
    },

    signer,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type ApprovalsService = ReturnType<typeof createApprovalsService>;
