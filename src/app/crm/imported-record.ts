/**
 * A person a bulk import carried to the CRM (bulk-access-tags.ts) may be held there under the
 * e-mail the import used, with its access tags, before Handoff ever learnt their CRM id. When they
 * changed e-mail since, their own push (an upsert by the new e-mail) reaches another record, and
 * the imported one would keep granting access (AccessAlly reads the tags from the CRM). So before
 * that push, the imported record is taken as theirs, with the tags the import gave it: the push's
 * e-mail-change rule then strips them from it, as for any record left behind by a change of
 * e-mail. Until the CRM has run the import there is nothing to find, and the push waits for it.
 */
import { saveCrmContactState, type CrmContactState } from '../../adapters/store/crm-contacts.ts';
import type { ContactRow } from '../../adapters/store/contacts.ts';
import type { AppContext } from '../context.ts';
import { inOutstandingBulkImport, WAIT_FOR_OUTSTANDING_IMPORT_MS } from './bulk-import-check.ts';
import type { CrmConnection } from './crm-connections.ts';

/** Null when the push may go; otherwise how long it waits for the import, and why. */
export async function adoptImportedRecord(
  ctx: AppContext,
  connection: CrmConnection,
  contact: ContactRow,
  known: CrmContactState,
): Promise<{ waitMs: number; reason: string } | null> {
  const imported = known.imported;
  const tagger = connection.connector.bulkTagger;
  if (known.remoteId !== null || imported === null || !tagger || imported.email === contact.email) return null;
  if (await inOutstandingBulkImport(ctx.pool, connection.name, contact.id))
    return {
      waitMs: WAIT_FOR_OUTSTANDING_IMPORT_MS,
      reason: 'e-mail changed since a bulk import carried it; waiting for the import',
    };
  const remoteId = await tagger.findContactId(imported.email);
  if (remoteId === null) return null;
  await saveCrmContactState(
    ctx.pool,
    connection.name,
    contact.id,
    {
      ...known,
      remoteId,
      knownTags: imported.tags,
      pushed: { email: imported.email, firstName: null, lastName: null },
    },
    ctx.clock.now(),
  );
  return null;
}
