import { findContactByEmail } from '../../adapters/store/contacts.ts';
import type { AppContext } from '../context.ts';
import { createCrmSync } from '../crm/crm-sync.ts';
import { reconcileContact, type ReconcileReport } from '../crm/reconcile.ts';
import { sleepWhileSomeoneWaits, type Sleep } from '../crm/with-patience.ts';

/**
 * The console's "Resync to CRMs": reads the tags every CRM really holds for the contact and
 * repairs any drift from the ledger (a tag removed by hand in the CRM, a contact deleted there),
 * now, instead of trusting what Handoff last pushed. Null when the email is unknown. `sleep` is how
 * it waits for the CRM's rate budget (tests pass one that moves their clock).
 */
export async function resyncContact(
  ctx: AppContext,
  email: string,
  sleep: Sleep = sleepWhileSomeoneWaits,
): Promise<Omit<ReconcileReport, 'contacts'> | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  return reconcileContact(ctx, createCrmSync(ctx.config), contact, { fix: true, sleep });
}
