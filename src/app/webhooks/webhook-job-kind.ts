/** Sends one webhook message to one endpoint; keyed by the webhook_deliveries id. */
export const WEBHOOK_DELIVERY_JOB = 'webhook.deliver';
