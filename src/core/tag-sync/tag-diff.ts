import type { TagNameCase } from '../../ports/crm-connector.ts';

/** What to change in a CRM so the managed tags it holds become the desired ones. */
export interface TagDiff {
  add: string[];
  remove: string[];
}

/**
 * The difference between the managed tags the ledger wants and the managed tags a CRM holds
 * (as last known, or as just read). Tags outside `managed` are ignored on both sides: they belong
 * to whoever put them there. With `ignoreCase` (a CRM that holds one tag per name whatever its
 * letter case), "VIP" held is the managed "vip"; tags to remove are then spelled as configured.
 * Sorted, so plans and reports are stable.
 */
export function diffManagedTags(
  desired: Iterable<string>,
  held: Iterable<string>,
  managed: ReadonlySet<string>,
  options: { ignoreCase: boolean } = { ignoreCase: false },
): TagDiff {
  const key = options.ignoreCase ? (tag: string) => tag.toLowerCase() : (tag: string) => tag;
  const managedByKey = new Map([...managed].map((tag) => [key(tag), tag]));
  // A set may manage more names than it lists (team tags, core/tag-sync/managed-tags.ts): those are spelled as keyed.
  const spelling = (tag: string): string | undefined =>
    managedByKey.get(key(tag)) ?? (managed.has(key(tag)) ? key(tag) : undefined);
  const spelledAsConfigured = (tags: Iterable<string>) =>
    new Map(
      [...tags].flatMap((tag) => {
        const spelled = spelling(tag);
        return spelled === undefined ? [] : [[key(tag), spelled] as const];
      }),
    );
  const want = spelledAsConfigured(desired);
  const have = spelledAsConfigured(held);
  return {
    add: [...want]
      .filter(([tagKey]) => !have.has(tagKey))
      .map(([, tag]) => tag)
      .sort(),
    remove: [...have]
      .filter(([tagKey]) => !want.has(tagKey))
      .map(([, tag]) => tag)
      .sort(),
  };
}

/**
 * Of the tags `missing`, those the CRM holds in other letter case (missing "VIP", held "vip"),
 * each with the spelling held. Where a CRM does not document whether letter case matters, these
 * may be the same tag or two: only applying the configured spelling and reading again tells.
 */
export function heldInOtherCase(missing: readonly string[], held: readonly string[]): Map<string, string> {
  const heldByLowerCase = new Map(held.map((tag) => [tag.toLowerCase(), tag]));
  return new Map(
    missing.flatMap((tag) => {
      const other = heldByLowerCase.get(tag.toLowerCase());
      return other !== undefined && other !== tag ? [[tag, other]] : [];
    }),
  );
}

/** Whether tag names are compared ignoring case for a CRM with this rule. */
export function ignoresCase(rule: TagNameCase): boolean {
  return rule === 'ignored';
}
