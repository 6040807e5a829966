import { z } from 'zod';

export const ontraportOptionsSchema = z.object({
  provider: z.literal('ontraport'),
  baseUrl: z.url().default('https://api.ontraport.com'),
  /** `Api-Appid`: identifies the account, which the 180/min budget is counted against. */
  appId: z.string().min(1),
  apiKey: z.string().min(1),
});

export type OntraportOptions = z.output<typeof ontraportOptionsSchema>;
