import type { HandoffConfig } from '../../config/schema.ts';

/**
 * Every tag Handoff decides about: offering access and revoke tags, item tags, dunning failed
 * tags and paid-in-full tags. Sync only ever adds or removes these, so a tag a person put on a
 * contact by hand in the CRM is never touched.
 */
export function managedTags(config: Pick<HandoffConfig, 'offerings' | 'items' | 'dunning'>): ReadonlySet<string> {
  const tags = new Set<string>();
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
