/**
 * An import started from the console's Import page: a durable job (one process runs it, a
 * restart resumes it, as the import keeps what it fetched) that plans, or applies once the
 * creator has read the plan and confirmed. An import from the API walks ThriveCart's history
 * under the same lock as the reconcile, from the same rate budget; a CSV import (planned when the
 * file is uploaded) applies the file kept with it.
 */
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import type { ThriveCartApi } from '../../adapters/sources/thrivecart/api-client.ts';
import { importJobInProgress } from '../../adapters/store/thrivecart-import-jobs.ts';
import { latestImportRun, type ImportRun } from '../../adapters/store/thrivecart-imports.ts';
import { oneThriveCartWalkAtATime } from '../../adapters/store/thrivecart-reconciles.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import type { ClaimedJob, RetryLater } from '../../ports/jobs.ts';
import type { AppContext } from '../context.ts';
import type { HistoryWindow } from './history-window.ts';
import { applyCsvImport, importFromThriveCart } from './import-history.ts';

export const THRIVECART_IMPORT_JOB = 'thrivecart.import';
const BUSY_RETRY_MS = 60_000;

interface ImportJobPayload {
  /** Absent in jobs queued before CSV imports ran as jobs: those were API imports. */
  source?: ImportRun['source'];
  /** The import whose plan was read, for a CSV import: another file planned since is not applied. */
  importId?: number;
  apply: boolean;
  since: number | null;
  until: number | null;
  queuedAt: number;
}

export async function queueImport(
  ctx: AppContext,
  what: { source: ImportRun['source']; importId?: number },
  apply: boolean,
  window: HistoryWindow,
): Promise<void> {
  const now = ctx.clock.now();
  const { source, importId } = what;
  const payload: ImportJobPayload = {
    source,
    importId,
    apply,
    since: window.since,
    until: window.until,
    queuedAt: now,
  };
  await enqueueJob(ctx.pool, { kind: THRIVECART_IMPORT_JOB, key: source, runAt: now, payload: { ...payload } });
}

/** The console's import waiting or running, if any: what it was asked to do. */
export async function importInProgress(
  db: Queryable,
): Promise<{ apply: boolean; state: 'pending' | 'running' } | null> {
  return importJobInProgress(db, THRIVECART_IMPORT_JOB);
}

/** Runs a queued import; `api` is null when thrivecart.apiKey is not set (a CSV import needs none). */
export async function runImportJob(
  ctx: AppContext,
  api: ThriveCartApi | null,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  const payload = job.payload as unknown as ImportJobPayload;
  if (payload.source === 'csv') {
    // An import no longer open was applied already (by this job's first run, or the CLI), or replaced.
    if (payload.apply && payload.importId !== undefined) await applyCsvImport(ctx, payload.importId);
    return;
  }
  if (api === null) throw new Error("thrivecart.apiKey is not set: an import from ThriveCart's API needs it");
  const ran = await oneThriveCartWalkAtATime(ctx.pool, async () => {
    // A job claimed again after its lease ran out, once the first run is over, has nothing left to do.
    const latest = await latestImportRun(ctx.pool);
    const done = payload.apply
      ? latest?.appliedAt != null && latest.appliedAt >= payload.queuedAt
      : latest !== null && latest.appliedAt === null && latest.plan !== null && latest.updatedAt >= payload.queuedAt;
    // A failure is thrown: the job is tried again later, and the import resumes where it stopped.
    if (!done) await importFromThriveCart(ctx, api, { apply: payload.apply, window: payload });
    return true;
  });
  if (ran === null)
    return { retryAfterMs: BUSY_RETRY_MS, spendAttempt: false, reason: 'ThriveCart is being read by another run' };
}
