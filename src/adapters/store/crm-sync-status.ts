import type { Queryable } from './database.ts';

/** One CRM's view of one contact, as far as Handoff knows. */
export interface ContactCrmStatus {
  connector: string;
  remoteId: string | null;
  knownTags: string[];
  syncedAt: number | null;
  lastError: string | null;
  /** A sync job is waiting (changes not pushed yet). */
  pending: boolean;
}

export async function listContactCrmStatus(db: Queryable, contactId: number): Promise<ContactCrmStatus[]> {
  const result = await db.query<ContactCrmStatus>(
    `select c.connector, c.remote_id as "remoteId", c.known_tags as "knownTags", (extract(epoch from c.synced_at) * 1000)::float8 as "syncedAt",
            c.last_error as "lastError",
            exists (select 1 from jobs j where j.kind = 'crm.sync:' || c.connector and j.key = $2 and j.state in ('pending', 'running')) as pending
       from crm_contacts c where c.contact_id = $1 order by c.connector`,
    [contactId, String(contactId)],
  );
  return result.rows;
}

/** What one CRM connection's jobs did lately, for the overview, Problems and `doctor`. */
export interface CrmHealth {
  connector: string;
  status: 'active' | 'paused';
  pausedReason: string | null;
  /** Syncs waiting to run (including those being retried). */
  pending: number;
  /** Syncs that failed at least once and wait for their next attempt (waits for a rate budget spend no attempt and are not counted). */
  retrying: number;
  /** Syncs that gave up (dead-lettered). */
  dead: number;
  /** The error of the most recent failed or failing sync. */
  lastError: string | null;
  /** When a contact was last pushed to this CRM successfully. */
  lastSyncedAt: number | null;
}

export async function crmHealth(db: Queryable): Promise<CrmHealth[]> {
  const result = await db.query<CrmHealth>(
    `select c.connector, c.status, c.paused_reason as "pausedReason",
            (select count(*) from jobs j where j.kind = 'crm.sync:' || c.connector and j.state in ('pending', 'running'))::int as pending,
            (select count(*) from jobs j where j.kind = 'crm.sync:' || c.connector and j.state in ('pending', 'running') and j.attempts > 0 and j.last_error is not null)::int as retrying,
            (select count(*) from jobs j where j.kind = 'crm.sync:' || c.connector and j.state = 'dead')::int as dead,
            (select j.last_error from jobs j where j.kind = 'crm.sync:' || c.connector and j.attempts > 0 and j.last_error is not null order by j.updated_at desc limit 1) as "lastError",
            (select (extract(epoch from max(cc.synced_at)) * 1000)::float8 from crm_contacts cc where cc.connector = c.connector) as "lastSyncedAt"
       from crm_connectors c order by c.connector`,
  );
  return result.rows;
}
