// Finds the PostgreSQL server for the integration tests: TEST_DATABASE_URL, or the local one on 5432.
// Each test then works in a schema of its own inside that database.
import knex from 'knex';

export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = knex({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 2000 } });
  try {
    await db.raw('select 1');
    process.env.TEST_DATABASE_URL = url;
  } catch (err) {
    if (process.env.REQUIRE_POSTGRES) throw new Error(`PostgreSQL required but not reachable at ${url}: ${(err as Error).message}`);
    console.warn(`\n[shuping] PostgreSQL not reachable at ${url}: integration tests run on SQLite only.\n`);
    delete process.env.TEST_DATABASE_URL;
  } finally {
    await db.destroy();
  }
}
