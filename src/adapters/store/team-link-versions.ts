import type { Queryable } from './database.ts';

/** The version current links of this person for this team carry (1 until a link was reissued). */
export async function teamLinkVersion(db: Queryable, teamId: number, contactId: number): Promise<number> {
  const result = await db.query<{ version: number }>(
    'select version from team_link_versions where team_id = $1 and contact_id = $2',
    [teamId, contactId],
  );
  return result.rows[0]?.version ?? 1;
}

/** Bumps the version, so every link issued before stops working; returns the new version. */
export async function bumpTeamLinkVersion(db: Queryable, teamId: number, contactId: number): Promise<number> {
  const result = await db.query<{ version: number }>(
    `insert into team_link_versions (team_id, contact_id, version) values ($1, $2, 2)
     on conflict (team_id, contact_id) do update set version = team_link_versions.version + 1
     returning version`,
    [teamId, contactId],
  );
  return result.rows[0]!.version;
}
