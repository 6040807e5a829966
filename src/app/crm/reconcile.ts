/**
 * `handoff reconcile [--fix]`: reads the tags each CRM really holds for every contact and compares
 * the managed ones with the ledger. Drift comes from edits in the CRM, from automations there, or
 * from a CRM restored from a backup. With `fix`, the drift is repaired and Handoff's knowledge of
 * the CRM is reset to what is now true.
 */
import { diffManagedTags, heldInOtherCase, ignoresCase } from '../../core/tag-sync/tag-diff.ts';
import { findContactById, type ContactRow } from '../../adapters/store/contacts.ts';
import { listContactIds, loadCrmContactState, saveCrmContactState } from '../../adapters/store/crm-contacts.ts';
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import type { CrmSync } from './crm-sync.ts';
import { describeCrmFailure } from './describe-crm-failure.ts';
import { pushContact } from './sync-contact.ts';
import { withPatience, type Sleep } from './with-patience.ts';

export interface Drift {
  connector: string;
  email: string;
  /** True when the CRM has no record of the contact yet (never pushed). */
  notInCrm: boolean;
  /** Managed tags the ledger wants that the CRM lacks. */
  missing: string[];
  /** Managed tags the CRM holds that the ledger does not want. */
  extra: string[];
  /**
   * Of `missing`, those the CRM holds in other letter case, with the spelling held, where its
   * vendor does not document whether letter case matters: the same tag, or another one. `--fix`
   * applies the configured spelling and reads again; what it then still lacks was the same tag.
   */
  heldInOtherCase: Record<string, string>;
  fixed: boolean;
}

export interface ReconcileReport {
  contacts: number;
  checked: number;
  drift: Drift[];
  /** Contacts that could not be read or fixed, with why. */
  errors: { connector: string; email: string; message: string }[];
}

export async function reconcileCrms(
  ctx: AppContext,
  sync: CrmSync,
  options: { fix: boolean; sleep: Sleep },
): Promise<ReconcileReport> {
  const report: ReconcileReport = { contacts: 0, checked: 0, drift: [], errors: [] };
  for (const contactId of await listContactIds(ctx.pool)) {
    const contact = await findContactById(ctx.pool, contactId);
    if (!contact?.ledger) continue;
    report.contacts += 1;
    const one = await reconcileContact(ctx, sync, contact, options);
    report.checked += one.checked;
    report.drift.push(...one.drift);
    report.errors.push(...one.errors);
  }
  return report;
}

/** Reconciles one contact with every CRM (the console's "Resync" does this with `fix`). */
export async function reconcileContact(
  ctx: AppContext,
  sync: CrmSync,
  contact: ContactRow,
  options: { fix: boolean; sleep: Sleep },
): Promise<Omit<ReconcileReport, 'contacts'>> {
  const report: Omit<ReconcileReport, 'contacts'> = { checked: 0, drift: [], errors: [] };
  for (const connection of sync.connections) {
    try {
      const drift = await reconcileOne(ctx, sync, connection, contact, options);
      report.checked += 1;
      if (drift) report.drift.push(drift);
    } catch (error) {
      report.errors.push({
        connector: connection.name,
        email: contact.email,
        message: describeCrmFailure(connection, error),
      });
    }
  }
  return report;
}

async function reconcileOne(
  ctx: AppContext,
  sync: CrmSync,
  connection: CrmConnection,
  contact: ContactRow,
  options: { fix: boolean; sleep: Sleep },
): Promise<Drift | null> {
  const desired = Object.keys(contact.ledger?.tags ?? {});
  const state = await loadCrmContactState(ctx.pool, connection.name, contact.id);
  const remoteId = state.remoteId;
  if (remoteId === null) {
    const missing = diffManagedTags(desired, [], sync.managedTags).add;
    if (missing.length === 0) return null;
    // Never pushed: the regular push creates the contact and applies everything.
    if (options.fix)
      await withPatience(ctx, connection, options.sleep, () => pushContact(ctx, sync, connection, contact));
    return {
      connector: connection.name,
      email: contact.email,
      notInCrm: true,
      missing,
      extra: [],
      heldInOtherCase: {},
      fixed: options.fix,
    };
  }
  const readHeld = () =>
    withPatience(ctx, connection, options.sleep, () => connection.connector.readTags(remoteId, contact.email));
  const caseRule = { ignoreCase: ignoresCase(connection.connector.tagNameCase) };
  const held = await readHeld();
  const diff = diffManagedTags(desired, held, sync.managedTags, caseRule);
  if (diff.add.length === 0 && diff.remove.length === 0) return null;
  // Where the rule is unknown (and only there: `ignoreCase` already matched the rest), a managed tag
  // held in other letter case may be the one wanted; extras are compared exactly, so a tag that may
  // belong to someone else is never removed.
  const otherCase = connection.connector.tagNameCase === 'undocumented' ? heldInOtherCase(diff.add, held) : new Map();
  let missing = diff.add;
  if (options.fix) {
    if (diff.add.length > 0)
      await withPatience(ctx, connection, options.sleep, () =>
        connection.connector.addTags(remoteId, contact.email, diff.add),
      );
    if (diff.remove.length > 0)
      await withPatience(ctx, connection, options.sleep, () =>
        connection.connector.removeTags(remoteId, contact.email, diff.remove),
      );
    if (otherCase.size > 0) {
      // Still not held in the configured spelling once applied: the CRM took it for the tag it holds.
      const afterFix = await readHeld();
      const sameTag = new Set(diffManagedTags(desired, afterFix, sync.managedTags, caseRule).add);
      missing = diff.add.filter((tag) => !(otherCase.has(tag) && sameTag.has(tag)));
      otherCase.clear();
    }
    const nowHeld = desired.filter((tag) => sync.managedTags.has(tag));
    await saveCrmContactState(
      ctx.pool,
      connection.name,
      contact.id,
      { ...state, knownTags: nowHeld, syncedAt: ctx.clock.now(), lastError: null },
      ctx.clock.now(),
    );
    if (missing.length === 0 && diff.remove.length === 0) return null;
  }
  return {
    connector: connection.name,
    email: contact.email,
    notInCrm: false,
    missing,
    extra: diff.remove,
    heldInOtherCase: Object.fromEntries(otherCase),
    fixed: options.fix,
  };
}
