import { accessFlips, type AccessFlip } from '../../core/webhooks/access-events.ts';
import type { LedgerProjection } from '../../core/ledger/fold.ts';
import type { ContactRow } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import {
  loadAnnouncedDetails,
  saveAnnouncedDetails,
  type AnnouncedDetails,
} from '../../adapters/store/webhook-contact-details.ts';
import type { AppContext } from '../context.ts';
import { personOf } from './person.ts';
import { recordWebhookEvent } from './record-webhook-event.ts';
import { offeringName } from '../../core/ledger/rules.ts';

/**
 * Records access.granted / access.revoked for every offering whose access flipped between the
 * contact's stored projection (`contact.ledger`, read before the re-fold) and the new one, and
 * contact.updated when the email or name differs from what webhooks last saw. Runs in the re-fold's
 * transaction; costs nothing when no endpoint exists.
 */
export async function announceContactChanges(
  ctx: AppContext,
  db: Queryable,
  contact: ContactRow,
  projection: LedgerProjection,
): Promise<void> {
  if (!ctx.webhooks.mayHaveEndpoints || ctx.insideHandoffOnly) return;
  const announced = await loadAnnouncedDetails(db, contact.id);
  await recordContactAnnouncements(
    ctx,
    db,
    contact,
    accessFlips(contact.ledger?.access ?? [], projection.access),
    announced,
  );
}

/**
 * Records the access flips, then contact.updated when the details differ from `announced` (what
 * webhooks last saw; null the first time, e.g. for a new contact), and remembers the details.
 */
export async function recordContactAnnouncements(
  ctx: AppContext,
  db: Queryable,
  contact: ContactRow,
  flips: readonly AccessFlip[],
  announced: AnnouncedDetails | null,
): Promise<void> {
  const now = ctx.clock.now();
  const person = personOf(contact);
  for (const flip of flips) {
    const offering = { id: flip.entry.offering, name: offeringName(ctx.rules, flip.entry.offering) };
    const until = flip.entry.until === null ? null : new Date(flip.entry.until).toISOString();
    await recordWebhookEvent(
      db,
      { type: flip.type, contactId: contact.id, data: { ...person, offering, until, reason: flip.entry.reason } },
      now,
    );
  }

  const current = { email: contact.email, firstName: contact.firstName, lastName: contact.lastName };
  const changed =
    announced !== null &&
    (announced.email !== current.email ||
      announced.firstName !== current.firstName ||
      announced.lastName !== current.lastName);
  if (changed) {
    const previousEmail = announced.email !== current.email ? { previousEmail: announced.email } : {};
    await recordWebhookEvent(
      db,
      {
        type: 'contact.updated',
        contactId: contact.id,
        data: { ...person, firstName: current.firstName, lastName: current.lastName, ...previousEmail },
      },
      now,
    );
  }
  if (announced === null || changed) await saveAnnouncedDetails(db, contact.id, current);
}
