import { parseConfig } from '../../src/config/load-config.ts';
import type { HandoffConfig } from '../../src/config/schema.ts';
import type { SimulatedEvent, SimulateOptions } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts';

export const OWNER = 'owner@focusschool.test';
export const CARD_UPDATE_URL = `https://${TEST_ACCOUNT}.thrivecart.com/updateinfo/`;
/** The membership: product-40 grants the community, monthly, dunned by the default policy. */
export const MEMBERSHIP = 'product-40';

/**
 * The configuration the dunning tests run with: the membership with the default policy
 * (reminders on days 0, 3 and 7, 14 days of grace, owner told on loss) and mail through `smtpUrl`.
 */
export function dunningConfig(smtpUrl: string): HandoffConfig {
  return parseConfig(dunningConfigYaml(smtpUrl), 'dunning-test-config.yaml', {});
}

/** The same configuration as a file's text, for tests that run the command line; `extraMailYaml` goes under `mail:`. */
export function dunningConfigYaml(smtpUrl: string, extraMailYaml = ''): string {
  return `
thrivecart: { account: ${TEST_ACCOUNT}, secret: "${TEST_SECRET}" }
offerings:
  - { id: community, name: Community, accessTag: "Community - Access", revokeTag: "Community - Revoke" }
items:
  - { item: ${MEMBERSHIP}, grants: [community], onCancel: end-of-period, dunning: default, paidInFullTag: "Community - Paid in full" }
dunning:
  default:
    failedTag: "Payment Failed"
    reminders: [0, 3, 7]
    graceDays: 14
    notifyOwner: ${OWNER}
mail:
  smtp: ${smtpUrl}
  from: "Focus School <hello@focusschool.test>"
${extraMailYaml}
`;
}

export interface DunningHarness {
  handoff: TestHandoff;
  smtp: SmtpReceiver;
  /** Moves the fake clock day by day (runs the due jobs at each step), like a calendar passing. */
  passDays(days: number): Promise<void>;
  /** Subjects of the e-mails received by one address, in order. */
  subjectsFor(address: string): string[];
  close(): Promise<void>;
}

export async function startDunningHarness(): Promise<DunningHarness> {
  const smtp = await startSmtpReceiver();
  const handoff = await startTestHandoff({ config: dunningConfig(smtp.url) });
  return {
    handoff,
    smtp,
    async passDays(days) {
      for (let day = 0; day < days; day += 1) {
        handoff.clock.advanceDays(1);
        await handoff.runJobs();
      }
    },
    subjectsFor: (address) => smtp.received.filter((email) => email.to.includes(address)).map((email) => email.subject),
    async close() {
      await handoff.close();
      await smtp.close();
    },
  };
}

/** The harness with one member who bought the membership a month ago: their first renewal is due now. */
export async function startWithRenewalDue(email: string, orderId: string): Promise<DunningHarness> {
  const harness = await startDunningHarness();
  await sendMembership(harness.handoff, 'purchase', email, orderId);
  harness.handoff.clock.advanceDays(30);
  return harness;
}

/**
 * A ThriveCart delivery about the membership of order `orderId`, by Ada Lovelace, $47.00 a month,
 * timed at the fake clock's now. Failed-payment and renewal deliveries carry the customer's name
 * too, so every delivery names her the same way.
 */
export async function sendMembership(
  handoff: TestHandoff,
  event: SimulatedEvent,
  email: string,
  orderId: string,
  extra: Partial<SimulateOptions> = {},
): Promise<void> {
  const sent = await handoff.send(event, {
    email,
    item: MEMBERSHIP,
    orderId,
    firstName: 'Ada',
    lastName: 'Lovelace',
    amountCents: 4700,
    recurring: event === 'purchase',
    ...extra,
  });
  if (sent.body.status !== 'applied') throw new Error(`${event} not applied: ${JSON.stringify(sent.body)}`);
}

export interface ContactBody {
  tags: { name: string }[];
  access: { offering: string; granted: boolean; until: string | null; reason: string }[];
}

export async function tagsOf(handoff: TestHandoff, email: string): Promise<string[]> {
  return (await handoff.api<ContactBody>(`/api/contacts/${email}`)).body.tags.map((tag) => tag.name).sort();
}

export async function hasCommunity(handoff: TestHandoff, email: string): Promise<boolean> {
  return (await handoff.api<{ granted: boolean }>(`/api/access?email=${email}&offering=community`)).body.granted;
}
