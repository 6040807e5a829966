import type { DunningPolicy, HandoffConfig } from '../../config/schema.ts';
import type { DunningCase } from '../../core/dunning/dunning-case.ts';
import { reminderNumber, type DunningEmailStep } from '../../core/dunning/email-step.ts';
import { describeMoney } from '../../core/describe.ts';
import type { TemplateName } from '../../adapters/mail/templates.ts';
import { DAY_MS } from '../../core/time.ts';

/** Customer-facing dates read "November 16, 2026"; days are UTC, like everywhere in Handoff. */
const LONG_DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

export interface EmailPerson {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/** Which template an e-mail uses, who gets it, and the values of its `{{variables}}`. */
export interface ComposedEmail {
  template: TemplateName;
  to: string;
  variables: Record<string, string>;
}

/**
 * The content of one dunning e-mail. Every variable always has a value that reads well in a
 * sentence ("Hi there," without a first name), so templates need no conditionals.
 */
export function composeDunningEmail(
  step: DunningEmailStep,
  dunningCase: DunningCase,
  customer: EmailPerson,
  policy: DunningPolicy,
  config: Pick<HandoffConfig, 'thrivecart'>,
  now: number,
): ComposedEmail {
  const amount =
    dunningCase.amountDueCents === null ? null : describeMoney(dunningCase.amountDueCents, dunningCase.currency);
  // What every e-mail to the customer says of them and of what they bought.
  const aboutCustomer = {
    firstName: customer.firstName ?? 'there',
    productName: dunningCase.productName,
    customerEmail: customer.email,
  };
  if (reminderNumber(step) !== null) {
    return {
      template: 'dunning-reminder',
      to: customer.email,
      variables: {
        ...aboutCustomer,
        amountDue: amount ?? 'your latest payment',
        accessEndsOn: LONG_DATE.format(dunningCase.graceEndsAt),
        daysLeft: String(Math.max(0, Math.ceil((dunningCase.graceEndsAt - now) / DAY_MS))),
        cardUpdateUrl: cardUpdateUrl(policy, config),
      },
    };
  }
  if (step === 'recovered') return { template: 'dunning-recovered', to: customer.email, variables: aboutCustomer };
  // whyNotSend keeps the owner e-mail from being composed without an address.
  if (!policy.notifyOwner) throw new Error('the owner e-mail needs dunning.<policy>.notifyOwner');
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
  return {
    template: 'dunning-lost-owner',
    to: policy.notifyOwner,
    variables: {
      customerName: name || customer.email,
      customerEmail: customer.email,
      productName: dunningCase.productName,
      amountDue: amount ?? 'unknown',
      failedSince: LONG_DATE.format(dunningCase.openedAt),
      accessEndedOn: LONG_DATE.format(dunningCase.graceEndsAt),
      failures: String(dunningCase.failures),
      orderId: dunningCase.orderId,
    },
  };
}

/** The policy's link, else ThriveCart's own card-update page for the account. */
function cardUpdateUrl(policy: DunningPolicy, config: Pick<HandoffConfig, 'thrivecart'>): string {
  return policy.cardUpdateUrl ?? `https://${config.thrivecart.account}.thrivecart.com/updateinfo/`;
}
