/**
 * BENCH_PG_STATEMENTS=1: PostgreSQL's own account of the ingest, from pg_stat_statements (which
 * ships with the embedded binaries). A profile of Handoff shows only the time it waits for a
 * query; this shows which statements PostgreSQL spent that time on, including the job worker's,
 * which run beside the intake during the loads.
 */
import { startEmbeddedPostgres } from '../src/adapters/store/embedded-postgres.ts';
import { stopEmbeddedPostgresIn } from '../test/reliability/support/spawned-handoff.ts';
import { withClient } from './with-client.ts';

/** Before Handoff starts its PostgreSQL in `dataDir`: the library loads only at server start. */
export async function preloadStatementStatistics(dataDir: string): Promise<void> {
  const { connectionString } = await startEmbeddedPostgres({ dataDir });
  await withClient(connectionString, (client) =>
    client.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`),
  );
  await stopEmbeddedPostgresIn(dataDir);
}

/** Starts counting from zero (the warm-up and the set-up are left out). */
export async function resetStatementStatistics(connectionString: string): Promise<void> {
  await withClient(connectionString, async (client) => {
    await client.query('create extension if not exists pg_stat_statements');
    await client.query('select pg_stat_statements_reset()');
  });
}

/** Prints the statements that took PostgreSQL the most time since the reset. */
export async function printStatementStatistics(connectionString: string, count = 15): Promise<void> {
  const { rows } = await withClient(connectionString, (client) =>
    client.query<{ total_ms: string; calls: string; mean_ms: string; query: string }>(
      // The baseline's schema is made again for each round, so its statements count as new ones: summed by text.
      `select round(sum(total_exec_time)::numeric)::text as total_ms, sum(calls)::text as calls,
              round((sum(total_exec_time) / sum(calls))::numeric, 3)::text as mean_ms, statement as query
         from (select total_exec_time, calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as statement
                 from pg_stat_statements) as counted
        group by statement order by sum(total_exec_time) desc limit $1`,
      [count],
    ),
  );
  console.log('  PostgreSQL time by statement (pg_stat_statements): total ms, calls, mean ms, statement');
  for (const row of rows)
    console.log(`  ${row.total_ms.padStart(7)} ${row.calls.padStart(8)} ${row.mean_ms.padStart(8)}  ${row.query}`);
}
