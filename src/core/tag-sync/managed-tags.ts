import type { HandoffConfig } from '../../config/schema.ts';
import { isTeamTag } from '../teams/team-seat.ts';

/** The configured tags, plus every team tag (`team-<order>-<item>`, one per pool: not known in advance). */
class ManagedTags extends Set<string> {
  override has(tag: string): boolean {
    return super.has(tag) || isTeamTag(tag);
  }
}

/**
 * Every tag Handoff decides about: offering access and revoke tags, item tags, dunning failed
 * tags, paid-in-full tags, and team tags (core/teams/team-seat.ts). Sync only ever adds or removes these, so a tag a person put on a
 * contact by hand in the CRM is never touched.
 */
export function managedTags(config: Pick<HandoffConfig, 'offerings' | 'items' | 'dunning'>): ReadonlySet<string> {
  const tags = new ManagedTags();
  for (const offering of config.offerings) {
    tags.add(offering.accessTag);
    tags.add(offering.revokeTag);
  }
  for (const item of config.items) {
    item.tags.forEach((tag) => tags.add(tag));
    if (item.paidInFullTag !== undefined) tags.add(item.paidInFullTag);
  }
  for (const policy of Object.values(config.dunning)) {
    if (policy.failedTag !== undefined) tags.add(policy.failedTag);
  }
  return tags;
}
