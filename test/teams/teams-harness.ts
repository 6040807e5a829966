/**
 * Shared set-up for the team tests: a configuration with team items (product-50: 2 seats, monthly
 * with dunning; bump-50 and upsell-50 add seats to it; product-51: the leader takes a seat).
 */
import { parseConfig } from '../../src/config/load-config.ts';
import type { HandoffConfig } from '../../src/config/schema.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import type { TestHandoff } from '../support/handoff.ts';

export const TEAM_ITEMS_YAML = `
  - { item: product-50, grants: [inner-circle], onCancel: end-of-period, dunning: default, team: { seats: 2 } }
  - { item: bump-50, addsSeats: { to: product-50, seats: 3 } }
  - { item: upsell-50, addsSeats: { to: product-50, seats: 1 } }
  - { item: product-51, grants: [inner-circle], team: { seats: 2, leaderTakesSeat: true } }`;

export function teamConfig(extraYaml = '', itemsYaml = TEAM_ITEMS_YAML): HandoffConfig {
  return parseConfig(teamConfigYaml(extraYaml, itemsYaml), 'team-config.yaml', {});
}

/** The YAML of teamConfig, as a person would write it in handoff.config.yaml. */
export function teamConfigYaml(extraYaml = '', itemsYaml = TEAM_ITEMS_YAML, secret = `"${TEST_SECRET}"`): string {
  return `
thrivecart:
  account: ${TEST_ACCOUNT}
  secret: ${secret}
offerings:
  - { id: inner-circle, name: Inner Circle, accessTag: "Inner Circle - Access", revokeTag: "Inner Circle - Revoke" }
items:${itemsYaml}
dunning:
  default:
    failedTag: "Payment Failed"
    reminders: [0, 3]
    graceDays: 14
${extraYaml}`;
}

/** Ada Lovelace buys the monthly team plan (product-50) in order 9901: she pays for and leads the team it opens. */
export async function buyTeamPlanAsAda(handoff: TestHandoff): ReturnType<TestHandoff['send']> {
  return handoff.send('purchase', {
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    item: 'product-50',
    recurring: true,
    orderId: '9901',
  });
}

/** The access API's answer for one person. */
export async function accessOf(
  handoff: TestHandoff,
  email: string,
  offering = 'inner-circle',
): Promise<{ granted: boolean; until: string | null; reason: string }> {
  const response = await handoff.api<{ granted: boolean; until: string | null; reason: string }>(
    `/api/access?email=${encodeURIComponent(email)}&offering=${offering}`,
  );
  return response.body;
}

/** The tags the ledger wants a contact to carry, sorted. */
export async function ledgerTags(handoff: TestHandoff, email: string): Promise<string[]> {
  const result = await handoff.runtime.ctx.pool.query<{ tags: string[] }>(
    `select array(select jsonb_object_keys(ledger->'tags') order by 1) as tags from contacts where email = $1`,
    [email],
  );
  return result.rows[0]?.tags ?? [];
}
