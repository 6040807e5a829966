import { z } from 'zod';

/** The in-process reference CRM: no network, nothing persisted. For tests and dry runs. */
export const memoryOptionsSchema = z.object({
  provider: z.literal('memory'),
  /** Lets tests exercise the "wrong key" path exactly like a remote provider. */
  apiKey: z.string().min(1).default('memory'),
});

export type MemoryOptions = z.output<typeof memoryOptionsSchema>;
