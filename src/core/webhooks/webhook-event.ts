/** The events Handoff sends to membership sites (Standard Webhooks `type`). */
export const WEBHOOK_EVENT_TYPES = [
  'access.granted',
  'access.revoked',
  'contact.updated',
  'dunning.opened',
  'dunning.closed',
  'team.member_added',
  'team.member_removed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event about one contact, before it becomes a message: `data` is the JSON a site receives. */
export interface WebhookEvent {
  type: WebhookEventType;
  contactId: number;
  data: Record<string, unknown>;
}
