/** JSON schemas of the /api/teams routes (docs/api.md, "Teams"); the OpenAPI document is generated from them. */

const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const team = {
  type: 'object',
  additionalProperties: true,
  description: 'A team pool; GET /api/teams/{id} adds the whole explanation (seat sources, entitlement, leader, payer)',
  properties: {
    id: { type: 'integer' },
    item: { type: 'string', description: 'the team item key, e.g. product-40' },
    orderId: { type: 'string', description: 'the order that bought it' },
    offerings: { type: 'array', items: { type: 'string' }, description: 'offering ids members get' },
    seats: { type: 'integer' },
    seatsUsed: { type: 'integer' },
    members: { type: 'array', items: { type: 'string' }, description: 'e-mail addresses holding a seat now' },
    leader: { type: ['string', 'null'], description: "the leader's e-mail" },
  },
} as const;

const teamParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'team id' } },
} as const;

const emailBody = {
  type: 'object',
  additionalProperties: true,
  properties: { email: { description: 'an e-mail address' } },
} as const;

export const teamApiSchemas = {
  teams: {
    tags: ['teams'],
    summary: 'Team pools, oldest first; ?leader=<email> for those one person leads',
    querystring: { type: 'object', properties: { leader: { type: 'string' } } },
    response: { 200: { type: 'array', items: team } },
  },
  team: {
    tags: ['teams'],
    summary: 'One team pool, with why its members have access',
    params: teamParam,
    response: { 200: team, 404: errorBody },
  },
  leaderLink: {
    tags: ['teams'],
    summary: "The leader's current link to the team page, as e-mailed to them (a credential: it manages the team)",
    params: teamParam,
    response: {
      200: {
        type: 'object',
        required: ['teamId', 'leader', 'url'],
        properties: {
          teamId: { type: 'integer' },
          leader: { type: 'string', description: "the leader's e-mail" },
          url: { type: 'string', description: 'https://<public address>/team/<signed token>' },
        },
      },
      404: errorBody,
      409: errorBody,
    },
  },
  addMember: {
    tags: ['teams'],
    summary: 'Give an e-mail address a seat (409 when no seat is free)',
    params: teamParam,
    body: emailBody,
    response: { 201: team, 400: errorBody, 404: errorBody, 409: errorBody },
  },
  removeMember: {
    tags: ['teams'],
    summary: 'End a member’s seat; the seat is free again',
    params: {
      type: 'object',
      required: ['id', 'email'],
      properties: { id: { type: 'string' }, email: { type: 'string' } },
    },
    response: { 204: { type: 'null', description: 'removed' }, 400: errorBody, 404: errorBody },
  },
  resize: {
    tags: ['teams'],
    summary: 'Set the number of seats (never evicts: lowering below the members only stops new ones)',
    params: teamParam,
    body: { type: 'object', additionalProperties: true, properties: { seats: { description: '0 to 10000' } } },
    response: { 200: team, 400: errorBody, 404: errorBody },
  },
  moveLeader: {
    tags: ['teams'],
    summary: 'Make another person the leader, without a new purchase',
    params: teamParam,
    body: emailBody,
    response: { 200: team, 400: errorBody, 404: errorBody, 409: errorBody },
  },
} as const;
