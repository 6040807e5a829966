/** The console's import jobs (app/thrivecart/import-job.ts) as the Import page follows them. */
import type { Queryable } from './database.ts';
import { SqlParams } from './sql-params.ts';

/** The import job of `kind` waiting or running, if any (the running one first): what it was asked to do. */
export async function importJobInProgress(
  db: Queryable,
  kind: string,
): Promise<{ apply: boolean; state: 'pending' | 'running' } | null> {
  const params = new SqlParams();
  const result = await db.query<{ apply: boolean; state: 'pending' | 'running' }>(
    `select coalesce((payload->>'apply')::boolean, false) as apply, state from jobs
      where kind = ${params.add(kind)} and state in ('pending', 'running') order by state = 'running' desc limit 1`,
    params.values,
  );
  return result.rows[0] ?? null;
}
