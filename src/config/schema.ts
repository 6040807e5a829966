import { z } from 'zod';
import { ITEM_TYPES } from '../core/events.ts';

/** `product-12`, `bump-12`, `upsell-2`, `downsell-5`: the keys ThriveCart uses in purchase_map. */
const itemKeySchema = z
  .string()
  .regex(
    new RegExp(`^(${ITEM_TYPES.join('|')})-[0-9]+$`),
    'expected a ThriveCart item key such as product-12, bump-12, upsell-2 or downsell-5',
  );

const tagSchema = z.string().trim().min(1, 'expected a non-empty tag name').max(255);

export const offeringSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id such as focus-course'),
    name: z.string().min(1),
    accessTag: tagSchema,
    revokeTag: tagSchema,
  })
  .strict();

export const itemSchema = z
  .object({
    item: itemKeySchema,
    /** Extra tags applied while the purchase stands (removed again by a full refund). */
    tags: z.array(tagSchema).default([]),
    /** Offering ids this item grants. */
    grants: z.array(z.string()).default([]),
    /** What a cancellation does to access: keep it until the paid period ends, or end it now. */
    onCancel: z.enum(['end-of-period', 'immediately']).default('end-of-period'),
    /** What a full refund does. */
    onRefund: z.enum(['revoke', 'record']).default('revoke'),
    /** What a partial refund does. */
    onPartialRefund: z.enum(['revoke', 'record']).default('record'),
    /** What a paused subscription does to access until it resumes. */
    onPause: z.enum(['revoke', 'keep']).default('revoke'),
    /** Dunning policy name for failed payments, or `none`. Defaults to the `default` policy when one exists. */
    dunning: z.string().optional(),
    /** Tag applied when the last instalment of a payment plan is paid. */
    paidInFullTag: tagSchema.optional(),
  })
  .strict();

export const dunningPolicySchema = z
  .object({
    /** Applied while a payment is failing; removed when it is paid or the subscription ends. */
    failedTag: tagSchema.optional(),
    /** Days after the first failure on which a reminder e-mail goes out. */
    reminders: z.array(z.number().int().min(0).max(365)).default([0, 3, 7]),
    /** Days after the first failure during which access continues. */
    graceDays: z.number().int().min(0).max(365).default(14),
    /** Card-update link in reminders; defaults to https://<account>.thrivecart.com/updateinfo/. */
    cardUpdateUrl: z.url().optional(),
    /** E-mail address told when a case is lost. */
    notifyOwner: z.email().optional(),
    /** Send a short "you're all set" e-mail when a failing payment is recovered. */
    recoveredEmail: z.boolean().default(true),
  })
  .strict();

/** Outgoing e-mail (dunning reminders). Without `smtp`, e-mails are written to the log instead of sent. */
export const mailSchema = z
  .object({
    /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`; empty (e.g. an unset `${SMTP_URL:-}`) means none. */
    smtp: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.url({ protocol: /^smtps?$/, error: 'expected an smtp:// or smtps:// URL such as smtp://user:password@smtp.example.com:587' }).optional(),
    ),
    /** Sender, e.g. "Your School <hello@example.com>". */
    from: z.string().trim().min(1, 'expected a sender such as "Your School <hello@example.com>"'),
    /** Folder with your own versions of the e-mail templates; files missing there fall back to the shipped ones. */
    templatesDir: z.string().min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    thrivecart: z
      .object({
        account: z.string().min(1, 'expected your ThriveCart account name (the subdomain)'),
        secret: z.string().min(1, 'expected the ThriveCart secret word (Settings > API & Webhooks)'),
        testMode: z.enum(['ignore', 'process']).default('ignore'),
      })
      .strict(),
    offerings: z.array(offeringSchema).default([]),
    items: z.array(itemSchema).default([]),
    dunning: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case policy name'), dunningPolicySchema).default({}),
    mail: mailSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const offeringIds = new Set<string>();
    const tagOwners = new Map<string, string>();
    config.offerings.forEach((offering, index) => {
      if (offeringIds.has(offering.id)) {
        ctx.addIssue({ code: 'custom', path: ['offerings', index, 'id'], message: `duplicate offering id "${offering.id}"` });
      }
      offeringIds.add(offering.id);
      if (offering.accessTag === offering.revokeTag) {
        ctx.addIssue({ code: 'custom', path: ['offerings', index, 'revokeTag'], message: 'the revoke tag must differ from the access tag' });
      }
      for (const field of ['accessTag', 'revokeTag'] as const) {
        const tag = offering[field];
        const owner = tagOwners.get(tag);
        if (owner !== undefined && owner !== offering.id) {
          ctx.addIssue({
            code: 'custom',
            path: ['offerings', index, field],
            message: `tag "${tag}" is already used by offering "${owner}"; each offering needs its own tags, or one revocation would hide another offering`,
          });
        }
        tagOwners.set(tag, offering.id);
      }
    });
    const items = new Set<string>();
    config.items.forEach((item, index) => {
      if (items.has(item.item)) {
        ctx.addIssue({ code: 'custom', path: ['items', index, 'item'], message: `duplicate item "${item.item}"; list each ThriveCart item once` });
      }
      items.add(item.item);
      item.grants.forEach((grant, grantIndex) => {
        if (!offeringIds.has(grant)) {
          ctx.addIssue({
            code: 'custom',
            path: ['items', index, 'grants', grantIndex],
            message: `unknown offering "${grant}"; known offerings: ${[...offeringIds].join(', ') || '(none)'}`,
          });
        }
      });
      if (item.dunning !== undefined && item.dunning !== 'none' && !(item.dunning in config.dunning)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'dunning'],
          message: `unknown dunning policy "${item.dunning}"; known policies: ${Object.keys(config.dunning).join(', ') || '(none)'}, or none`,
        });
      }
      item.tags.forEach((tag, tagIndex) => {
        const owner = tagOwners.get(tag);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['items', index, 'tags', tagIndex],
            message: `tag "${tag}" is offering "${owner}"'s access or revoke tag; grant the offering instead`,
          });
        }
      });
    });
  });

export type HandoffConfig = z.infer<typeof configSchema>;
export type OfferingConfig = z.infer<typeof offeringSchema>;
export type ItemConfig = z.infer<typeof itemSchema>;
export type DunningPolicy = z.infer<typeof dunningPolicySchema>;
