import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { hashSecret, newToken, PIN_COST, sha256Hex, verifySecret } from '../../lib/secrets';
import type { StaffTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import type { Role } from './permissions';
import * as store from './store';

export interface AuthContext {
  tenantId: string;
  staffId: string;
  username: string;
  displayName: string;
  role: Role;
  registerId: string | null;
  sessionId: string;
}

export interface StaffView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  hasPin: boolean;
  active: boolean;
}

export const SESSION_HOURS = 12;
/** How long a verified token is trusted from memory before the database is asked again. */
const CACHE_MS = 30_000;

export function staffView(
  s: Pick<StaffTable, 'id' | 'username' | 'display_name' | 'role' | 'pin_hash' | 'active'>,
): StaffView {
  return {
    id: s.id,
    username: s.username,
    displayName: s.display_name,
    role: s.role,
    hasPin: s.pin_hash !== null,
    active: s.active === 1,
  };
}

export function createAuthService(deps: Deps) {
  const { database, clock } = deps;
  const cache = new Map<string, { ctx: AuthContext; until: number; expires: number }>();

  async function issue(staff: StaffTable, registerId: string | null) {
    const token = newToken();
    const now = clock.now();
    await store.insertSession(database.db, {
      id: sha256Hex(token),
      tenant_id: staff.tenant_id,
      staff_id: staff.id,
      register_id: registerId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
      revoked_at: null,
    });
    return { token, staff: staffView(staff), expiresInSeconds: SESSION_HOURS * 3600 };
  }

  return {
    async login(username: string, password: string) {
      const staff = await store.findStaffByUsername(database.db, username);
      // verify against a dummy hash when the user is unknown, so timing does not reveal usernames
      const ok = staff
        ? await verifySecret(password, staff.password_hash)
        : (await verifySecret(password, DUMMY_HASH), false);
      if (!staff || !ok || staff.active !== 1) {
        return fail('invalid_credentials', 'The username or password is wrong.');
      }
      return { ok: true as const, value: await issue(staff, null) };
    },

    /** Switches the signed-in staff on a known register: the caller is already signed in. */
    async pinSwitch(ctx: AuthContext, registerId: string, username: string, pin: string) {
      const register = await database.db
        .selectFrom('registers')
        .select(['id'])
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', registerId)
        .executeTakeFirst();
      if (!register) return fail('unknown_register', `Register ${registerId} does not exist.`);
      const staff = await store.findStaffByUsername(database.db, username);
      const valid =
        staff !== undefined &&
        staff.tenant_id === ctx.tenantId &&
        staff.active === 1 &&
        staff.pin_hash !== null &&
        (await verifySecret(pin, staff.pin_hash));
      if (!valid || !staff) return fail('invalid_pin', 'The staff member or PIN is wrong.');
      return { ok: true as const, value: await issue(staff, registerId) };
    },

    async authenticate(token: string): Promise<AuthContext | null> {
      const id = sha256Hex(token);
      const nowMs = clock.now().getTime();
      const hit = cache.get(id);
      if (hit && hit.until > nowMs && hit.expires > nowMs) return hit.ctx;
      const s = await store.findSession(database.db, id);
      if (!s || s.revoked_at !== null || s.active !== 1 || Date.parse(s.expires_at) <= nowMs) {
        cache.delete(id);
        return null;
      }
      const ctx: AuthContext = {
        tenantId: s.tenant_id,
        staffId: s.staff_id,
        username: s.username,
        displayName: s.display_name,
        role: s.role,
        registerId: s.register_id,
        sessionId: id,
      };
      if (cache.size > 10_000) cache.clear();
      cache.set(id, { ctx, until: nowMs + CACHE_MS, expires: Date.parse(s.expires_at) });
      return ctx;
    },

    async logout(ctx: AuthContext): Promise<void> {
      cache.delete(ctx.sessionId);
      await store.revokeSession(database.db, ctx.tenantId, ctx.sessionId, clock.now().toISOString());
    },

    async createStaff(
      tenantId: string,
      input: {
        username: string;
        displayName: string;
        role: Role;
        password: string;
        pin?: string | undefined;
      },
    ): Promise<Result<StaffView>> {
      if (await store.findStaffByUsername(database.db, input.username)) {
        return fail('duplicate_username', `The username ${input.username} is taken.`);
      }
      const now = clock.now().toISOString();
      const row: StaffTable = {
        id: deps.ids.newId('stf'),
        tenant_id: tenantId,
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        password_hash: await hashSecret(input.password),
        pin_hash: input.pin ? await hashSecret(input.pin, PIN_COST) : null,
        active: 1,
        created_at: now,
        updated_at: now,
      };
      try {
        await store.insertStaff(database.db, row);
      } catch (e) {
        if (isUniqueViolation(e))
          return fail('duplicate_username', `The username ${input.username} is taken.`);
        throw e;
      }
      return { ok: true, value: staffView(row) };
    },

    async listStaff(tenantId: string): Promise<StaffView[]> {
      return (await store.listStaff(database.db, tenantId)).map(staffView);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
