/**
 * JSON schemas of the /api routes. They document the API (the OpenAPI document at
 * /api/openapi.json is generated from them) and validate parameters. Response objects allow
 * additional properties so the schemas describe the answers without ever trimming them.
 */

const nullableString = { type: ['string', 'null'] } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' } as const;

const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'machine-readable code' },
    message: { type: 'string', description: 'what went wrong, in words' },
  },
} as const;

function object(properties: Record<string, unknown>, description?: string): Record<string, unknown> {
  return { type: 'object', additionalProperties: true, properties, ...(description ? { description } : {}) };
}

const accessAnswer = object(
  {
    granted: { type: 'boolean' },
    until: {
      ...nullableIsoTime,
      description: 'when granted access is scheduled to end; null when open-ended or not granted',
    },
    reason: { type: 'string', description: 'why, in plain words' },
  },
  'Access to one offering now',
);

const delivery = object({
  id: { type: 'integer' },
  source: { type: 'string', description: 'thrivecart, or console for changes made by hand' },
  receivedAt: { type: 'number', description: 'epoch milliseconds' },
  eventName: { type: 'string' },
  occurredAt: { type: ['number', 'null'], description: 'epoch milliseconds (event time at ThriveCart)' },
  live: { type: 'boolean' },
  status: { type: 'string', enum: ['applied', 'ignored', 'failed', 'rejected', 'erased'] },
  reason: nullableString,
  contactId: { type: ['integer', 'null'] },
});

const emailParam = {
  type: 'object',
  required: ['email'],
  properties: { email: { type: 'string', description: "the contact's email" } },
} as const;
const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'numeric id' } },
} as const;
const notFound = { 404: errorBody } as const;

export const apiSchemas = {
  contact: {
    tags: ['contacts'],
    summary: 'Who has what, and why',
    params: emailParam,
    response: {
      200: object({
        email: { type: 'string' },
        name: nullableString,
        thrivecartCustomerId: nullableString,
        tags: {
          type: 'array',
          items: object({
            name: { type: 'string' },
            since: isoTime,
            why: { type: 'string' },
            deliveryId: { type: ['integer', 'null'] },
          }),
        },
        access: {
          type: 'array',
          items: object({
            offering: { type: 'string' },
            offeringName: { type: 'string' },
            granted: { type: 'boolean' },
            until: nullableIsoTime,
            reason: { type: 'string' },
          }),
        },
      }),
      ...notFound,
    },
  },
  timeline: {
    tags: ['contacts'],
    summary: "A contact's events, tag changes and e-mails, oldest first",
    params: emailParam,
    response: {
      200: object({
        email: { type: 'string' },
        timeline: {
          type: 'array',
          items: object({
            at: isoTime,
            summary: { type: 'string' },
            deliveryId: { type: ['integer', 'null'] },
            tagChanges: { type: 'array', items: object({}) },
            accessChanges: { type: 'array', items: object({}) },
          }),
        },
      }),
      ...notFound,
    },
  },
  access: {
    tags: ['access'],
    summary: 'Whether an email has access to an offering now (for membership sites)',
    querystring: {
      type: 'object',
      properties: {
        email: { type: 'string' },
        offering: { type: 'string', description: 'an offering id from the configuration' },
      },
    },
    response: { 200: accessAnswer, 400: errorBody, 404: errorBody },
  },
  dunning: {
    tags: ['dunning'],
    summary: 'Dunning cases (failed payments) with their e-mails and next step',
    querystring: {
      type: 'object',
      properties: { state: { type: 'string', description: 'open (default) or closed' }, limit: { type: 'string' } },
    },
    response: {
      200: object({ state: { type: 'string' }, cases: { type: 'array', items: object({}) } }),
      400: errorBody,
    },
  },
  deliveries: {
    tags: ['deliveries'],
    summary: 'Stored deliveries, newest first',
    querystring: {
      type: 'object',
      properties: {
        status: { type: 'string', description: 'applied, ignored, failed or rejected' },
        limit: { type: 'string' },
        before: { type: 'string', description: 'only ids below this one (paging)' },
      },
    },
    response: { 200: object({ deliveries: { type: 'array', items: delivery } }), 400: errorBody },
  },
  delivery: {
    tags: ['deliveries'],
    summary: 'One delivery: outcome, parsed body (secret removed) and the event Handoff understood',
    params: idParam,
    response: {
      200: object({
        ...(delivery.properties as Record<string, unknown>),
        body: object({}),
        event: { type: ['object', 'null'], additionalProperties: true },
      }),
      ...notFound,
    },
  },
  replay: {
    tags: ['deliveries'],
    summary: 'Apply a stored delivery again (after fixing what made it fail)',
    params: idParam,
    response: {
      200: object({
        deliveryId: { type: 'integer' },
        previousStatus: { type: 'string' },
        status: { type: 'string' },
        reason: nullableString,
      }),
      ...notFound,
    },
  },
  webhookEndpoints: {
    tags: ['webhooks'],
    summary: 'Outbound webhook endpoints (configuration and console/API ones)',
    response: { 200: object({ endpoints: { type: 'array', items: object({}) } }) },
  },
  addWebhookEndpoint: {
    tags: ['webhooks'],
    summary: 'Add an endpoint; its signing secret is returned once',
    // Documented, not constrained: the route answers malformed bodies with its own message.
    body: object({
      url: { description: 'https:// URL of the receiver (private and loopback addresses are refused)' },
      name: { description: 'a label (optional)' },
      events: {
        description:
          '"all" (default) or a list: access.granted, access.revoked, contact.updated, dunning.opened, dunning.closed, team.member_added, team.member_removed',
      },
    }),
    response: { 201: object({ endpoint: object({}), secret: { type: 'string' } }), 400: errorBody },
  },
  removeWebhookEndpoint: {
    tags: ['webhooks'],
    summary: 'Remove an endpoint added through the console or API',
    params: idParam,
    response: { 204: { type: 'null', description: 'removed' }, ...notFound },
  },
  webhookDeliveries: {
    tags: ['webhooks'],
    summary: 'Recent outbound webhook deliveries with attempts',
    querystring: { type: 'object', properties: { limit: { type: 'string' }, endpoint: { type: 'string' } } },
    response: { 200: object({ deliveries: { type: 'array', items: object({}) } }) },
  },
  problems: {
    tags: ['operations'],
    summary: 'Dead-lettered jobs (with their cause) and paused CRM connections',
    response: { 200: object({}) },
  },
  retryJob: {
    tags: ['operations'],
    summary: 'Queue a dead-lettered job again (or "all")',
    params: idParam,
    response: {
      200: object({ requeued: { type: 'array', items: { type: 'integer' } } }),
      400: errorBody,
      404: errorBody,
    },
  },
} as const;
