import type { AccessEntry } from '../access/derive-access.ts';

/** An offering whose granted state flipped between two projections. */
export interface AccessFlip {
  type: 'access.granted' | 'access.revoked';
  entry: AccessEntry;
}

/**
 * What a site must hear after a re-fold: offerings granted now that were not before, and
 * offerings granted before that are not now (or vanished, e.g. after a replay). A change of
 * `until` alone is not a flip: the site asks `GET /api/access` when it needs the date.
 */
export function accessFlips(before: readonly AccessEntry[], after: readonly AccessEntry[]): AccessFlip[] {
  const grantedBefore = new Map(before.filter((entry) => entry.granted).map((entry) => [entry.offering, entry]));
  const grantedAfter = new Set(after.filter((entry) => entry.granted).map((entry) => entry.offering));
  const flips: AccessFlip[] = after
    .filter((entry) => entry.granted && !grantedBefore.has(entry.offering))
    .map((entry) => ({ type: 'access.granted', entry }));
  for (const [offering, previous] of grantedBefore) {
    if (grantedAfter.has(offering)) continue;
    const now = after.find((entry) => entry.offering === offering);
    flips.push({ type: 'access.revoked', entry: now ?? { ...previous, granted: false, until: null } });
  }
  return flips;
}
