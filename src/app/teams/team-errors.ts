/** Why a team operation was refused; the API answers 404, 409 or 400 from `code` (docs/api.md). */
export type TeamErrorCode = 'team_not_found' | 'not_a_member' | 'no_free_seat' | 'already_a_member' | 'invalid';

export class TeamError extends Error {
  constructor(
    readonly code: TeamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TeamError';
  }
}
