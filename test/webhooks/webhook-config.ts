import type { HandoffConfig } from '../../src/config/schema.ts';
import { testConfig } from '../support/test-config.ts';

/** The Standard Webhooks known-answer secret; any 24–64 byte whsec_ works. */
export const SITE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The usual test configuration plus one configuration-file endpoint (trusted: loopback is fine). */
export function configWithEndpoint(
  url: string,
  extra: { events?: string; allowPrivateNetworks?: boolean } = {},
): HandoffConfig {
  return testConfig(`webhooks:
  allowPrivateNetworks: ${extra.allowPrivateNetworks ?? false}
  endpoints:
    - name: members-site
      url: "${url}"
      secret: ${SITE_SECRET}
      events: ${extra.events ?? 'all'}
`);
}

/** Parses a received body. */
export function eventOf(body: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  return JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };
}
