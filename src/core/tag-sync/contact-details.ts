import type { CrmContactInput } from '../../ports/crm-connector.ts';

/** The details Handoff holds for a person; blank names count as unknown. */
export interface ContactDetails {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/**
 * What to send in an upsert, or null when the CRM already has everything Handoff knows. A name
 * Handoff lacks is sent as null, which connectors leave alone: a blank never overwrites a name
 * someone typed into the CRM.
 */
export function detailsToPush(current: ContactDetails, lastPushed: ContactDetails | null): CrmContactInput | null {
  const next: CrmContactInput = {
    email: current.email,
    firstName: nonBlank(current.firstName),
    lastName: nonBlank(current.lastName),
  };
  if (lastPushed === null) return next;
  const unchanged =
    next.email === lastPushed.email &&
    (next.firstName === null || next.firstName === lastPushed.firstName) &&
    (next.lastName === null || next.lastName === lastPushed.lastName);
  return unchanged ? null : next;
}

function nonBlank(name: string | null): string | null {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
