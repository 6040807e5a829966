/** What needs a person: dead-lettered jobs (with their cause), paused CRM connectors, unusable deliveries and unmapped items. */
import { listPausedCrmConnectors, type CrmConnectorStatus } from '../../adapters/store/crm-connectors.ts';
import { listDeadJobs, retryDeadJobs, type DeadJob } from '../../adapters/store/crm-dead-letters.ts';
import type { AppContext } from '../context.ts';
import { listDeliveryProblems, type DeliveryProblems } from '../thrivecart/delivery-problems.ts';

export interface Problems extends DeliveryProblems {
  deadJobs: DeadJob[];
  pausedConnectors: CrmConnectorStatus[];
}

export async function listProblems(ctx: Pick<AppContext, 'pool' | 'rules' | 'clock'>): Promise<Problems> {
  return {
    deadJobs: await listDeadJobs(ctx.pool),
    pausedConnectors: await listPausedCrmConnectors(ctx.pool),
    ...(await listDeliveryProblems(ctx)),
  };
}

/** Puts a dead job (or all of them) back in the queue, due now; returns the ids requeued. */
export async function retryProblemJobs(
  ctx: Pick<AppContext, 'pool' | 'clock'>,
  which: number | 'all',
): Promise<number[]> {
  return retryDeadJobs(ctx.pool, which, ctx.clock.now());
}
