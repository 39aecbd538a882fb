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
  for (let i = 0; i < missing.length; i += 200) {
    const rows = missing.slice(i, i + 200).map((email) => {
      const p = wanted.get(email)!;
      return { email, name: p.name, locale: p.locale ?? 'zh-CN', password_hash: null, created_at: now };
    });
    await db('users').insert(rows).onConflict('email').ignore();
  }
  const created: UserRow[] = [];
  for (let i = 0; i < missing.length; i += 500) {
    for (const u of await db<UserRow>('users').whereIn('email', missing.slice(i, i + 500))) {
      byEmail.set(u.email, u);
      created.push(u);
    }
  }
  return { byEmail, created };
}

export async function addRoles(db: Tx, userIds: number[], role: string): Promise<void> {
  const ids = [...new Set(userIds)];
  for (let i = 0; i < ids.length; i += 500) {
    await db('user_roles').insert(ids.slice(i, i + 500).map((user_id) => ({ user_id, role }))).onConflict(['user_id', 'role']).ignore();
  }
}
