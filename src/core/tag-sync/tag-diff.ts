/** What to change in a CRM so the managed tags it holds become the desired ones. */
export interface TagDiff {
  add: string[];
  remove: string[];
}

/**
 * The difference between the managed tags the ledger wants and the managed tags a CRM holds
 * (as last known, or as just read). Tags outside `managed` are ignored on both sides: they belong
 * to whoever put them there. Sorted, so plans and reports are stable.
 */
export function diffManagedTags(
  desired: Iterable<string>,
  held: Iterable<string>,
  managed: ReadonlySet<string>,
): TagDiff {
  const want = new Set([...desired].filter((tag) => managed.has(tag)));
  const have = new Set([...held].filter((tag) => managed.has(tag)));
  return {
    add: [...want].filter((tag) => !have.has(tag)).sort(),
    remove: [...have].filter((tag) => !want.has(tag)).sort(),
  };
}
