import type { AppContext } from '../../../app/context.ts';
import {
  getContactView,
  getTimeline,
  type ContactView,
  type TimelineView,
} from '../../../app/contacts/contact-views.ts';
import { teamsOfContact } from '../../../app/teams/team-views.ts';
import { crmSyncJobKind } from '../../../app/crm/crm-connections.ts';
import { ACCESSALLY_NOTIFY_JOB } from '../../../app/crm/notify-accessally.ts';
import { loadAccessAllyContactState, type AccessAllyContactState } from '../../../adapters/store/accessally-users.ts';
import { findContactByEmail } from '../../../adapters/store/contacts.ts';
import { listContactCrmStatus, type ContactCrmStatus } from '../../../adapters/store/crm-sync-status.ts';
import { loadContactCases, type StoredDunningCase } from '../../../adapters/store/dunning-cases.ts';
import { listUnfinishedJobs, type ContactJob } from '../../../adapters/store/job-health.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';

/** Everything the contact page shows, read in a few statements whatever the number of CRMs. */
export interface ContactPageData {
  ctx: AppContext;
  view: ContactView;
  timeline: TimelineView[];
  teams: Awaited<ReturnType<typeof teamsOfContact>>;
  crm: ContactCrmStatus[];
  /** The contact's sync and AccessAlly jobs that have not finished (waiting or given up). */
  jobs: ContactJob[];
  /** null when AccessAlly is not configured. */
  accessAlly: AccessAllyContactState | null;
  dunningCases: StoredDunningCase[];
  times: ConsoleTimes;
}

export async function loadContactPage(ctx: AppContext, email: string): Promise<ContactPageData | null> {
  const [view, timeline, contact, teams] = await Promise.all([
    getContactView(ctx, email),
    getTimeline(ctx, email),
    findContactByEmail(ctx.pool, email),
    teamsOfContact(ctx, email),
  ]);
  if (!view || !contact) return null;
  const kinds = [...ctx.config.crm.map((connection) => crmSyncJobKind(connection.name)), ACCESSALLY_NOTIFY_JOB];
  const [crm, jobs, accessAlly, cases] = await Promise.all([
    ctx.config.crm.length > 0 ? listContactCrmStatus(ctx.pool, contact.id) : [],
    listUnfinishedJobs(ctx.pool, kinds, String(contact.id)),
    ctx.config.accessally ? loadAccessAllyContactState(ctx.pool, contact.id) : null,
    loadContactCases(ctx.pool, contact.id),
  ]);
  return {
    ctx,
    view,
    timeline: timeline ?? [],
    teams,
    crm,
    jobs,
    accessAlly,
    dunningCases: [...cases.values()].sort((a, b) => b.openedAt - a.openedAt),
    times: consoleTimes(ctx),
  };
}
