import type { Queryable } from './database.ts';

/** The rows a GDPR export gives as they are stored: the contact's deliveries, dunning cases and CRM sync state. */
export interface ContactRecords {
  /** Every stored delivery about this person, as received (secret removed) and as understood. */
  deliveries: Record<string, unknown>[];
  dunningCases: Record<string, unknown>[];
  crmSync: Record<string, unknown>[];
}

export async function contactRecordsForExport(db: Queryable, contactId: number): Promise<ContactRecords> {
  const [deliveries, dunningCases, crmSync] = await Promise.all([
    db.query(
      `select id, source, received_at, event_name, occurred_at, status, reason, body, event from deliveries where contact_id = $1 order by id`,
      [contactId],
    ),
    db.query(`select * from dunning_cases where contact_id = $1 order by id`, [contactId]),
    db.query(
      `select connector, remote_id, known_tags, pushed_email, pushed_first_name, pushed_last_name, synced_at from crm_contacts where contact_id = $1`,
      [contactId],
    ),
  ]);
  return { deliveries: deliveries.rows, dunningCases: dunningCases.rows, crmSync: crmSync.rows };
}
