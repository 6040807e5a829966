import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenSigner } from '../../src/adapters/crypto/signed-token.ts';
import { TeamLinks, type TeamLinkClaim } from '../../src/app/teams/team-links.ts';

const key = randomBytes(32);
const links = new TeamLinks(() => key, 'https://handoff.test');
const claim: TeamLinkClaim = { role: 'leader', teamId: 42, contactId: 7, version: 1 };

/** Flips one character of the token's part at `index` (0: the fields, 1: the MAC). */
function altered(token: string, index: 0 | 1): string {
  const parts = token.split('.');
  const part = parts[index]!;
  parts[index] = `${part.slice(0, -2)}${part.at(-2) === 'A' ? 'B' : 'A'}${part.at(-1)}`;
  return parts.join('.');
}

describe('signed team links', () => {
  it('reads back what it signed, for the leader and for a member', () => {
    expect(links.read(links.token(claim))).toEqual(claim);
    const member: TeamLinkClaim = { role: 'member', teamId: 3, contactId: 99, version: 4 };
    expect(links.read(links.token(member))).toEqual(member);
  });

  it('refuses a token with any part altered, truncated or extended', () => {
    const token = links.token(claim);
    expect(links.read(altered(token, 0))).toBeNull();
    expect(links.read(altered(token, 1))).toBeNull();
    expect(links.read(token.slice(0, -1))).toBeNull();
    expect(links.read(`${token}.x`)).toBeNull();
    expect(links.read(token.split('.')[0]!)).toBeNull();
    expect(links.read('')).toBeNull();
  });

  it('refuses a token made for another team or person by re-signing nothing: the MAC covers the fields', () => {
    const [, mac] = links.token(claim).split('.');
    const otherTeam = links.token({ ...claim, teamId: 43 }).split('.')[0];
    expect(links.read(`${otherTeam}.${mac}`)).toBeNull();
  });

  it('refuses tokens of another key, and of another purpose under the same key', () => {
    const otherKey = new TeamLinks(() => randomBytes(32), 'https://handoff.test');
    expect(links.read(otherKey.token(claim))).toBeNull();
    const otherPurpose = new TokenSigner(() => key, 'another purpose').sign(['l', '42', '7', '1']);
    expect(links.read(otherPurpose)).toBeNull();
  });

  it('refuses well-signed fields that are not a claim', () => {
    const signer = new TokenSigner(() => key, 'handoff team page links v1');
    expect(links.read(signer.sign(['l', '42', '7', '1']))).toEqual(claim);
    expect(links.read(signer.sign(['x', '42', '7', '1']))).toBeNull();
    expect(links.read(signer.sign(['l', '0', '7', '1']))).toBeNull();
    expect(links.read(signer.sign(['l', '42', '-7', '1']))).toBeNull();
    expect(links.read(signer.sign(['l', '42', '7']))).toBeNull();
    expect(links.read(signer.sign(['l', '4e2', '7', '1']))).toBeNull();
  });

  it('puts the token in the URL path under the public URL', () => {
    expect(TeamLinks.pathOf('abc.def')).toBe('/team/abc.def');
  });
});
