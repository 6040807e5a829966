import type { TestHandoff } from './handoff.ts';

/**
 * Every row of every table of the test database, as JSON in lower case, in one string: the
 * question the erasure tests ask is "is this person still anywhere?", whatever table a later
 * change adds.
 */
export async function everythingStored(handoff: TestHandoff): Promise<string> {
  const pool = handoff.runtime.ctx.pool;
  const tables = await pool.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const dumps = await Promise.all(
    tables.rows.map(async ({ table_name }) => JSON.stringify((await pool.query(`select * from "${table_name}"`)).rows)),
  );
  return dumps.join('\n').toLowerCase();
}
