import { withTransaction } from '../../adapters/store/database.ts';
import type { AppContext } from '../context.ts';
import { refreshContact } from './refresh-contact.ts';
import type { ClaimedJob } from '../../ports/jobs.ts';

/** Timer handler: a paid period or grace period ended, so the contact's access changes now. */
export async function recomputeContact(ctx: AppContext, job: ClaimedJob): Promise<void> {
  await withTransaction(ctx.pool, (client) => refreshContact(ctx, client, Number(job.key)));
}
