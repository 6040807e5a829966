import type { LedgerProjection } from './fold.ts';

/** What CRMs and sites see of a projection: its tag names and its granted offerings, each sorted and joined. */
export interface DownstreamView {
  tags: string;
  granted: string;
}

export function downstreamView(projection: LedgerProjection): DownstreamView {
  return {
    tags: Object.keys(projection.tags).sort().join('\n'),
    granted: projection.access
      .filter((entry) => entry.granted)
      .map((entry) => entry.offering)
      .sort()
      .join('\n'),
  };
}

export function sameDownstream(a: DownstreamView, b: DownstreamView): boolean {
  return a.tags === b.tags && a.granted === b.granted;
}

/** Whether anything a CRM or a site sees (tags, granted offerings) differs; for a new contact, whether it has any tag. */
export function changedDownstream(before: LedgerProjection | null, after: LedgerProjection): boolean {
  if (!before) return Object.keys(after.tags).length > 0;
  return !sameDownstream(downstreamView(before), downstreamView(after));
}
