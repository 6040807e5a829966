/**
 * Imports a creator's ThriveCart history so Handoff knows the members it never saw buy: walks
 * `GET /transactions` (no reliable total: a short page is the end) and asks `POST /customer`
 * about buyers with subscriptions, keeping what it fetched so an interrupted run resumes; then
 * plans (people, offerings granted and revoked, items not configured) and, when asked, applies.
 *
 * Applied history is ledger history like a delivery (source `thrivecart-api`, same order, item
 * and subscription keys as webhooks), written once per transaction (permanent dedup keys), and
 * quiet: no outbound "new member" webhooks, no dunning (failures are not imported), the CRMs get
 * the resulting tags through their usual sync.
 */
import { csvHistory } from '../../adapters/sources/thrivecart/csv-history.ts';
import {
  IMPORT_SOURCES,
  buyersToLookUp,
  importedHistory,
  type ImportedHistory,
  type ImportedPerson,
  type NotImported,
} from '../../adapters/sources/thrivecart/api-history.ts';
import type { ApiCustomer, ApiTransaction, ThriveCartApi } from '../../adapters/sources/thrivecart/api-client.ts';
import { withTransaction } from '../../adapters/store/database.ts';
import { insertImportedDelivery, knownDedupKeys } from '../../adapters/store/thrivecart-imported-deliveries.ts';
import { planInputs, planNewContact } from '../intake/new-contact-plan.ts';
import { writeNewContact } from '../intake/write-new-contact.ts';
import {
  importCsvOf,
  loadImportRows,
  openImportOf,
  openImportRun,
  saveApplyProgress,
  saveCustomerRecord,
  savePlan,
  saveTransactionPage,
  type ImportRun,
} from '../../adapters/store/thrivecart-imports.ts';
import { whyNotApplied } from '../../core/ledger/applicability.ts';
import { foldLedger } from '../../core/ledger/fold.ts';
import type { AppContext } from '../context.ts';
import { refreshContact } from '../ledger/refresh-contact.ts';
import { resolveContact } from '../intake/resolve-contact.ts';
import { walkTransactions, WHOLE_HISTORY, type HistoryWindow } from './history-window.ts';

export type ImportProgress = (step: {
  phase: 'transactions' | 'customers' | 'apply';
  done: number;
  total: number | null;
}) => void;

export interface ImportPlan {
  applied: boolean;
  people: number;
  /** Imported events (purchases, renewals, refunds, cancellations, pauses) for configured items. */
  events: number;
  /** Per offering id: how many people end with access to it, and how many had it and lost it. */
  offeringsGranted: Record<string, number>;
  offeringsRevoked: Record<string, number>;
  /** Items in the history that the configuration does not map, with how many people bought them. */
  unknownItems: { item: string; name: string; people: number }[];
  notImported: NotImported[];
  /** Events already in the ledger (a webhook or an earlier import): left alone. */
  alreadyKnown: number;
}

/** Fetches (or resumes fetching) the history, plans, and applies when `apply` is set. */
export async function importFromThriveCart(
  ctx: AppContext,
  api: ThriveCartApi,
  options: { apply: boolean; window?: HistoryWindow; progress?: ImportProgress },
): Promise<ImportPlan> {
  const window = options.window ?? WHOLE_HISTORY;
  const run = await openImportRun(ctx.pool, 'api', { ...window, csv: null }, ctx.clock.now());
  const history = await fetchHistory(ctx, api, run, window, options.progress);
  return planOrApply(ctx, run, history, options);
}

/** The shared last steps of every import (API or CSV): plan, then apply when asked. */
export async function planOrApply(
  ctx: AppContext,
  run: ImportRun,
  history: ImportedHistory,
  options: { apply: boolean; progress?: ImportProgress },
): Promise<ImportPlan> {
  const plan = await planImport(ctx, history);
  if (options.apply) {
    // The plan's people: those with something to import (others bought only items not configured).
    const people = history.people.filter((person) => applicableEvents(ctx, person).length > 0);
    const total = people.length;
    // Kept with the import as it goes, so the Import page (another process) shows how far it got.
    const applied = async (done: number) => {
      await saveApplyProgress(ctx.pool, run.id, done, total, ctx.clock.now());
      options.progress?.({ phase: 'apply', done, total });
    };
    await applied(0);
    for (const [index, person] of people.entries()) {
      await applyPerson(ctx, person, IMPORT_SOURCES[run.source]);
      await applied(index + 1);
    }
  }
  const result = { ...plan, applied: options.apply };
  await savePlan(ctx.pool, run.id, result, options.apply, ctx.clock.now());
  return result;
}

export async function fetchHistory(
  ctx: AppContext,
  api: ThriveCartApi,
  run: ImportRun,
  window: HistoryWindow,
  progress?: ImportProgress,
): Promise<ImportedHistory> {
  if (!run.transactionsComplete) {
    await walkTransactions(api, window, run.pagesFetched + 1, async (page, rows, last) => {
      await saveTransactionPage(
        ctx.pool,
        run.id,
        page,
        rows.map((row) => ({ key: transactionKey(row), data: row })),
        last,
        ctx.clock.now(),
      );
      progress?.({ phase: 'transactions', done: page, total: null });
    });
  }
  const transactions = (await loadImportRows(ctx.pool, run.id, 'transaction')).map((row) => row.data as ApiTransaction);
  const customers = new Map(
    (await loadImportRows(ctx.pool, run.id, 'customer')).map((row) => [row.key, row.data as ApiCustomer | null]),
  );
  const buyers = buyersToLookUp(transactions);
  for (const [index, email] of buyers.entries()) {
    if (!customers.has(email)) {
      const record = await api.customer(email);
      await saveCustomerRecord(ctx.pool, run.id, email, record);
      customers.set(email, record);
    }
    progress?.({ phase: 'customers', done: index + 1, total: buyers.length });
  }
  return importedHistory(transactions, customers);
}

/** A transaction's identity across pages (rows shift as new ones arrive): its event id when it has one. */
function transactionKey(row: ApiTransaction): string {
  if (row.event_id !== undefined && row.event_id !== null && String(row.event_id) !== '')
    return `event:${String(row.event_id)}`;
  return [row.order_id, row.item_type, row.item_id, row.transaction_type, row.timestamp, row.amount]
    .map((part) => String(part ?? ''))
    .join(':');
}

async function planImport(ctx: AppContext, history: ImportedHistory): Promise<Omit<ImportPlan, 'applied'>> {
  const now = ctx.clock.now();
  const granted: Record<string, number> = {};
  const revoked: Record<string, number> = {};
  const unknown = new Map<string, { name: string; people: Set<string> }>();
  let events = 0;
  let people = 0;
  const known = await knownDedupKeys(
    ctx.pool,
    history.people.flatMap((person) => person.events.map((entry) => entry.dedupKey)),
  );
  for (const person of history.people) {
    const applicable = applicableEvents(ctx, person);
    for (const { event } of person.events) {
      if (event.kind !== 'purchase') continue;
      for (const item of event.items.filter((line) => !ctx.rules.items.has(line.item))) {
        const entry = unknown.get(item.item) ?? { name: item.name, people: new Set() };
        entry.people.add(person.customer.email);
        unknown.set(item.item, entry);
      }
    }
    if (applicable.length === 0) continue;
    people += 1;
    events += applicable.filter((entry) => !known.has(entry.dedupKey)).length;
    const { projection } = foldLedger(
      applicable.map((entry, index) => ({ deliveryId: index + 1, event: entry.event })),
      ctx.rules,
      now,
    );
    for (const access of projection.access) {
      const counts = access.granted ? granted : revoked;
      counts[access.offering] = (counts[access.offering] ?? 0) + 1;
    }
  }
  return {
    people,
    events,
    offeringsGranted: granted,
    offeringsRevoked: revoked,
    unknownItems: [...unknown]
      .map(([item, entry]) => ({ item, name: entry.name, people: entry.people.size }))
      .sort((a, b) => b.people - a.people),
    notImported: history.notImported,
    alreadyKnown: known.size,
  };
}

/** The events of a person's history the ledger applies (a purchase carries a configured item...). */
function applicableEvents(ctx: AppContext, person: ImportedPerson): ImportedPerson['events'] {
  return person.events.filter(({ event }) => whyNotApplied(event, ctx.rules, 'process') === null);
}

/**
 * One buyer's history, in one transaction: stored as deliveries of the contact, then folded,
 * quietly. A person Handoff never saw is created by the one writer of new contacts, from their
 * first stored event (with no announcement: an import is quiet); the fold of their whole history
 * follows.
 */
export async function applyPerson(ctx: AppContext, person: ImportedPerson, source: string): Promise<void> {
  const applicable = applicableEvents(ctx, person);
  if (applicable.length === 0) return;
  const now = ctx.clock.now();
  const latest = Math.max(...applicable.map(({ event }) => event.occurredAt));
  await withTransaction(ctx.pool, async (client) => {
    const resolution = await resolveContact(client, person.customer, latest, now, true);
    if (resolution.kind === 'none') return;
    let contactId = resolution.kind === 'known' ? resolution.contactId : null;
    let inserted = false;
    for (const entry of applicable) {
      const delivery = {
        source,
        dedupKey: entry.dedupKey,
        receivedAt: now,
        eventName: `import.${entry.event.kind}`,
        occurredAt: entry.event.occurredAt,
        live: true,
        body: entry.body,
        event: entry.event,
        status: 'applied' as const,
        reason: null,
      };
      const deliveryId = await insertImportedDelivery(client, delivery, contactId);
      if (deliveryId === null) continue;
      inserted = true;
      if (contactId === null) {
        const plan = planNewContact({ ...planInputs(ctx), announce: false }, { deliveryId, event: entry.event }, now);
        // Team pools open in the quiet refresh below, which e-mails no leader (docs/teams.md, rule 7).
        const written = await writeNewContact(
          ctx,
          client,
          { ...plan, opensTeamPools: false },
          { kind: 'attach', deliveryId },
        );
        if (written.kind !== 'created')
          throw new Error(`imported delivery ${deliveryId}: the new contact was not written (${written.kind})`);
        contactId = written.contactId;
      }
    }
    if (inserted && contactId !== null) await refreshContact(ctx, client, contactId, null, { announce: false });
  });
}

/**
 * The CSV import (the CLI's `--csv`, the console's upload): the same plan and apply steps over
 * the rows of the file. The file is read before anything is stored, so one that cannot be read
 * leaves nothing behind; it is kept with its open import, so the console applies the file whose
 * plan was read.
 */
export async function importFromCsv(
  ctx: AppContext,
  text: string,
  options: { apply: boolean; progress?: ImportProgress },
): Promise<ImportPlan> {
  const history = csvHistory(text, ctx.clock.now());
  const run = await openImportRun(ctx.pool, 'csv', { ...WHOLE_HISTORY, csv: text }, ctx.clock.now());
  return planOrApply(ctx, run, history, options);
}

/**
 * Applies the open CSV import `importId`, with its file; null when it is no longer open (applied
 * already, or replaced by another file since).
 */
export async function applyCsvImport(ctx: AppContext, importId: number): Promise<ImportPlan | null> {
  const run = await openImportOf(ctx.pool, 'csv');
  const csv = run?.id === importId ? await importCsvOf(ctx.pool, run.id) : null;
  return csv === null ? null : importFromCsv(ctx, csv, { apply: true });
}
