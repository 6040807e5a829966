/**
 * Who changes a pool, for its audit trail: an admin (console, API, CLI; `name` as they are known
 * there), the pool's leader (their page), or a member leaving. Leader and member are the people
 * the call is about, recorded by contact id, never by e-mail (docs/teams.md).
 */
export type TeamActor = { kind: 'admin'; name: string } | { kind: 'leader' } | { kind: 'member' };
