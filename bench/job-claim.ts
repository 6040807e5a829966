/**
 * Job claim under a launch backlog: what one poll of the job worker costs while 100,000 CRM syncs
 * wait for their CRM's rate budget (their kind held), against the same poll with no jobs at all.
 * Every worker polls twice a second while idle, so a poll that grows with the backlog takes the
 * database away from the intake for as long as a launch lasts. Runs in a database of its own on
 * the benchmark's server, so the running Handoff never sees these jobs.
 */
import { pino } from 'pino';
import pg from 'pg';
import { JobWorker } from '../src/adapters/jobs/job-worker.ts';
import { createPool } from '../src/adapters/store/database.ts';
import { migrate } from '../src/adapters/store/migrate.ts';
import { systemClock } from '../src/ports/clock.ts';
import { round } from './load.ts';

export const HELD_JOBS = 100_000;
const POLLS = 200;
const DATABASE = 'bench_job_claim';

export async function jobClaimBenchmark(
  connectionString: string,
): Promise<{ heldJobs: number; pollMs: number; emptyPollMs: number; ratio: number }> {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  const pool = createPool(connectionString.replace(/\/handoff(\?|$)/, `/${DATABASE}$1`), 2);
  try {
    await migrate(pool);
    const handlers = { 'crm.sync:activecampaign': async () => undefined, 'webhook.deliver': async () => undefined };
    const worker = new JobWorker(pool, systemClock, handlers, pino({ level: 'silent' }));
    const emptyPollMs = await msPerPoll(worker);
    const now = Date.now();
    await pool.query(
      `insert into jobs (kind, key, run_at) select 'crm.sync:activecampaign', n::text, to_timestamp(($1::float8 - $2 + n) / 1000.0) from generate_series(1, $2::int) as n`,
      [now, HELD_JOBS],
    );
    await pool.query(
      `insert into job_kind_holds (kind, until) values ('crm.sync:activecampaign', now() + interval '1 hour')`,
    );
    await pool.query('analyze jobs');
    const pollMs = await msPerPoll(worker);
    return { heldJobs: HELD_JOBS, pollMs, emptyPollMs, ratio: round(pollMs / emptyPollMs) };
  } finally {
    await pool.end();
    await admin.query(`drop database if exists ${DATABASE} with (force)`);
    await admin.end();
  }
}

/** One poll: the worker's whole round when nothing is due to it. */
async function msPerPoll(worker: JobWorker): Promise<number> {
  for (let warmUp = 0; warmUp < 20; warmUp += 1) await expectNothingDue(worker);
  const started = performance.now();
  for (let poll = 0; poll < POLLS; poll += 1) await expectNothingDue(worker);
  return round((performance.now() - started) / POLLS, 3);
}

async function expectNothingDue(worker: JobWorker): Promise<void> {
  const ran = await worker.runDue();
  if (ran !== 0) throw new Error(`the poll ran ${ran} jobs; the benchmark expects none due`);
}
