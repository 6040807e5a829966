import { z } from 'zod';

export const KEAP_KEY_TYPES = ['pat', 'sak', 'oauth'] as const;
export type KeapKeyType = (typeof KEAP_KEY_TYPES)[number];

export const keapOptionsSchema = z.object({
  provider: z.literal('keap'),
  baseUrl: z.url().default('https://api.infusionsoft.com/crm/rest'),
  /**
   * Personal Access Token, Service Account Key, or OAuth access token. Picks the auth header
   * and the rate budget (PAT/SAK and OAuth are throttled differently).
   */
  keyType: z.enum(KEAP_KEY_TYPES),
  apiKey: z.string().min(1),
});

export type KeapOptions = z.output<typeof keapOptionsSchema>;
