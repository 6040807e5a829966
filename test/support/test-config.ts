import { parseConfig } from '../../src/config/load-config.ts';
import type { HandoffConfig } from '../../src/config/schema.ts';

export const TEST_ACCOUNT = 'focusschool';
export const TEST_SECRET = 'correct horse battery staple';

/**
 * The configuration most tests run with, as the YAML a user would write: a course (product-12)
 * with its order bump (bump-12, a different offering although it shares the number), an upsell,
 * and monthly memberships (product-40 with dunning, product-41 revoking at once on cancel).
 * `secret` is written as given (a quoted value, or a `${VAR}` reference for spawned processes).
 */
export function testConfigYaml(secret = `"${TEST_SECRET}"`, extraYaml = ''): string {
  return `
thrivecart:
  account: ${TEST_ACCOUNT}
  secret: ${secret}
  testMode: ignore
offerings:
  - { id: focus-course, name: Focus Course, accessTag: "Focus - Access", revokeTag: "Focus - Revoke" }
  - { id: focus-workbook, name: Focus Workbook, accessTag: "Workbook - Access", revokeTag: "Workbook - Revoke" }
  - { id: masterclass, name: Masterclass, accessTag: "Masterclass - Access", revokeTag: "Masterclass - Revoke" }
  - { id: community, name: Community, accessTag: "Community - Access", revokeTag: "Community - Revoke" }
items:
  - { item: product-12, tags: ["Bought Focus"], grants: [focus-course] }
  - { item: bump-12, grants: [focus-workbook] }
  - { item: upsell-2, grants: [masterclass], onPartialRefund: revoke }
  - { item: product-40, grants: [community], onCancel: end-of-period, dunning: default, paidInFullTag: "Community - Paid in full" }
  - { item: product-41, grants: [community], onCancel: immediately, dunning: none }
dunning:
  default:
    failedTag: "Payment Failed"
    reminders: [0, 3, 7]
    graceDays: 14
${extraYaml}`;
}

/** `testConfigYaml()` parsed; `extraYaml` is appended verbatim (top-level keys). */
export function testConfig(extraYaml = ''): HandoffConfig {
  return parseConfig(testConfigYaml(undefined, extraYaml), 'test-config.yaml', {});
}
