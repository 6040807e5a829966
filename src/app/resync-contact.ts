import { enqueueJob } from '../adapters/jobs/enqueue-job.ts';
import { findContactByEmail } from '../adapters/store/contacts.ts';
import type { AppContext } from './context.ts';

/**
 * Queues a fresh push of the contact to every downstream connection (CRMs, sites), whether or not
 * anything changed: the console's "Resync" button. Returns how many jobs were queued, or null when
 * the email is unknown.
 */
export async function resyncContact(ctx: AppContext, email: string): Promise<number | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  for (const kind of ctx.onContactChanged) await enqueueJob(ctx.pool, { kind, key: String(contact.id), runAt: ctx.clock.now() });
  return ctx.onContactChanged.length;
}
