import { deriveAccess, type AccessEntry } from '../../core/access/derive-access.ts';
import { foldLedger, type Cause, type LedgerProjection, type TimelineEntry } from '../../core/ledger/fold.ts';
import { findAccessFacts, findContactByEmail, fullName } from '../../adapters/store/contacts.ts';
import { loadHistory } from '../../adapters/store/deliveries.ts';
import { historyThatCounts } from '../intake/simulated-delivery.ts';
import { listContactDunningEmails, type ContactDunningEmail } from '../../adapters/store/dunning-emails.ts';
import type { AppContext } from '../context.ts';
import { offeringName } from '../../core/ledger/rules.ts';
import { payerStepsOfMember } from '../teams/payer-steps-of-member.ts';

export interface AccessAnswer {
  granted: boolean;
  /** ISO time at which granted access is scheduled to end; null when open-ended or not granted. */
  until: string | null;
  reason: string;
}

export interface ContactView {
  email: string;
  name: string | null;
  thrivecartCustomerId: string | null;
  tags: { name: string; since: string; why: string; deliveryId: number | null }[];
  access: ({ offering: string; offeringName: string } & AccessAnswer)[];
}

export interface TimelineView {
  at: string;
  summary: string;
  deliveryId: number | null;
  tagChanges: TimelineEntry['tagChanges'];
  accessChanges: TimelineEntry['accessChanges'];
}

/** "Who has what, and why" for one person; null when the email is unknown. */
export async function getContactView(ctx: AppContext, email: string): Promise<ContactView | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  const access = currentAccess(ctx, contact.ledger);
  return {
    email: contact.email,
    name: fullName(contact.firstName, contact.lastName),
    thrivecartCustomerId: contact.thrivecartCustomerId,
    tags: Object.entries(contact.ledger?.tags ?? {})
      .map(([name, provenance]) => ({
        name,
        since: iso(provenance.since),
        why: provenance.why,
        deliveryId: deliveryOf(provenance.cause),
      }))
      .sort((a, b) => a.since.localeCompare(b.since) || a.name.localeCompare(b.name)),
    access: access.map((entry) => ({
      offering: entry.offering,
      offeringName: offeringName(ctx.rules, entry.offering),
      ...answer(entry),
    })),
  };
}

/**
 * The membership site's question. `null` means the offering is not configured. An ended period
 * reads as ended even before its timer has run.
 */
export async function checkAccess(ctx: AppContext, email: string, offering: string): Promise<AccessAnswer | null> {
  const offeringConfig = ctx.rules.offerings.get(offering);
  if (!offeringConfig) return null;
  const now = ctx.clock.now();
  const stored = await ctx.storedAccess.load(email.trim().toLowerCase());
  if (!stored) return { granted: false, until: null, reason: 'No purchase recorded for this email' };
  const facts = storedAccessHolds(stored.nextChangeAt, now) ? null : await findAccessFacts(ctx.pool, email);
  const access = facts ? deriveAccess(facts.state, ctx.rules, now, new Set(facts.tagNames)).access : stored.access;
  const entry = access.find((candidate) => candidate.offering === offering);
  return entry
    ? answer(entry)
    : { granted: false, until: null, reason: `No purchase of this contact grants ${offeringConfig.name}` };
}

/**
 * Every event, tag change and dunning e-mail for one person, oldest first, each with why; null
 * when unknown.
 */
export async function getTimeline(ctx: AppContext, email: string): Promise<TimelineView[] | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  const [history, emails] = await Promise.all([
    loadHistory(ctx.pool, contact.id),
    listContactDunningEmails(ctx.pool, contact.id),
  ]);
  const { timeline } = foldLedger(
    historyThatCounts(history).history,
    ctx.rules,
    ctx.clock.now(),
    contact.ledger?.state.teamSeats ?? [],
  );
  const entries: (TimelineView & { sortAt: number })[] = timeline.map((entry) => ({
    sortAt: entry.at,
    at: iso(entry.at),
    summary: entry.summary,
    deliveryId: deliveryOf(entry.cause),
    tagChanges: entry.tagChanges,
    accessChanges: entry.accessChanges,
  }));
  // A member's access followed their team's payer: the payer's steps on the team line are theirs too.
  for (const step of await payerStepsOfMember(ctx, ctx.pool, contact.ledger?.state.teamSeats ?? [])) {
    entries.push({
      sortAt: step.at,
      at: iso(step.at),
      summary: step.summary,
      deliveryId: null,
      tagChanges: [],
      accessChanges: [],
    });
  }
  for (const sent of emails) {
    entries.push({
      sortAt: sent.finishedAt,
      at: iso(sent.finishedAt),
      summary: describeDunningEmail(sent),
      deliveryId: null,
      tagChanges: [],
      accessChanges: [],
    });
  }
  return entries.sort((a, b) => a.sortAt - b.sortAt).map(({ sortAt: _sortAt, ...entry }) => entry);
}

function describeDunningEmail(sent: ContactDunningEmail): string {
  const what = sent.step.startsWith('reminder-')
    ? `payment reminder ${sent.step.slice('reminder-'.length)}`
    : sent.step === 'recovered'
      ? '"you\'re all set" e-mail'
      : 'owner notice of the lost payment';
  const how =
    sent.state === 'logged'
      ? 'written to the log (no SMTP configured)'
      : sent.state === 'undeliverable'
        ? 'refused by the mail server'
        : `sent to ${sent.recipient}`;
  return `${what[0]!.toUpperCase()}${what.slice(1)} about ${sent.productName}: ${how}`;
}

/**
 * The stored access answers hold until the projection's next change; past it (its timer has not
 * run yet) they are derived again at `now`, so an ended period reads as ended at once.
 */
function storedAccessHolds(nextChangeAt: number | null, now: number): boolean {
  return nextChangeAt === null || nextChangeAt > now;
}

function currentAccess(ctx: AppContext, ledger: LedgerProjection | null): AccessEntry[] {
  if (!ledger) return [];
  const now = ctx.clock.now();
  if (storedAccessHolds(ledger.nextChangeAt, now)) return ledger.access;
  return deriveAccess(ledger.state, ctx.rules, now, new Set(Object.keys(ledger.tags))).access;
}

function answer(entry: AccessEntry): AccessAnswer {
  return { granted: entry.granted, until: entry.until === null ? null : iso(entry.until), reason: entry.reason };
}

function deliveryOf(cause: Cause): number | null {
  return cause.type === 'delivery' ? cause.deliveryId : null;
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
