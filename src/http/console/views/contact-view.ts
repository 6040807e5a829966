import type { ContactView } from '../../../app/contacts/contact-views.ts';
import type { AccessAllyContactState } from '../../../adapters/store/accessally-users.ts';
import type { ContactCrmStatus } from '../../../adapters/store/crm-sync-status.ts';
import type { ContactJob } from '../../../adapters/store/job-health.ts';
import type { Tone } from './tone.ts';

/** Tags that came for the same reason, said once: "Bought Focus, Focus - Access" because of one purchase. */
export interface TagGroup {
  names: string[];
  why: string;
  deliveryId: number | null;
  /** ISO: when the first of them came. */
  since: string;
}

/** The contact's tags grouped by their reason, in the order the reasons first applied. */
export function groupTagsByReason(tags: ContactView['tags']): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  for (const tag of tags) {
    const key = `${tag.deliveryId ?? ''}\n${tag.why}`;
    const group = groups.get(key);
    if (group) {
      group.names.push(tag.name);
      if (tag.since < group.since) group.since = tag.since;
    } else groups.set(key, { names: [tag.name], why: tag.why, deliveryId: tag.deliveryId, since: tag.since });
  }
  return [...groups.values()].sort((a, b) => a.since.localeCompare(b.since));
}

export interface SyncState {
  label: string;
  tone: Tone;
  /** What went wrong, in the CRM's or AccessAlly's words. */
  detail: string | null;
  /** A job that gave up, which a Retry button puts back in the queue. */
  retryJobId: number | null;
}

/**
 * One CRM's state for this contact: a sync that gave up is "failed" (with Retry), one waiting or
 * with tags that differ from the contact's is "pending", and only an exact match is "in sync".
 */
export function crmSyncState(
  status: ContactCrmStatus | undefined,
  desiredTags: readonly string[],
  jobs: readonly ContactJob[],
): SyncState {
  const dead = jobs.find((job) => job.state === 'dead');
  if (dead)
    return { label: 'failed', tone: 'bad', detail: dead.lastError ?? status?.lastError ?? null, retryJobId: dead.id };
  const waiting = jobs.length > 0 || status?.pending === true;
  if (!status) return { label: waiting ? 'pending' : 'not pushed yet', tone: 'warn', detail: null, retryJobId: null };
  if (status.lastError) return { label: 'retrying', tone: 'warn', detail: status.lastError, retryJobId: null };
  const inSync = !waiting && sameTags(status.knownTags, desiredTags);
  return inSync
    ? { label: 'in sync', tone: 'ok', detail: null, retryJobId: null }
    : { label: 'pending', tone: 'warn', detail: null, retryJobId: null };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join('\n') === [...b].sort().join('\n');
}

const USER_STATES: Record<NonNullable<AccessAllyContactState['user']>, { label: string; tone: Tone }> = {
  existing: { label: 'user existed before Handoff', tone: 'ok' },
  to_create: { label: 'user to be created', tone: 'warn' },
  creating: { label: 'create call sent, answer not recorded', tone: 'bad' },
  created: { label: 'user created by Handoff', tone: 'ok' },
};

/** Whether AccessAlly holds a user for the person, as Handoff knows it. */
export function accessAllyUserState(state: AccessAllyContactState): { label: string; tone: Tone } {
  if (state.user !== null) return USER_STATES[state.user];
  return state.lastCall ? { label: 'told of the tags', tone: 'ok' } : { label: 'not told yet', tone: 'plain' };
}

/** The AccessAlly notification's own state: a given-up call is failed (with Retry), a waiting one pending. */
export function accessAllyCallState(jobs: readonly ContactJob[]): SyncState | null {
  const dead = jobs.find((job) => job.state === 'dead');
  if (dead) return { label: 'failed', tone: 'bad', detail: dead.lastError, retryJobId: dead.id };
  if (jobs.length > 0) {
    const detail = jobs.find((job) => job.lastError)?.lastError ?? null;
    return { label: 'pending', tone: 'warn', detail, retryJobId: null };
  }
  return null;
}
