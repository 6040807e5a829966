import type { DunningCase } from '../../core/dunning/dunning-case.ts';
import { deriveDunningCases } from '../../core/dunning/derive-dunning-cases.ts';
import type { CustomerRef } from '../../core/events.ts';
import { changedDownstream } from '../../core/ledger/downstream.ts';
import { foldLedger, type HistoryEntry, type LedgerProjection } from '../../core/ledger/fold.ts';
import type { LedgerRules } from '../../core/ledger/rules.ts';
import { accessFlips, type AccessFlip } from '../../core/webhooks/access-events.ts';
import type { ContactDetails } from '../../adapters/store/contacts.ts';
import type { NewContactJob } from '../../adapters/store/new-contact.ts';
import { followUpJobs } from '../ledger/follow-up-jobs.ts';
import { poolsOwnedBy } from '../../core/teams/owned-pools.ts';

/**
 * Everything Handoff writes for a person seen for the first time, decided before anything is
 * written: the contact row and its first ledger, the contact's jobs, the dunning cases its first
 * delivery opens (with their e-mails and announcements) and, when an outbound webhook endpoint may
 * exist, the access changes announced to sites. Every path that creates a contact from a delivery
 * (the intake's new-buyer statement, the ordinary intake, replaying one delivery, a full replay, a
 * grant by hand, an imported buyer)
 * writes this plan through writeNewContact, so what one path writes the others write too.
 */
export interface NewContactPlan {
  details: ContactDetails & { detailsAsOf: number };
  /** The delivery that made the person known: their whole history. */
  first: HistoryEntry;
  now: number;
  ledger: LedgerProjection;
  jobs: NewContactJob[];
  /** Only a failed payment opens one; empty otherwise. */
  dunningCases: DunningCase[];
  /** Access granted from nothing, announced as access.granted; null when no webhook endpoint may exist (nothing is announced, nor the details remembered). */
  announcements: AccessFlip[] | null;
  /** The first purchase includes a team item: its pool is opened after the contact (app/teams/follow-payer.ts). */
  opensTeamPools: boolean;
}

/** What the plan depends on besides the delivery: the rules, the downstream job kinds, and whether anyone may listen to webhooks. */
export interface PlanInputs {
  rules: LedgerRules;
  onContactChanged: readonly string[];
  announce: boolean;
}

/** The details a new contact is created with: the delivery's, as of its event time. */
export function newContactDetails(customer: CustomerRef, occurredAt: number): NewContactPlan['details'] {
  return {
    email: customer.email,
    thrivecartCustomerId: customer.thrivecartId,
    firstName: customer.firstName,
    lastName: customer.lastName,
    detailsAsOf: occurredAt,
  };
}

/** Pure: folds the first delivery and decides every row to write. Throws when the fold does (a bad configuration). */
export function planNewContact(inputs: PlanInputs, first: HistoryEntry, now: number): NewContactPlan {
  const { projection } = foldLedger([first], inputs.rules, now);
  return {
    details: newContactDetails(first.event.customer, first.event.occurredAt),
    first,
    now,
    ledger: projection,
    jobs: followUpJobs(inputs.onContactChanged, changedDownstream(null, projection), projection, now),
    dunningCases: deriveDunningCases([first], inputs.rules, now),
    announcements: inputs.announce ? accessFlips([], projection.access) : null,
    opensTeamPools: poolsOwnedBy(projection.state, inputs.rules, now).length > 0,
  };
}

/** Whether the plan is the contact, its ledger and its jobs alone: then one statement writes all of it. */
export function fitsOneStatement(plan: NewContactPlan): boolean {
  return plan.dunningCases.length === 0 && plan.announcements === null && !plan.opensTeamPools;
}

export function planInputs(ctx: {
  rules: LedgerRules;
  onContactChanged: readonly string[];
  webhooks: { mayHaveEndpoints: boolean };
  insideHandoffOnly?: boolean;
}): PlanInputs {
  return {
    rules: ctx.rules,
    onContactChanged: ctx.onContactChanged,
    announce: ctx.webhooks.mayHaveEndpoints && ctx.insideHandoffOnly !== true,
  };
}
