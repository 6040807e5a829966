import pg from 'pg';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;
export type Pool = pg.Pool;

// int8 (bigserial ids, counts) as numbers: ids stay far below 2^53. ThriveCart customer ids are
// text columns and never go through this parser.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** SQL for the next id of a table's bigserial `id`, for statements that must know it before the row exists. */
export function nextIdSql(table: 'contacts' | 'deliveries'): string {
  return `nextval(pg_get_serial_sequence('${table}', 'id'))`;
}

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction, committing on success and rolling back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
