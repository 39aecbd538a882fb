import type { Tx } from './db';

export interface UserRow {
  id: number;
  email: string;
  name: string;
  password_hash: string | null;
  locale: string;
  created_at: string;
}

export const findUserByEmail = (db: Tx, email: string): Promise<UserRow | undefined> =>
  db<UserRow>('users').where({ email: email.toLowerCase() }).first();

export const getUser = (db: Tx, id: number): Promise<UserRow | undefined> => db<UserRow>('users').where({ id }).first();

export const usersByIds = (db: Tx, ids: number[]): Promise<UserRow[]> =>
  ids.length ? db<UserRow>('users').whereIn('id', ids) : Promise.resolve([]);

/** Links an existing person by email, or creates them without a password (they are invited later). */
export async function upsertUser(
  db: Tx,
  person: { email: string; name: string; locale?: string; passwordHash?: string | null },
  now: string,
): Promise<{ user: UserRow; created: boolean }> {
  const email = person.email.toLowerCase();
  const existing = await findUserByEmail(db, email);
  if (existing) {
    if (person.passwordHash) await db('users').where({ id: existing.id }).update({ password_hash: person.passwordHash });
    return { user: { ...existing, password_hash: person.passwordHash ?? existing.password_hash }, created: false };
  }
  const [row] = await db('users')
    .insert({ email, name: person.name, locale: person.locale ?? 'zh-CN', password_hash: person.passwordHash ?? null, created_at: now })
    .returning('id');
  const id = typeof row === 'object' ? row.id : row;
  return { user: (await getUser(db, id))!, created: true };
}

export async function addRole(db: Tx, userId: number, role: string): Promise<void> {
  await db('user_roles').insert({ user_id: userId, role }).onConflict(['user_id', 'role']).ignore();
}

export async function rolesOf(db: Tx, userId: number): Promise<string[]> {
  const rows = await db('user_roles').where({ user_id: userId }).select('role');
  return rows.map((r: { role: string }) => r.role);
}

export const firstUserWithRole = (db: Tx, role: string): Promise<UserRow | undefined> =>
  db<UserRow>('users').join('user_roles', 'users.id', 'user_roles.user_id').where('user_roles.role', role).orderBy('users.id').first('users.*');

export async function setPasswordHash(db: Tx, userId: number, hash: string): Promise<void> {
  await db('users').where({ id: userId }).update({ password_hash: hash });
}

export async function setLocale(db: Tx, userId: number, locale: string): Promise<void> {
  await db('users').where({ id: userId }).update({ locale });
}

/** Holds the user's row until the transaction ends (PostgreSQL; SQLite holds the whole database already). */
export async function lockUser(db: Tx, userId: number): Promise<void> {
  const q = db('users').where({ id: userId }).first('id');
  await (db.client.config.client === 'pg' ? q.forUpdate() : q);
}

/**
 * Links many people by email at once (batched reads and inserts), creating the missing ones without
 * a password. Returns every person's row by lower-case email, and which were created.
 */
export async function ensureUsers(
  db: Tx,
  people: { email: string; name: string; locale?: string }[],
  now: string,
): Promise<{ byEmail: Map<string, UserRow>; created: UserRow[] }> {
  const wanted = new Map<string, { email: string; name: string; locale?: string }>();
  for (const p of people) if (!wanted.has(p.email.toLowerCase())) wanted.set(p.email.toLowerCase(), p);
  const emails = [...wanted.keys()];
  const byEmail = new Map<string, UserRow>();
  for (let i = 0; i < emails.length; i += 500) {
    for (const u of await db<UserRow>('users').whereIn('email', emails.slice(i, i + 500))) byEmail.set(u.email, u);
  }
  const missing = emails.filter((e) => !byEmail.has(e));
  // The inserted rows come back with the insert; one a concurrent writer inserted first (the
  // conflict ignored) is linked, not counted as created, and read after.
  const created: UserRow[] = [];
  for (let i = 0; i < missing.length; i += 200) {
    const rows = missing.slice(i, i + 200).map((email) => {
      const p = wanted.get(email)!;
      return { email, name: p.name, locale: p.locale ?? 'zh-CN', password_hash: null, created_at: now };
    });
    for (const u of (await db('users').insert(rows).onConflict('email').ignore().returning('*')) as UserRow[]) {
      byEmail.set(u.email, u);
      created.push(u);
    }
  }
  const raced = missing.filter((e) => !byEmail.has(e));
  for (let i = 0; i < raced.length; i += 500) {
    for (const u of await db<UserRow>('users').whereIn('email', raced.slice(i, i + 500))) byEmail.set(u.email, u);
  }
  return { byEmail, created };
}

export async function addRoles(db: Tx, userIds: number[], role: string): Promise<void> {
  const ids = [...new Set(userIds)];
  for (let i = 0; i < ids.length; i += 500) {
    await db('user_roles').insert(ids.slice(i, i + 500).map((user_id) => ({ user_id, role }))).onConflict(['user_id', 'role']).ignore();
  }
}

// ── the office's users page (issue 9) ─────────────────────────────────────────

export const countUsers = async (db: Tx): Promise<number> => Number((await db('users').count({ n: '*' }).first())!.n);

/** Holds the users table until the transaction ends, so two first-run setups cannot both find it empty (PostgreSQL; SQLite has one writer). */
export async function lockUsersTable(db: Tx): Promise<void> {
  if (db.client.config.client === 'pg') await db.raw('lock table users in share row exclusive mode');
}

export interface UserListRow { id: number; email: string; name: string; locale: string; has_password: boolean; deactivated_at: string | null; created_at: string; roles: string[] }

export async function listUsersWithRoles(db: Tx): Promise<UserListRow[]> {
  const users = await db('users').orderBy('id').select('id', 'email', 'name', 'locale', 'password_hash', 'deactivated_at', 'created_at');
  const roles = await db('user_roles').select('user_id', 'role');
  const byUser = new Map<number, string[]>();
  for (const r of roles as { user_id: number; role: string }[]) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.role]);
  return (users as (UserRow & { deactivated_at: string | null })[]).map((u) => ({
    id: u.id, email: u.email, name: u.name, locale: u.locale, has_password: u.password_hash !== null, deactivated_at: u.deactivated_at ?? null, created_at: u.created_at,
    roles: (byUser.get(u.id) ?? []).sort(),
  }));
}

export async function setDeactivated(db: Tx, userId: number, at: string | null): Promise<void> {
  await db('users').where({ id: userId }).update({ deactivated_at: at });
}

export async function isDeactivated(db: Tx, userId: number): Promise<boolean> {
  const row = await db('users').where({ id: userId }).first('deactivated_at');
  return Boolean(row?.deactivated_at);
}

export async function removeRole(db: Tx, userId: number, role: string): Promise<void> {
  await db('user_roles').where({ user_id: userId, role }).del();
}

/** Active people holding a role (the last office account may not lose it). */
export async function countActiveWithRole(db: Tx, role: string): Promise<number> {
  const r = await db('users').join('user_roles', 'users.id', 'user_roles.user_id').where('user_roles.role', role).whereNull('users.deactivated_at').count({ n: '*' }).first();
  return Number(r!.n);
}

/** Deputies (委托) named on branches of cycles that are not archived. */
export const deputyAssignments = (db: Tx): Promise<{ user_id: number; cycle_id: number; year: number; code: string; name: string; phase: string }[]> =>
  db('branch_reviews as b')
    .join('cycles as c', 'c.id', 'b.cycle_id')
    .whereNotNull('b.deputy_id')
    .whereNot('c.state', 'archived')
    .select('b.deputy_id as user_id', 'b.cycle_id', 'c.year', 'b.code', 'b.name', 'b.phase')
    .orderBy(['c.year', 'b.code']);
