import { z } from 'zod';

export const activeCampaignOptionsSchema = z.object({
  provider: z.literal('activecampaign'),
  /**
   * The API URL shown under Settings > Developer, taken verbatim: hosts differ per account and
   * cannot be built from the account name, so there is no default. A pasted `/api/3` is dropped.
   */
  baseUrl: z.url().transform((url) => url.replace(/\/+$/, '').replace(/\/api\/3$/, '')),
  apiToken: z.string().min(1),
});

export type ActiveCampaignOptions = z.output<typeof activeCampaignOptionsSchema>;
