/** What needs a person: dead-lettered jobs (with their cause) and paused CRM connectors. */
import { listPausedCrmConnectors, type CrmConnectorStatus } from '../../adapters/store/crm-connectors.ts';
import { listDeadJobs, retryDeadJobs, type DeadJob } from '../../adapters/store/crm-dead-letters.ts';
import type { AppContext } from '../context.ts';

export interface Problems {
  deadJobs: DeadJob[];
  pausedConnectors: CrmConnectorStatus[];
}

export async function listProblems(ctx: Pick<AppContext, 'pool'>): Promise<Problems> {
  return { deadJobs: await listDeadJobs(ctx.pool), pausedConnectors: await listPausedCrmConnectors(ctx.pool) };
}

/** Puts a dead job (or all of them) back in the queue, due now; returns the ids requeued. */
export async function retryProblemJobs(ctx: Pick<AppContext, 'pool' | 'clock'>, which: number | 'all'): Promise<number[]> {
  return retryDeadJobs(ctx.pool, which, ctx.clock.now());
}
