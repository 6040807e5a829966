import type { Queryable } from './database.ts';

/** The version current links of this person for this team carry (1 until a link was reissued). */
export async function teamLinkVersion(db: Queryable, teamId: number, contactId: number): Promise<number> {
  const result = await db.query<{ version: number }>(
    'select version from team_link_versions where team_id = $1 and contact_id = $2',
    [teamId, contactId],
  );
  return result.rows[0]?.version ?? 1;
}

/**
 * Gives the person a new version, so every link issued to them before stops working; returns it.
 * The version is the pool's next (team_pools.last_link_version), so it was never carried by any
 * link of this pool: a role given back to someone never revives their old links. Null when the
 * pool does not exist.
 */
export async function bumpTeamLinkVersion(db: Queryable, teamId: number, contactId: number): Promise<number | null> {
  const result = await db.query<{ version: number }>(
    `with next as (update team_pools set last_link_version = last_link_version + 1 where id = $1 returning last_link_version)
     insert into team_link_versions (team_id, contact_id, version) select $1, $2, last_link_version from next
     on conflict (team_id, contact_id) do update set version = excluded.version
     returning version`,
    [teamId, contactId],
  );
  return result.rows[0]?.version ?? null;
}
