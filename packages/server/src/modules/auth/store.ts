import type { Kysely } from 'kysely';
import type { DB, SessionTable, StaffTable } from '../../db/schema';

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

export async function insertSession(db: Kysely<DB>, row: SessionTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('sessions')
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
