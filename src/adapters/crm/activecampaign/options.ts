import { z } from 'zod';

export const activeCampaignOptionsSchema = z
  .object({
    provider: z.literal('activecampaign'),
    /**
     * The API URL shown under Settings > Developer, taken verbatim: hosts differ per account and
     * cannot be built from the account name, so there is no default. A pasted `/api/3` is dropped.
     */
    baseUrl: z.url().transform((url) => url.replace(/\/+$/, '').replace(/\/api\/3$/, '')),
    /** The "API Key" of Settings > Developer (ActiveCampaign's own name for it). */
    apiKey: z.string().min(1).optional(),
    /** The name earlier versions of Handoff used for the same key; still accepted. */
    apiToken: z.string().min(1).optional(),
  })
  .superRefine((options, ctx) => {
    if (options.apiKey === undefined && options.apiToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiKey'],
        message: 'missing; expected the API Key shown under Settings > Developer',
      });
    }
  });

export type ActiveCampaignOptions = z.output<typeof activeCampaignOptionsSchema>;

/** The key, under whichever name the config gave it (the schema guarantees one). */
export function activeCampaignKey(options: ActiveCampaignOptions): string {
  return (options.apiKey ?? options.apiToken)!;
}
