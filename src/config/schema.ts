import { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { isTimeZone, timeZoneProblem } from './time-zone.ts';
import { ITEM_TYPES } from '../core/events.ts';
import { WEBHOOK_EVENT_TYPES } from '../core/webhooks/webhook-event.ts';
import {
  crmOptionsSchemas,
  crmProviderNames,
  type CrmOptionsSchema,
  type CrmOptionsSchemas,
} from '../adapters/crm/registry.ts';
import { accessAllyCallShapeFor } from '../adapters/accessally/accessally-request.ts';

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

/** Seats of a team item: one number, or one per pricing option (ThriveCart's `payment_plan_id`). */
const seatCountSchema = z.number().int().min(1, 'expected at least 1 seat').max(10_000);

/** Says what is wrong with the shape the person wrote (a number, or seats per pricing option), not "invalid input". */
function seatsError(issue: {
  input?: unknown;
  errors?: { message: string; issues?: { message: string }[] }[][];
}): string {
  const option = typeof issue.input === 'number' ? 0 : typeof issue.input === 'object' && issue.input !== null ? 1 : -1;
  const first = option === -1 ? undefined : issue.errors?.[option]?.[0];
  const inner = first?.issues?.[0]?.message ?? first?.message;
  const example = 'a number of seats such as 5, or seats per pricing option such as { "78572": 5, "78573": 20 }';
  return inner === undefined ? `expected ${example}` : `${inner} (${example})`;
}

/** A team item: its purchase opens a pool of seats the buyer (the leader) gives to members (docs/teams.md). */
export const teamSchema = z
  .object({
    seats: z.union(
      [
        seatCountSchema,
        z.record(
          z.string().regex(/^[0-9]+$/, 'expected a ThriveCart pricing option id such as 78572'),
          seatCountSchema,
        ),
      ],
      { error: seatsError },
    ),
    /** Whether the buyer uses one of the seats (and is then a member of their own team). */
    leaderTakesSeat: z.boolean().default(false),
  })
  .strict();

/** Extra seats sold as their own item (a bump or upsell) for the pool of another, team, item. */
export const addsSeatsSchema = z
  .object({
    to: itemKeySchema,
    seats: seatCountSchema,
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
    /** A subscription ThriveCart says nothing about (no renewal, failure or cancellation) for thrivecart.silentAfterDays after its payment was due: keep access (shown as a problem) or revoke. */
    onSilence: z.enum(['keep', 'revoke']).default('keep'),
    /** Dunning policy name for failed payments, or `none`. Defaults to the `default` policy when one exists. */
    dunning: z.string().optional(),
    /** Tag applied when the last instalment of a payment plan is paid. */
    paidInFullTag: tagSchema.optional(),
    /** Makes this item a team plan: its purchase opens a pool of seats (docs/teams.md). */
    team: teamSchema.optional(),
    /** This item adds seats to the buyer's pool of another item (docs/teams.md). */
    addsSeats: addsSeatsSchema.optional(),
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
  .strict()
  .superRefine((policy, ctx) => {
    // A reminder on or after the end of grace is never sent (access has ended): say so now, not silently later.
    policy.reminders.forEach((day, index) => {
      if (day >= policy.graceDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['reminders', index],
          message: `a reminder on day ${day} falls on or after the end of the ${policy.graceDays}-day grace period, so it would never be sent; use days below ${policy.graceDays}, or raise graceDays`,
        });
      }
    });
  });

/** Outgoing e-mail (dunning reminders). Without `smtp`, e-mails are written to the log instead of sent. */
export const mailSchema = z
  .object({
    /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`; empty (e.g. an unset `${SMTP_URL:-}`) means none. */
    smtp: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z
        .url({
          protocol: /^smtps?$/,
          error: 'expected an smtp:// or smtps:// URL such as smtp://user:password@smtp.example.com:587',
        })
        .optional(),
    ),
    /** Sender, e.g. "Your School <hello@example.com>". */
    from: z.string().trim().min(1, 'expected a sender such as "Your School <hello@example.com>"'),
    /** Folder with your own versions of the e-mail templates; files missing there fall back to the shipped ones. */
    templatesDir: z.string().min(1).optional(),
  })
  .strict();

const crmNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name such as kit or ac-main');

/** A provider's options plus `name`, which identifies the connector in jobs, the CLI and the API. */
function namedCrm<Shape extends z.ZodRawShape>(options: z.ZodObject<Shape>) {
  return options.extend({ name: crmNameSchema.optional() }).strict();
}

type Named<Schemas extends readonly CrmOptionsSchema[]> = {
  [Index in keyof Schemas]: Schemas[Index] extends z.ZodObject<infer Shape>
    ? ReturnType<typeof namedCrm<Shape>>
    : never;
};

/** One `crm:` entry per provider of the registry's list; `name` defaults to the provider. */
export const crmEntrySchema = z
  .discriminatedUnion(
    'provider',
    // The map keeps the order, so each position holds the type the mapped tuple type says.
    crmOptionsSchemas().map((schema: CrmOptionsSchema) => namedCrm(schema)) as unknown as Named<CrmOptionsSchemas>,
    { error: `expected provider: ${crmProviderNames.join(', ')}` },
  )
  .transform((entry) => ({ ...entry, name: entry.name ?? entry.provider }));

/** AccessAlly: after tags reach the CRM, POST its webhooks so the WordPress user is created or refreshed (docs/accessally.md). */
export const accessAllySchema = z
  .object({
    /** The aal_updateuser URL (AccessAlly > General Settings > Initial Setup): refreshes an existing user's tags. */
    webhookUrl: z.url({
      protocol: /^https?$/,
      error: 'expected the AccessAlly webhook URL, e.g. https://yoursite.example/?...aal_updateuser',
    }),
    /** The aal_genpass URL: creates the WordPress user (and a password) for a person's first access. */
    newUserWebhookUrl: z
      .url({
        protocol: /^https?$/,
        error: 'expected the AccessAlly webhook URL, e.g. https://yoursite.example/?...aal_genpass',
      })
      .optional(),
    /** Which `crm:` entry AccessAlly reads tags from (its name); may be left out when there is one. */
    crm: crmNameSchema.optional(),
    /**
     * Form field carrying the contact's id in that CRM; defaults to what the CRM's own automation
     * sends (ActiveCampaign, Keap). Refused for Ontraport and Kit, whose calls have no field names.
     */
    contactIdField: z.string().min(1).optional(),
    /** Form field carrying the e-mail address (ActiveCampaign, Keap only, as contactIdField). */
    emailField: z.string().min(1).optional(),
  })
  .strict();

/** The web console (served at /). The admin token always logs in; a password is an easier alternative. */
export const consoleSchema = z
  .object({
    /** A password for the console login, e.g. ${HANDOFF_CONSOLE_PASSWORD}; at least 12 characters. */
    password: z.string().min(12, 'expected a password of at least 12 characters').optional(),
    /** The time zone times are shown in (IANA name, e.g. Europe/Paris); defaults to the server's. */
    timeZone: z
      .string()
      .optional()
      .superRefine((zone, check) => {
        if (zone !== undefined && !isTimeZone(zone)) check.addIssue({ code: 'custom', message: timeZoneProblem(zone) });
      }),
  })
  .strict();

/** A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes (one per endpoint). */
const webhookSecretSchema = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]+={0,2}$/,
    'expected a secret such as whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw (whsec_ + base64)',
  )
  .refine((secret) => {
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'expected 24 to 64 random bytes after whsec_ (e.g. `openssl rand -base64 32`)');

/** One membership site receiving signed webhooks. The operator wrote it, so any address may be used. */
export const webhookEndpointSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name such as members-site'),
    url: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL that receives the webhooks' }),
    secret: webhookSecretSchema,
    /** Event types to send, or `all`. */
    events: z.union([z.literal('all'), z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1)]).default('all'),
  })
  .strict();

/** Signed webhooks out (Standard Webhooks) for membership sites other than AccessAlly. */
export const webhooksSchema = z
  .object({
    endpoints: z.array(webhookEndpointSchema).default([]),
    /** Lets endpoints added in the console or API use http:// and private, loopback or link-local addresses. */
    allowPrivateNetworks: z.boolean().default(false),
  })
  .strict()
  .superRefine((webhooks, ctx) => {
    const names = new Set<string>();
    webhooks.endpoints.forEach((endpoint, index) => {
      if (names.has(endpoint.name))
        ctx.addIssue({
          code: 'custom',
          path: ['endpoints', index, 'name'],
          message: `duplicate webhook endpoint name "${endpoint.name}"`,
        });
      names.add(endpoint.name);
    });
  });

/**
 * What creators paste: `yourschool`, `yourschool.thrivecart.com` or the whole
 * `https://yourschool.thrivecart.com/`; kept as the bare account name, as the webhook sends it.
 */
const thrivecartAccountSchema = z
  .string()
  .trim()
  .transform((text) =>
    text
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .replace(/\.thrivecart\.com$/i, ''),
  )
  .pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9-]*$/,
        'expected your ThriveCart account name, e.g. yourschool (or yourschool.thrivecart.com)',
      ),
  );

const HOUR_MS = 3_600_000;

/** `off`, or a period of at least an hour written as hours or days (`6h`, `1d`); kept as ms or null. */
const reconcileEverySchema = z
  .union([z.literal('off'), z.string().regex(/^\d+\s*[hd]$/, 'expected a period such as 12h or 1d, or off')])
  .transform((value) =>
    value === 'off' ? null : Number.parseInt(value, 10) * (value.endsWith('d') ? 24 : 1) * HOUR_MS,
  )
  .refine((ms) => ms === null || ms >= HOUR_MS, 'expected at least 1h between reconciles');

export const configSchema = z
  .object({
    thrivecart: z
      .object({
        account: thrivecartAccountSchema,
        secret: z.string().min(1, 'expected the ThriveCart secret word (Settings > API & Webhooks)'),
        testMode: z.enum(['ignore', 'process']).default('ignore'),
        /** ThriveCart API key (Settings > API & Webhooks > API tokens): enables `thrivecart import` and reconcile. Empty means none. */
        apiKey: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
        apiUrl: z.url({ protocol: /^https?$/ }).default('https://thrivecart.com/api/external'),
        /** Days after a subscription's payment was due with no word from ThriveCart before it is a problem. */
        silentAfterDays: z.number().int().min(1).max(365).default(7),
        /** How often the service reconciles with ThriveCart's API (needs apiKey): `12h`, `1d`, `7d`... or `off`. */
        reconcile: z
          .object({ every: reconcileEverySchema.prefault('1d') })
          .strict()
          .prefault({}),
      })
      .strict(),
    offerings: z.array(offeringSchema).default([]),
    items: z.array(itemSchema).default([]),
    dunning: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case policy name'), dunningPolicySchema)
      .default({}),
    mail: mailSchema.optional(),
    crm: z.array(crmEntrySchema).default([]),
    accessally: accessAllySchema.optional(),
    console: consoleSchema.optional(),
    webhooks: webhooksSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const offeringIds = new Set<string>();
    const tagOwners = new Map<string, string>();
    config.offerings.forEach((offering, index) => {
      if (offeringIds.has(offering.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['offerings', index, 'id'],
          message: `duplicate offering id "${offering.id}"`,
        });
      }
      offeringIds.add(offering.id);
      if (offering.accessTag === offering.revokeTag) {
        ctx.addIssue({
          code: 'custom',
          path: ['offerings', index, 'revokeTag'],
          message: 'the revoke tag must differ from the access tag',
        });
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
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'item'],
          message: `duplicate item "${item.item}"; list each ThriveCart item once`,
        });
      }
      items.add(item.item);
      item.grants.forEach((grant, grantIndex) => {
        if (!offeringIds.has(grant)) {
          ctx.addIssue({
            code: 'custom',
            path: ['items', index, 'grants', grantIndex],
            message: `unknown offering "${grant}"${didYouMean(grant, offeringIds)}; known offerings: ${[...offeringIds].join(', ') || '(none)'}`,
          });
        }
      });
      if (item.dunning !== undefined && item.dunning !== 'none' && !(item.dunning in config.dunning)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'dunning'],
          message: `unknown dunning policy "${item.dunning}"${didYouMean(item.dunning, Object.keys(config.dunning))}; known policies: ${Object.keys(config.dunning).join(', ') || '(none)'}, or none`,
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
    checkTeamItems(config.items, ctx);
    checkCrmNames(config, ctx);
    checkAccessAllyCrm(config, ctx);
  });

/** `addsSeats` must name a configured team item; an item is a team or adds seats, not both. */
function checkTeamItems(
  items: { item: string; grants: string[]; team?: unknown; addsSeats?: { to: string } | undefined }[],
  ctx: z.RefinementCtx,
): void {
  const teamItems = new Set(items.filter((item) => item.team !== undefined).map((item) => item.item));
  items.forEach((item, index) => {
    if (item.team !== undefined && item.grants.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['items', index, 'grants'],
        message: `team item "${item.item}" grants no offering, so its members would get nothing; list the offerings its members get under grants`,
      });
    }
    if (item.addsSeats === undefined) return;
    if (item.team !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['items', index, 'addsSeats'],
        message: `item "${item.item}" is a team item; it cannot also add seats to another team (sell the extra seats as their own item)`,
      });
    } else if (!teamItems.has(item.addsSeats.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['items', index, 'addsSeats', 'to'],
        message: `"${item.addsSeats.to}" is not a team item${didYouMean(item.addsSeats.to, teamItems)}; team items: ${[...teamItems].join(', ') || '(none: give an item a team: section first)'}`,
      });
    }
  });
}

/** AccessAlly's CRM must be one it works with, and the field overrides must apply to its call. */
function checkAccessAllyCrm(
  config: {
    crm: { name: string; provider: string }[];
    accessally?: { crm?: string | undefined; contactIdField?: string | undefined; emailField?: string | undefined };
  },
  ctx: z.RefinementCtx,
): void {
  const accessally = config.accessally;
  if (!accessally) return;
  const entries = config.crm.filter((entry) => entry.name === (accessally.crm ?? entry.name));
  // No such CRM, or several to choose from: checkCrmNames says so.
  if (entries.length !== 1) return;
  const shaped = accessAllyCallShapeFor(entries[0]!.provider, accessally);
  if ('problem' in shaped) {
    ctx.addIssue({
      code: 'custom',
      path: shaped.key === 'crm' && accessally.crm === undefined ? ['accessally'] : ['accessally', shaped.key],
      message: shaped.problem,
    });
  }
}

/** Connector names must be unique, and AccessAlly must name one of them (or have exactly one to use). */
function checkCrmNames(
  config: { crm: { name: string }[]; accessally?: { crm?: string | undefined } | undefined },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  config.crm.forEach((entry, index) => {
    if (names.has(entry.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['crm', index, 'name'],
        message: `duplicate CRM name "${entry.name}"; give each entry its own "name:" (e.g. kit-main, kit-old)`,
      });
    }
    names.add(entry.name);
  });
  const accessally = config.accessally;
  if (!accessally) return;
  if (accessally.crm === undefined) {
    if (names.size !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessally'],
        message:
          names.size === 0
            ? 'AccessAlly reads tags from your CRM: add a crm: entry first'
            : `say which CRM AccessAlly reads tags from: crm: one of ${[...names].join(', ')}`,
      });
    }
  } else if (!names.has(accessally.crm)) {
    ctx.addIssue({
      code: 'custom',
      path: ['accessally', 'crm'],
      message: `unknown CRM "${accessally.crm}"; configured: ${[...names].join(', ') || '(none)'}`,
    });
  }
}

export type HandoffConfig = z.infer<typeof configSchema>;
export type OfferingConfig = z.infer<typeof offeringSchema>;
export type ItemConfig = z.infer<typeof itemSchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
export type DunningPolicy = z.infer<typeof dunningPolicySchema>;
export type CrmEntryConfig = z.infer<typeof crmEntrySchema>;
export type AccessAllyConfig = z.infer<typeof accessAllySchema>;
export type WebhooksConfig = z.infer<typeof webhooksSchema>;
