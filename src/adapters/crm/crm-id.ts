import { z } from 'zod';

/** Providers send ids as numbers or numeric strings, sometimes both in one API; ours are strings. */
export const crmIdSchema = z.union([z.string().min(1), z.number()]).transform(String);
