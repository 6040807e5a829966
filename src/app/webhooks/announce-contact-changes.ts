import { accessFlips } from '../../core/webhooks/access-events.ts';
import type { LedgerProjection } from '../../core/ledger/fold.ts';
import type { ContactRow } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { loadAnnouncedDetails, saveAnnouncedDetails } from '../../adapters/store/webhook-contact-details.ts';
import type { AppContext } from '../context.ts';
import { personOf } from './person.ts';
import { recordWebhookEvent } from './record-webhook-event.ts';

/**
 * Records access.granted / access.revoked for every offering whose access flipped between the
 * contact's stored projection (`contact.ledger`, read before the re-fold) and the new one, and
 * contact.updated when the email or name differs from what webhooks last saw. Runs in the re-fold's
 * transaction; costs nothing when no endpoint exists.
 */
export async function announceContactChanges(ctx: AppContext, db: Queryable, contact: ContactRow, projection: LedgerProjection): Promise<void> {
  if (!ctx.webhooks.mayHaveEndpoints) return;
  const now = ctx.clock.now();
  const person = personOf(contact);
  for (const flip of accessFlips(contact.ledger?.access ?? [], projection.access)) {
    const offering = { id: flip.entry.offering, name: ctx.rules.offerings.get(flip.entry.offering)?.name ?? flip.entry.offering };
    const until = flip.entry.until === null ? null : new Date(flip.entry.until).toISOString();
    await recordWebhookEvent(db, { type: flip.type, contactId: contact.id, data: { ...person, offering, until, reason: flip.entry.reason } }, now);
  }

  const current = { email: contact.email, firstName: contact.firstName, lastName: contact.lastName };
  const announced = await loadAnnouncedDetails(db, contact.id);
  const changed = announced !== null && (announced.email !== current.email || announced.firstName !== current.firstName || announced.lastName !== current.lastName);
  if (changed) {
    const previousEmail = announced.email !== current.email ? { previousEmail: announced.email } : {};
    await recordWebhookEvent(db, { type: 'contact.updated', contactId: contact.id, data: { ...person, firstName: current.firstName, lastName: current.lastName, ...previousEmail } }, now);
  }
  if (announced === null || changed) await saveAnnouncedDetails(db, contact.id, current);
}
