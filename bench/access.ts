/**
 * Access check: the membership site's question (`GET /api/access`) over 100,000 contacts, against
 * a bare `node:http` server answering a constant in a process of its own (the ceiling of HTTP on
 * this machine with this load generator).
 */
import pg from 'pg';
import { spawnedAnswer } from './constant-server.ts';
import { startListeningProcess } from './listening-process.ts';
import { runLoad, type LoadResult } from './load.ts';

export const ACCESS_CONTACTS = 100_000;
const SEED_BATCH = 20_000;

/**
 * Inserts `ACCESS_CONTACTS` contacts whose ledger is the real projection Handoff folded for a
 * purchase it received (copied from `templateEmail`), so every access check reads and derives
 * from a realistic ledger.
 */
export async function seedAccessContacts(connectionString: string, templateEmail: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const template = await client.query<{ ledger: unknown }>(`select ledger from contacts where email = $1`, [
      templateEmail,
    ]);
    if (!template.rows[0]) throw new Error(`no contact ${templateEmail} to copy the ledger from`);
    const ledger = JSON.stringify(template.rows[0].ledger);
    for (let first = 1; first <= ACCESS_CONTACTS; first += SEED_BATCH) {
      await client.query(
        `insert into contacts (email, thrivecart_customer_id, first_name, last_name, details_as_of, ledger, created_at, updated_at)
         select 'access-' || n || '@example.com', 'access-' || n, 'Ada', 'Lovelace', now(), $3::jsonb, now(), now()
           from generate_series($1::int, $2::int) as n`,
        [first, Math.min(ACCESS_CONTACTS, first + SEED_BATCH - 1), ledger],
      );
    }
    await client.query('analyze contacts');
  } finally {
    await client.end();
  }
}

export function accessPath(index: number): string {
  return `/api/access?email=access-${(index % ACCESS_CONTACTS) + 1}%40example.com&offering=focus-course`;
}

export async function accessThroughHandoff(
  url: string,
  token: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  let index = 0;
  const result = await runLoad({
    url,
    connections,
    seconds,
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
    next: () => accessPath((index += 7919)),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`access check: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

export async function accessBaseline(port: number, connections: number, seconds: number): Promise<LoadResult> {
  const server = await startListeningProcess(['-e', spawnedAnswer(port)], 'constant server');
  try {
    let index = 0;
    return await runLoad({
      url: `http://127.0.0.1:${port}`,
      connections,
      seconds,
      method: 'GET',
      headers: { authorization: 'Bearer x' },
      next: () => accessPath((index += 7919)),
    });
  } finally {
    server.kill('SIGTERM');
  }
}
