import { isDeepStrictEqual } from 'node:util';
import type { PoolClient } from 'pg';
import type { CommerceEvent } from '../../core/events.ts';
import { downstreamView, sameDownstream, type DownstreamView } from '../../core/ledger/downstream.ts';
import { foldLedger, type LedgerProjection } from '../../core/ledger/fold.ts';
import type { Fields } from '../../adapters/sources/thrivecart/parse-body.ts';
import { enqueueJobs } from '../../adapters/jobs/enqueue-job.ts';
import {
  appliedDeliveriesAfter,
  deliveriesAfter,
  lockDeliveriesAndContacts,
  saveDeliveryEvent,
  setDeliveryOutcome,
  type DeliveryStatus,
  type StoredHistoryEntry,
} from '../../adapters/store/deliveries.ts';
import { withTransaction } from '../../adapters/store/database.ts';
import { listContactLedgers, saveLedgers } from '../../adapters/store/contacts.ts';
import type { AppContext } from '../context.ts';
import { CONSOLE_SOURCE } from './change-access-by-hand.ts';
import { isImportSource } from '../../adapters/sources/thrivecart/api-history.ts';
import { followUpJobs } from './follow-up-jobs.ts';
import { mayCreateContact, resolveContact } from '../intake/resolve-contact.ts';
import { classifyThriveCartDelivery } from '../intake/classify-delivery.ts';
import { planInputs, planNewContact } from '../intake/new-contact-plan.ts';
import { contextForDelivery, historyThatCounts, insideHandoffOnly } from '../intake/simulated-delivery.ts';
import { writeNewContact } from '../intake/write-new-contact.ts';
import { syncDunningCases } from '../dunning/sync-dunning-cases.ts';
import { poolsOwnedBy } from '../../core/teams/owned-pools.ts';
import type { TeamSeat } from '../../core/teams/team-seat.ts';
import { followPayer } from '../teams/follow-payer.ts';

export interface ReplayReport {
  dryRun: boolean;
  deliveries: number;
  /** Deliveries whose outcome changes (an item newly configured, a fixed normaliser...). */
  reclassified: { deliveryId: number; from: DeliveryStatus; to: DeliveryStatus; reason: string | null }[];
  contacts: number;
  /** Contacts whose tags or access change. */
  changed: {
    email: string;
    tagsAdded: string[];
    tagsRemoved: string[];
    accessGained: string[];
    accessLost: string[];
  }[];
}

const BATCH = 2_000;

/**
 * Rebuilds the ledger from the stored deliveries with the current configuration and code: every
 * delivery is normalised and classified again, newly applicable ones are attached to their
 * contacts, and every contact is folded anew. A person seen for the first time is created by the
 * one writer of new contacts (writeNewContact) from the plan of their first delivery, exactly as
 * the intake would have created them; their later deliveries are folded in with everyone's. With
 * `dryRun` all of it runs in a transaction that is rolled back, and the report says what would
 * change.
 */
export async function replayLedger(ctx: AppContext, options: { dryRun: boolean }): Promise<ReplayReport> {
  try {
    return await withTransaction(ctx.pool, async (client) => {
      const report = await replayInTransaction(ctx, client, options.dryRun);
      if (options.dryRun) throw new DryRunDone(report);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunDone) return error.report;
    throw error;
  }
}

/** Ends a dry run's transaction with a rollback, carrying its report out. */
class DryRunDone extends Error {
  constructor(readonly report: ReplayReport) {
    super('dry run: rolled back');
  }
}

async function replayInTransaction(ctx: AppContext, client: PoolClient, dryRun: boolean): Promise<ReplayReport> {
  // Nothing else may apply deliveries while the ledger is rebuilt.
  await lockDeliveriesAndContacts(client);
  const before = await snapshot(client);
  const reclassified: ReplayReport['reclassified'] = [];
  /** `effects`: the context the delivery is applied in (a simulated one stays inside Handoff). */
  const toAttach: { deliveryId: number; event: CommerceEvent; from: DeliveryStatus; effects: AppContext }[] = [];
  let deliveries = 0;

  for (let afterId = 0; ;) {
    const batch = await deliveriesAfter(client, afterId, BATCH);
    if (batch.length === 0) break;
    for (const row of batch) {
      deliveries += 1;
      // Console changes and imported history have no webhook body to normalise again: their stored event is the record.
      const decision =
        (row.source === CONSOLE_SOURCE || isImportSource(row.source)) && row.event
          ? { status: 'applied' as const, reason: null, event: row.event }
          : classifyThriveCartDelivery(row.body as Fields, row.receivedAt, ctx.rules, ctx.config.thrivecart.testMode);
      if (decision.status === 'applied' && decision.event) {
        if (row.status === 'applied' && row.contactId !== null) {
          if (!sameStoredEvent(decision.event, row.event)) await saveDeliveryEvent(client, row.id, decision.event);
        } else {
          toAttach.push({
            deliveryId: row.id,
            event: decision.event,
            from: row.status,
            effects: contextForDelivery(ctx, row.body as Fields),
          });
        }
      } else if (decision.status !== row.status || decision.reason !== row.reason) {
        await setDeliveryOutcome(client, row.id, {
          status: decision.status,
          reason: decision.reason,
          contactId: null,
          event: decision.event,
        });
        if (decision.status !== row.status)
          reclassified.push({ deliveryId: row.id, from: row.status, to: decision.status, reason: decision.reason });
      }
    }
    afterId = batch[batch.length - 1]!.id;
  }

  // Identity is resolved in event-time order, as it would have been had they arrived in order.
  toAttach.sort((a, b) => a.event.occurredAt - b.event.occurredAt || a.deliveryId - b.deliveryId);
  const openedDunning = new Map<number, AppContext>();
  for (const delivery of toAttach) {
    const now = ctx.clock.now();
    const resolution = await resolveContact(
      client,
      delivery.event.customer,
      delivery.event.occurredAt,
      now,
      mayCreateContact(delivery.event),
    );
    const contactId =
      resolution.kind === 'known'
        ? resolution.contactId
        : resolution.kind === 'new'
          ? await createContact(client, delivery, now, openedDunning)
          : null;
    const reason = resolution.kind === 'none' ? resolution.reason : null;
    const status: DeliveryStatus = contactId === null ? 'ignored' : 'applied';
    await setDeliveryOutcome(client, delivery.deliveryId, { status, reason, contactId, event: delivery.event });
    if (status !== delivery.from)
      reclassified.push({ deliveryId: delivery.deliveryId, from: delivery.from, to: status, reason });
  }

  const { folded: contacts, payers } = await refoldAll(ctx, client, before, openedDunning);
  // Pools are rebuilt from their payers' new ledgers, then their members follow (quietly, as above).
  for (const payer of payers) await followPayer(ctx, client, payer.id, payer.projection, { announce: false });
  const after = await snapshot(client);
  return { dryRun, deliveries, reclassified, contacts, changed: compare(before, after) };
}

/**
 * Writes the plan of a person's first delivery through the one writer of new contacts, which
 * attaches the delivery. A contact whose first delivery opened a dunning case is remembered in
 * `openedDunning`, so the refold brings the case up to date with the deliveries that follow it.
 */
async function createContact(
  client: PoolClient,
  delivery: { deliveryId: number; event: CommerceEvent; effects: AppContext },
  now: number,
  openedDunning: Map<number, AppContext>,
): Promise<number> {
  const { deliveryId, event, effects } = delivery;
  const plan = planNewContact(planInputs(effects), { deliveryId, event }, now);
  const written = await writeNewContact(effects, client, plan, { kind: 'attach', deliveryId });
  if (written.kind !== 'created')
    throw new Error(`delivery ${deliveryId}: the new contact was not written (${written.kind})`);
  if (plan.dunningCases.length > 0) openedDunning.set(written.contactId, effects);
  return written.contactId;
}

/**
 * Whether re-normalising left a stored event as it is. Compared as values: jsonb hands objects
 * back with their keys in its own order, so comparing the JSON texts found every event changed
 * and rewrote all of them on every replay.
 */
function sameStoredEvent(normalised: CommerceEvent, stored: CommerceEvent | null): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(normalised)), stored);
}

/**
 * Folds every contact from its applied deliveries, streaming them contact by contact, and writes
 * the ledgers in bulk. The dunning cases of the contacts in `openedDunning` follow their whole
 * history, as the intake's refresh would have made them.
 */
async function refoldAll(
  ctx: AppContext,
  client: PoolClient,
  before: Map<number, Snapshot>,
  openedDunning: ReadonlyMap<number, AppContext>,
): Promise<{ folded: number; payers: { id: number; projection: LedgerProjection }[] }> {
  const now = ctx.clock.now();
  const payers: { id: number; projection: LedgerProjection }[] = [];
  const pending: { id: number; projection: LedgerProjection; simulatedOnly: boolean; setAside: boolean }[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await saveLedgers(client, pending, now);
    const jobs = pending.flatMap(({ id, projection, simulatedOnly, setAside }) => {
      // A contact this replay created is announced downstream whatever it holds, and so is one whose
      // simulations were just set aside (their stored ledger may have been folded from them alone).
      const previous = before.get(id);
      const changed = !previous || setAside || !sameDownstream(previous, downstreamView(projection));
      const kinds = simulatedOnly ? [] : ctx.onContactChanged;
      return followUpJobs(kinds, changed, projection, now).map((job) => ({ ...job, key: String(id) }));
    });
    await enqueueJobs(client, jobs);
    pending.length = 0;
  };

  const folded = new Set<number>();
  const contact: { current: { id: number; history: StoredHistoryEntry[] } | null } = { current: null };
  const finish = async (): Promise<void> => {
    const { current } = contact;
    if (!current) return;
    // Seats are not in the history: each member keeps theirs until their payer's pools are rebuilt.
    const seats = before.get(current.id)?.teamSeats ?? [];
    const { history, simulatedOnly } = historyThatCounts(current.history);
    const projection = foldLedger(history, ctx.rules, now, seats).projection;
    pending.push({ id: current.id, projection, simulatedOnly, setAside: history.length < current.history.length });
    if (poolsOwnedBy(projection.state, ctx.rules, now).length > 0) payers.push({ id: current.id, projection });
    folded.add(current.id);
    const effects = openedDunning.get(current.id);
    if (effects)
      await syncDunningCases(simulatedOnly ? insideHandoffOnly(effects) : effects, client, current.id, history, now);
    if (pending.length >= BATCH) await flush();
  };
  for (let cursor = { contactId: 0, id: 0 }; ;) {
    const batch = await appliedDeliveriesAfter(client, cursor, BATCH * 5);
    if (batch.length === 0) break;
    for (const row of batch) {
      if (contact.current?.id !== row.contactId) {
        await finish();
        contact.current = { id: row.contactId, history: [] };
      }
      contact.current.history.push(row);
    }
    const last = batch[batch.length - 1]!;
    cursor = { contactId: last.contactId, id: last.deliveryId };
  }
  await finish();
  // Contacts left with no applied delivery (their items are no longer configured) fold to nothing.
  for (const id of before.keys()) {
    if (!folded.has(id)) {
      const projection = foldLedger([], ctx.rules, now, before.get(id)?.teamSeats ?? []).projection;
      pending.push({ id, projection, simulatedOnly: false, setAside: false });
    }
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  return { folded: folded.size, payers };
}

interface Snapshot extends DownstreamView {
  email: string;
  teamSeats: TeamSeat[];
}

async function snapshot(client: PoolClient): Promise<Map<number, Snapshot>> {
  const contacts = await listContactLedgers(client);
  return new Map(
    contacts.map((row) => [
      row.id,
      {
        email: row.email,
        ...(row.ledger ? downstreamView(row.ledger) : { tags: '', granted: '' }),
        teamSeats: row.ledger?.state.teamSeats ?? [],
      },
    ]),
  );
}

function compare(before: Map<number, Snapshot>, after: Map<number, Snapshot>): ReplayReport['changed'] {
  const changed: ReplayReport['changed'] = [];
  const split = (text: string): Set<string> => new Set(text === '' ? [] : text.split('\n'));
  for (const [id, next] of after) {
    const previous = before.get(id) ?? { email: next.email, tags: '', granted: '', teamSeats: [] };
    if (sameDownstream(previous, next)) continue;
    const [tagsBefore, tagsAfter, grantedBefore, grantedAfter] = [
      split(previous.tags),
      split(next.tags),
      split(previous.granted),
      split(next.granted),
    ];
    changed.push({
      email: next.email,
      tagsAdded: [...tagsAfter].filter((tag) => !tagsBefore.has(tag)),
      tagsRemoved: [...tagsBefore].filter((tag) => !tagsAfter.has(tag)),
      accessGained: [...grantedAfter].filter((offering) => !grantedBefore.has(offering)),
      accessLost: [...grantedBefore].filter((offering) => !grantedAfter.has(offering)),
    });
  }
  return changed;
}
