import type { ContactDetails } from '../../core/tag-sync/contact-details.ts';
import type { Queryable } from './database.ts';

/** What Handoff last knew one CRM (a `crm:` entry, by name) to hold for one contact. */
export interface CrmContactState {
  /** The CRM's id for the person; null until the first upsert succeeded. */
  remoteId: string | null;
  /** Managed tags the CRM holds as far as Handoff knows (it applied or removed them itself). */
  knownTags: string[];
  /** The details last sent in an upsert; null before the first. */
  pushed: ContactDetails | null;
  syncedAt: number | null;
  lastError: string | null;
  /**
   * What a bulk import carried for the person (bulk-access-tags.ts), written before it was sent:
   * the CRM may hold them under this e-mail with these tags, id unknown. Null when none did.
   */
  imported: BulkImported | null;
}

export interface BulkImported {
  email: string;
  tags: string[];
}

export const UNSYNCED: CrmContactState = {
  remoteId: null,
  knownTags: [],
  pushed: null,
  syncedAt: null,
  lastError: null,
  imported: null,
};

interface RawCrmContact {
  remote_id: string | null;
  known_tags: string[];
  pushed_email: string | null;
  pushed_first_name: string | null;
  pushed_last_name: string | null;
  synced_at: number | null;
  last_error: string | null;
  imported_email: string | null;
  imported_tags: string[] | null;
}

export async function loadCrmContactState(
  db: Queryable,
  connector: string,
  contactId: number,
): Promise<CrmContactState> {
  const result = await db.query<RawCrmContact>(
    `select remote_id, known_tags, pushed_email, pushed_first_name, pushed_last_name,
            (extract(epoch from synced_at) * 1000)::float8 as synced_at, last_error, imported_email, imported_tags
       from crm_contacts where connector = $1 and contact_id = $2`,
    [connector, contactId],
  );
  const row = result.rows[0];
  if (!row) return UNSYNCED;
  return {
    remoteId: row.remote_id,
    knownTags: row.known_tags,
    pushed:
      row.pushed_email === null
        ? null
        : { email: row.pushed_email, firstName: row.pushed_first_name, lastName: row.pushed_last_name },
    syncedAt: row.synced_at,
    lastError: row.last_error,
    imported: row.imported_email === null ? null : { email: row.imported_email, tags: row.imported_tags ?? [] },
  };
}

/**
 * Notes, before a bulk import is sent, whom it carries and with what, keeping everything else
 * known (what is imported is never what Handoff applied itself: `knownTags` stays as it was).
 */
export async function recordBulkImported(
  db: Queryable,
  connector: string,
  people: readonly ({ contactId: number } & BulkImported)[],
  now: number,
): Promise<void> {
  await db.query(
    `insert into crm_contacts (connector, contact_id, imported_email, imported_tags, updated_at)
     select $1, person.contact_id, person.email, array(select jsonb_array_elements_text(person.tags)), to_timestamp($3 / 1000.0)
       from jsonb_to_recordset($2::jsonb) as person(contact_id bigint, email text, tags jsonb)
     on conflict (connector, contact_id) do update set imported_email = excluded.imported_email,
       imported_tags = excluded.imported_tags, updated_at = excluded.updated_at`,
    [
      connector,
      JSON.stringify(
        people.map((person) => ({ contact_id: person.contactId, email: person.email, tags: person.tags })),
      ),
      now,
    ],
  );
}

export async function saveCrmContactState(
  db: Queryable,
  connector: string,
  contactId: number,
  state: CrmContactState,
  now: number,
): Promise<void> {
  await db.query(
    `insert into crm_contacts (connector, contact_id, remote_id, known_tags, pushed_email, pushed_first_name, pushed_last_name, synced_at, last_error, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0), $9, to_timestamp($10 / 1000.0))
     on conflict (connector, contact_id) do update set remote_id = excluded.remote_id, known_tags = excluded.known_tags,
       pushed_email = excluded.pushed_email, pushed_first_name = excluded.pushed_first_name, pushed_last_name = excluded.pushed_last_name,
       synced_at = excluded.synced_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
    [
      connector,
      contactId,
      state.remoteId,
      [...state.knownTags].sort(),
      state.pushed?.email ?? null,
      state.pushed?.firstName ?? null,
      state.pushed?.lastName ?? null,
      state.syncedAt,
      state.lastError,
      now,
    ],
  );
}

/** Notes why the last push failed, keeping what is known. */
export async function recordCrmContactError(
  db: Queryable,
  connector: string,
  contactId: number,
  message: string,
  now: number,
): Promise<void> {
  await db.query(
    `insert into crm_contacts (connector, contact_id, last_error, updated_at) values ($1, $2, $3, to_timestamp($4 / 1000.0))
     on conflict (connector, contact_id) do update set last_error = excluded.last_error, updated_at = excluded.updated_at`,
    [connector, contactId, message, now],
  );
}

/** Every contact id, in order: what reconcile walks. */
export async function listContactIds(db: Queryable): Promise<number[]> {
  const result = await db.query<{ id: number }>(`select id from contacts order by id`);
  return result.rows.map((row) => row.id);
}

/**
 * The ids of contacts with a pending (or claimed) job of `jobKind` whom the CRM `connector` holds
 * no record of yet (never pushed, nor carried by a bulk import), oldest job first: at a launch, the
 * buyers still waiting for their first tags. Ids only: the caller reads the ones it keeps.
 */
export async function listContactIdsAwaitingFirstPush(
  db: Queryable,
  jobKind: string,
  connector: string,
  limit: number,
): Promise<number[]> {
  const result = await db.query<{ contact_id: string }>(
    // Only this kind's keys are contact ids; the guard keeps the cast from meeting another kind's key
    // (e.g. erase:12), as the planner may evaluate it before the kind filter.
    // Written so its cost stays bounded when the statistics lag behind a launch (jobs and
    // crm_contacts grow from nothing in seconds, before autovacuum analyzes them): as an anti-join
    // the planner, believing both tables nearly empty, compared every job with every record
    // (4 s of PostgreSQL's CPU per call at 6,000 waiting buyers, measured in `npm run bench`).
    // Each part comes in run_at order and the record is probed by primary key for one job at a
    // time (a subquery), so the scan stops at `limit` buyers: about 13 ms for the same data.
    `select job.contact_id from (
       (select case when key ~ '^[0-9]{1,18}$' then key::bigint end as contact_id, run_at, id from jobs
         where kind = $1 and state = 'pending' order by run_at, id)
       union all
       (select case when key ~ '^[0-9]{1,18}$' then key::bigint end as contact_id, run_at, id from jobs
         where kind = $1 and state = 'running' order by run_at, id)) job
      where job.contact_id is not null
        and (select 1 from crm_contacts known
              where known.connector = $2 and known.contact_id = job.contact_id
                and (known.remote_id is not null or known.imported_email is not null)) is null
      order by job.run_at, job.id limit $3`,
    [jobKind, connector, limit],
  );
  return result.rows.map((row) => Number(row.contact_id));
}

/** Remembers a record the person was pushed to before their push went to another (see CrmRecords). */
export async function rememberFormerCrmRecord(
  db: Queryable,
  connector: string,
  contactId: number,
  remoteId: string,
): Promise<void> {
  await db.query(
    `update crm_contacts set former_remote_ids = array_append(former_remote_ids, $3)
      where connector = $1 and contact_id = $2 and not ($3 = any(former_remote_ids))`,
    [connector, contactId, remoteId],
  );
}

/** Forgets what an import that was never queued would have carried. */
export async function forgetBulkImported(
  db: Queryable,
  connector: string,
  contactIds: readonly number[],
): Promise<void> {
  await db.query(
    `update crm_contacts set imported_email = null, imported_tags = null
      where connector = $1 and contact_id = any($2::bigint[])`,
    [connector, contactIds],
  );
}

/** What each CRM holds of the contact, by connector name (what an erasure deletes there). */
export interface CrmRecords {
  /** Its id there; null where no push got one. */
  remoteId: string | null;
  /** The e-mail a bulk import carried them under, if one did. */
  importedEmail: string | null;
  /** Records pushed to before a change of e-mail sent the push to another. */
  formerRemoteIds: string[];
}

export async function crmRecordsOf(db: Queryable, contactId: number): Promise<Map<string, CrmRecords>> {
  const result = await db.query<{
    connector: string;
    remote_id: string | null;
    imported_email: string | null;
    former_remote_ids: string[];
  }>(`select connector, remote_id, imported_email, former_remote_ids from crm_contacts where contact_id = $1`, [
    contactId,
  ]);
  return new Map(
    result.rows.map((row) => [
      row.connector,
      { remoteId: row.remote_id, importedEmail: row.imported_email, formerRemoteIds: row.former_remote_ids },
    ]),
  );
}
