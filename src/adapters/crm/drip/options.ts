import { z } from 'zod';

export const dripOptionsSchema = z.object({
  provider: z.literal('drip'),
  baseUrl: z.url().default('https://api.getdrip.com'),
  /** Goes in every path (`/v2/{accountId}/...`), not in the host. */
  accountId: z.string().min(1),
  /** Private-integration API token, sent as the Basic-auth user name with an empty password. */
  apiToken: z.string().min(1),
});

export type DripOptions = z.output<typeof dripOptionsSchema>;
