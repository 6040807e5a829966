import type { LedgerProjection } from '../../core/ledger/fold.ts';
import type { NewContactJob } from '../../adapters/store/new-contact.ts';
import { CONTACT_RECOMPUTE_JOB } from './job-kinds.ts';

/**
 * The jobs a new projection starts for its contact: the downstream syncs (`onContactChanged`)
 * when what CRMs and sites see changed, and a timer at the projection's next change.
 */
export function followUpJobs(
  onContactChanged: readonly string[],
  changed: boolean,
  projection: LedgerProjection,
  now: number,
): NewContactJob[] {
  const jobs: NewContactJob[] = changed ? onContactChanged.map((kind) => ({ kind, runAt: now })) : [];
  if (projection.nextChangeAt !== null) jobs.push({ kind: CONTACT_RECOMPUTE_JOB, runAt: projection.nextChangeAt });
  return jobs;
}
