import type { ItemKey } from '../events.ts';

/**
 * Where one failure episode of a subscription or payment plan stands.
 * - open: the charge is unpaid and the grace period is running (access continues).
 * - recovered: it was paid within the grace period.
 * - lost: the grace period ended unpaid; access ended (the offering's revoke tag is applied).
 * - recovered-after-loss: it was paid after the grace period had ended, so access came back.
 *   Kept apart from `recovered` because the customer was without access in between.
 * - cancelled: the subscription was cancelled while the case was open (access follows `onCancel`).
 */
export type DunningCaseState = 'open' | 'recovered' | 'lost' | 'recovered-after-loss' | 'cancelled';

/** One reminder e-mail of a case: `number` is 1-based, in send order. */
export interface ReminderStep {
  number: number;
  /** Epoch ms: the case's opening plus the policy's days for this reminder. */
  dueAt: number;
}

/**
 * One dunning case: a subscription's charge failed, and this is the story of that unpaid charge
 * until it is paid, cancelled or given up. Repeated failures of the same charge (processor
 * retries) belong to the same case. Times are epoch milliseconds.
 */
export interface DunningCase {
  /** `<orderId>:<item key>`, as in the ledger. */
  subscriptionKey: string;
  /** 1 for the subscription's first failure episode, 2 for the next one after a recovery, ... */
  episode: number;
  orderId: string;
  item: ItemKey;
  /** What the customer bought, as ThriveCart named it (or the offerings it grants). */
  productName: string;
  state: DunningCaseState;
  /** The first failure of the unpaid charge. */
  openedAt: number;
  /** When access ends unless the charge is paid. */
  graceEndsAt: number;
  /** When the grace period ran out unpaid; null unless lost (or recovered after loss). */
  lostAt: number | null;
  /** When the case reached its current closed state; null while open. */
  closedAt: number | null;
  /** Failed attempts seen for this charge. */
  failures: number;
  /** Cents; null when neither the failure nor an earlier charge told the amount. */
  amountDueCents: number | null;
  currency: string;
  /** Reminders due before access ends, in order; later ones would arrive after the loss. */
  reminders: ReminderStep[];
}
