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

/** Called with each connection the database dropped (terminated, restarted, network gone). */
export type ConnectionLost = (error: Error) => void;

/**
 * The application_name of Handoff's connections (the server's and its commands'), as
 * pg_stat_activity shows them: `handoff restore` refuses to run while any is connected.
 */
export const HANDOFF_APPLICATION_NAME = 'handoff';

/**
 * A pool whose connections may be dropped by the database at any moment without taking the
 * process down. pg emits an 'error' event on a client whose connection died; the pool listens
 * only while the client is idle, and an 'error' event nobody listens to ends the process. So
 * every client gets its own listener as soon as it exists, whether idle or checked out. The
 * statement in flight on it fails (the request answers 5xx, the job retries), the pool discards
 * the broken client (it is no longer queryable) and opens a new connection for the next caller.
 */
export function createPool(
  connectionString: string,
  max = 10,
  onConnectionLost: ConnectionLost = () => undefined,
  applicationName = HANDOFF_APPLICATION_NAME,
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName });
  pool.on('connect', (client) => {
    client.on('error', onConnectionLost);
  });
  // Idle clients report through the pool as well; the client's own listener has already told.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Whether `error` says the connection itself is gone (rather than the statement being wrong):
 * the database terminated the session (SQLSTATE class 57P: admin or crash shutdown, cannot connect
 * now), the connection failed (class 08), or the socket closed under the driver. Retrying on a
 * new connection can succeed, so such a failure is not the request's fault.
 */
export function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('57P') || code.startsWith('08')) return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOENT', 'ETIMEDOUT'].includes(code)) return true;
  return /Connection terminated|not queryable|Client was closed/.test(error.message);
}

/** Runs `work` in one transaction, committing on success and rolling back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('begin');
    result = await work(client);
    await client.query('commit');
  } catch (error) {
    // A client that cannot roll back (its connection is gone) is discarded rather than reused.
    const rolledBack = await client.query('rollback').then(
      () => true,
      () => false,
    );
    client.release(rolledBack ? undefined : new Error('the transaction could not be rolled back', { cause: error }));
    throw error;
  }
  client.release();
  return result;
}

/** One round trip that succeeds only when the database answers: the health check's question. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query('select 1');
}
