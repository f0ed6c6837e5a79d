import type { Kysely } from 'kysely';
import type { DB, SessionTable, StaffTable } from '../../db/schema';
import type {
  ApiKeyTable,
  AuthChallengeTable,
  AuthSessionTable,
  MfaFactorTable,
  RecoveryCodeTable,
} from '../../db/schema-identity';

export function findStaffByUsername(db: Kysely<DB>, username: string) {
  return db.selectFrom('staff').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findStaff(db: Kysely<DB>, tenantId: string, staffId: string) {
  return db
    .selectFrom('staff')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', staffId)
    .executeTakeFirst();
}

export function listStaff(db: Kysely<DB>, tenantId: string) {
  return db.selectFrom('staff').selectAll().where('tenant_id', '=', tenantId).orderBy('username').execute();
}

export async function insertStaff(db: Kysely<DB>, row: StaffTable): Promise<void> {
  await db.insertInto('staff').values(row).execute();
}

export async function setFailures(
  db: Kysely<DB>,
  tenantId: string,
  staffId: string,
  failures: number,
  lockedUntil: string | null,
): Promise<void> {
  await db
    .updateTable('staff')
    .set({ failed_logins: failures, locked_until: lockedUntil })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', staffId)
    .execute();
}

export async function setPassword(
  db: Kysely<DB>,
  tenantId: string,
  staffId: string,
  hash: string,
  at: string,
) {
  await db
    .updateTable('staff')
    .set({ password_hash: hash, updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', staffId)
    .execute();
}

// ---- sessions ----

export async function insertSession(db: Kysely<DB>, row: SessionTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function insertAuthSession(db: Kysely<DB>, row: AuthSessionTable): Promise<void> {
  await db.insertInto('auth_sessions').values(row).execute();
}

/** An access token with its sign-in session and staff member, in one query. */
export function findSession(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('auth_sessions', (j) =>
      j
        .onRef('auth_sessions.id', '=', 'sessions.auth_session_id')
        .onRef('auth_sessions.tenant_id', '=', 'sessions.tenant_id'),
    )
    .innerJoin('staff', (j) =>
      j.onRef('staff.id', '=', 'sessions.staff_id').onRef('staff.tenant_id', '=', 'sessions.tenant_id'),
    )
    .select([
      'sessions.id',
      'sessions.tenant_id',
      'sessions.staff_id',
      'sessions.register_id',
      'sessions.expires_at',
      'sessions.revoked_at',
      'auth_sessions.id as auth_session_id',
      'auth_sessions.level',
      'auth_sessions.method',
      'auth_sessions.last_seen_at',
      'auth_sessions.expires_at as session_expires_at',
      'auth_sessions.revoked_at as session_revoked_at',
      'staff.role',
      'staff.username',
      'staff.display_name',
      'staff.active',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function revokeSession(db: Kysely<DB>, tenantId: string, id: string, at: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export function findAuthSession(db: Kysely<DB>, tenantId: string, id: string) {
  return db
    .selectFrom('auth_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findAuthSessionByRefresh(db: Kysely<DB>, refreshHash: string) {
  return db
    .selectFrom('auth_sessions')
    .selectAll()
    .where('refresh_hash', '=', refreshHash)
    .executeTakeFirst();
}

/** Swaps the refresh token only if the old one is still current: each refresh token works once. */
export async function rotateRefresh(
  db: Kysely<DB>,
  id: string,
  oldHash: string,
  newHash: string,
  at: string,
) {
  const r = await db
    .updateTable('auth_sessions')
    .set({ refresh_hash: newHash, last_seen_at: at })
    .where('id', '=', id)
    .where('refresh_hash', '=', oldHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function touchAuthSession(db: Kysely<DB>, tenantId: string, id: string, at: string) {
  await db
    .updateTable('auth_sessions')
    .set({ last_seen_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function setSessionLevel(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  level: AuthSessionTable['level'],
  method: string,
) {
  await db
    .updateTable('auth_sessions')
    .set({ level, method })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function revokeAuthSession(db: Kysely<DB>, tenantId: string, id: string, at: string) {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at: at, refresh_hash: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

export function listAuthSessions(db: Kysely<DB>, tenantId: string, staffId: string, now: string) {
  return db
    .selectFrom('auth_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

// ---- second factors ----

export function listFactors(db: Kysely<DB>, tenantId: string, staffId: string) {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .orderBy('created_at')
    .execute();
}

export function findFactor(db: Kysely<DB>, tenantId: string, staffId: string, id: string) {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findFactorByCredential(db: Kysely<DB>, credentialId: string) {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
}

export async function insertFactor(db: Kysely<DB>, row: MfaFactorTable): Promise<void> {
  await db.insertInto('mfa_factors').values(row).execute();
}

export async function confirmFactor(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  at: string,
  step: number | null,
) {
  await db
    .updateTable('mfa_factors')
    .set({ confirmed_at: at, last_step: step, last_used_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function deleteFactor(db: Kysely<DB>, tenantId: string, id: string) {
  await db.deleteFrom('mfa_factors').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Records a TOTP time-step as used, only if it is later than the last one (never twice). */
export async function advanceTotpStep(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  step: number,
  at: string,
) {
  const r = await db
    .updateTable('mfa_factors')
    .set({ last_step: step, last_used_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setPasskeyCounter(
  db: Kysely<DB>,
  tenantId: string,
  credentialId: string,
  counter: number,
  at: string,
) {
  await db
    .updateTable('mfa_factors')
    .set({ counter, last_used_at: at })
    .where('tenant_id', '=', tenantId)
    .where('credential_id', '=', credentialId)
    .execute();
}

// ---- recovery codes ----

export async function replaceRecoveryCodes(
  db: Kysely<DB>,
  tenantId: string,
  staffId: string,
  rows: RecoveryCodeTable[],
) {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('recovery_codes')
      .where('tenant_id', '=', tenantId)
      .where('staff_id', '=', staffId)
      .execute();
    await trx.insertInto('recovery_codes').values(rows).execute();
  });
}

export async function useRecoveryCode(
  db: Kysely<DB>,
  tenantId: string,
  staffId: string,
  hash: string,
  at: string,
) {
  const r = await db
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Kysely<DB>, tenantId: string, staffId: string) {
  const r = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function hasUnusedRecoveryCode(db: Kysely<DB>, tenantId: string, staffId: string) {
  return (await countUnusedRecoveryCodes(db, tenantId, staffId)) > 0;
}

export async function hasAnyRecoveryCode(db: Kysely<DB>, tenantId: string, staffId: string) {
  const r = await db
    .selectFrom('recovery_codes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return r !== undefined;
}

// ---- challenges ----

export async function insertChallenge(db: Kysely<DB>, row: AuthChallengeTable) {
  await db.insertInto('auth_challenges').values(row).execute();
}

export function findChallenge(db: Kysely<DB>, id: string) {
  return db.selectFrom('auth_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function bumpChallenge(db: Kysely<DB>, id: string) {
  await db
    .updateTable('auth_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Marks a challenge used, once. */
export async function useChallenge(db: Kysely<DB>, id: string, at: string) {
  const r = await db
    .updateTable('auth_challenges')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---- API keys ----

export async function insertApiKey(db: Kysely<DB>, row: ApiKeyTable) {
  await db.insertInto('api_keys').values(row).execute();
}

export function findApiKey(db: Kysely<DB>, id: string) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listApiKeys(db: Kysely<DB>, tenantId: string) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
}

export async function revokeApiKey(db: Kysely<DB>, tenantId: string, id: string, at: string) {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
