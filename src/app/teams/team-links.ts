import { TokenSigner } from '../../adapters/crypto/signed-token.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { bumpTeamLinkVersion, teamLinkVersion } from '../../adapters/store/team-link-versions.ts';

/** Whose link: the leader's (manage the team) or a member's own (see it and leave). */
export type TeamLinkRole = 'leader' | 'member';

/** What a signed link says: who it was issued to, for which team, and which version of their link. */
export interface TeamLinkClaim {
  role: TeamLinkRole;
  teamId: number;
  contactId: number;
  version: number;
}

/** HKDF label of the link-signing key; changing it invalidates every link ever sent. */
const PURPOSE = 'handoff team page links v1';
const ROLE_CODE: Record<TeamLinkRole, string> = { leader: 'l', member: 'm' };

/**
 * The links to a team's page that need no console login: the URL path carries an HMAC-signed
 * token naming the role, the team, the person and the version of their link. A link is good
 * while it is the person's current version and they still hold the role (a moved leader's old
 * link, or a removed member's, opens nothing); the admin can reissue a link, which revokes the old
 * one. Links do not expire by date: a leader manages the team for as long as it is paid for.
 */
export class TeamLinks {
  private readonly signer: TokenSigner;

  constructor(
    secretKey: () => Buffer,
    /** The public base URL, e.g. https://handoff.yourschool.com, without a trailing slash. */
    readonly publicUrl: string,
  ) {
    this.signer = new TokenSigner(secretKey, PURPOSE);
  }

  /** The path of the page a token opens (`/team/<token>`); forms on that page post below it. */
  static pathOf(token: string): string {
    return `/team/${token}`;
  }

  token(claim: TeamLinkClaim): string {
    return this.signer.sign([
      ROLE_CODE[claim.role],
      String(claim.teamId),
      String(claim.contactId),
      String(claim.version),
    ]);
  }

  /** The claim of a token this Handoff signed, or null for anything else. */
  read(token: string): TeamLinkClaim | null {
    const fields = this.signer.verify(token);
    if (!fields || fields.length !== 4) return null;
    const role = fields[0] === ROLE_CODE.leader ? 'leader' : fields[0] === ROLE_CODE.member ? 'member' : null;
    const [teamId, contactId, version] = fields.slice(1).map(positiveInteger);
    if (role === null || teamId === null || contactId === null || version === null) return null;
    return { role, teamId: teamId!, contactId: contactId!, version: version! };
  }

  /** The person's current link to the team's page (as e-mailed, and as the console shows it). */
  async currentUrl(db: Queryable, role: TeamLinkRole, teamId: number, contactId: number): Promise<string> {
    const version = await teamLinkVersion(db, teamId, contactId);
    return `${this.publicUrl}${TeamLinks.pathOf(this.token({ role, teamId, contactId, version }))}`;
  }

  /** Revokes the person's links to the team and returns the new one. */
  async reissueUrl(db: Queryable, role: TeamLinkRole, teamId: number, contactId: number): Promise<string> {
    const version = await this.revoke(db, teamId, contactId);
    return `${this.publicUrl}${TeamLinks.pathOf(this.token({ role, teamId, contactId, version }))}`;
  }

  /**
   * Revokes every link the person was ever given to the team: called when they are given a role
   * (leader, or a seat), so a link from an earlier time they held it does not open the team again.
   * Returns the version their links carry from now on, one no link of the team ever carried.
   */
  async revoke(db: Queryable, teamId: number, contactId: number): Promise<number> {
    const version = await bumpTeamLinkVersion(db, teamId, contactId);
    if (version === null) throw new Error(`no team ${teamId} to issue a link for`);
    return version;
  }

  /** Whether a claim is still the person's current version (the role itself is checked against the team). */
  async isCurrent(db: Queryable, claim: TeamLinkClaim): Promise<boolean> {
    return (await teamLinkVersion(db, claim.teamId, claim.contactId)) === claim.version;
  }
}

function positiveInteger(text: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
}
