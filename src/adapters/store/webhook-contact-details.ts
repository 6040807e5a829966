import type { Queryable } from './database.ts';

export interface AnnouncedDetails {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/** The details last seen for the contact when webhooks were on, or null the first time. */
export async function loadAnnouncedDetails(db: Queryable, contactId: number): Promise<AnnouncedDetails | null> {
  const result = await db.query<{ email: string; first_name: string | null; last_name: string | null }>(
    `select email, first_name, last_name from webhook_contact_details where contact_id = $1`,
    [contactId],
  );
  const row = result.rows[0];
  return row ? { email: row.email, firstName: row.first_name, lastName: row.last_name } : null;
}

export async function saveAnnouncedDetails(db: Queryable, contactId: number, details: AnnouncedDetails): Promise<void> {
  await db.query(
    `insert into webhook_contact_details (contact_id, email, first_name, last_name) values ($1, $2, $3, $4)
     on conflict (contact_id) do update set email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name`,
    [contactId, details.email, details.firstName, details.lastName],
  );
}
