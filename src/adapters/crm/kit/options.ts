import { z } from 'zod';

export const kitOptionsSchema = z.object({
  provider: z.literal('kit'),
  baseUrl: z.url().default('https://api.kit.com'),
  /** Only v4 is implemented; v3 (api_secret in query strings) is deprecated. */
  apiVersion: z.literal('v4').default('v4'),
  /** A v4 API key (`X-Kit-Api-Key`); its budget is 120 requests per rolling minute. */
  apiKey: z.string().min(1),
});

export type KitOptions = z.output<typeof kitOptionsSchema>;
