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

/** Sync health of one CRM connection, for the overview. */
export interface CrmHealth {
  connector: string;
  status: 'active' | 'paused';
  pausedReason: string | null;
  pending: number;
  dead: number;
}

export async function crmHealth(db: Queryable): Promise<CrmHealth[]> {
  const result = await db.query<CrmHealth>(
    `select c.connector, c.status, c.paused_reason as "pausedReason",
            (select count(*) from jobs j where j.kind = 'crm.sync:' || c.connector and j.state in ('pending', 'running'))::int as pending,
            (select count(*) from jobs j where j.kind = 'crm.sync:' || c.connector and j.state = 'dead')::int as dead
       from crm_connectors c order by c.connector`,
  );
  return result.rows;
}
