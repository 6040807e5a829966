import {
  BodyError,
  fieldAt,
  parseFormBody,
  parseJsonBody,
  type Fields,
} from '../../adapters/sources/thrivecart/parse-body.ts';
import { verifyThriveCart } from '../../adapters/sources/thrivecart/verify.ts';
import { redactSecret } from '../../adapters/sources/thrivecart/redact.ts';
import { thrivecartDedupKey } from '../../adapters/sources/thrivecart/dedup-key.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import {
  findDeliveryByDedupKey,
  insertDelivery,
  type DeliveryStatus,
  type NewDelivery,
} from '../../adapters/store/deliveries.ts';
import { insertDeliveryAndFindIdentity } from '../../adapters/store/identity.ts';
import { recordRefusedDelivery, type RefusalReason } from '../../adapters/store/refused-deliveries.ts';
import type { AppContext } from '../context.ts';
import { applyDelivery, withApplyTransaction } from './apply-delivery.ts';
import { identityLookupFor } from './resolve-contact.ts';
import { classifyThriveCartDelivery } from './classify-delivery.ts';
import { receiveNewBuyer } from './receive-new-buyer.ts';
import { contextForDelivery } from './simulated-delivery.ts';

export type BodyEncoding = 'form' | 'json';

/** What the sender is told. 2xx only once the delivery is committed. */
export type IntakeResult = (
  { httpStatus: 200; body: Answer } | { httpStatus: 400 | 401 | 422; body: { error: string; message: string } }
) & {
  /** The ThriveCart event name of an authentic delivery, for metrics; `other` for names we don't know, absent when unauthenticated. */
  eventName?: string;
};

/** The log and the setup page keep the precise reason; the sender only learns that it was refused. */
const REFUSED_DELIVERY_MESSAGE =
  'thrivecart_account and thrivecart_secret do not match this Handoff (compare them with the configuration)';

/** Event names kept as metric labels; anything else counts as `other` so labels stay few. */
const KNOWN_EVENTS = new Set([
  'order.success',
  'order.subscription_payment',
  'order.rebill_failed',
  'order.subscription_cancelled',
  'order.subscription_paused',
  'order.subscription_resumed',
  'order.refund',
  'customer_updated',
  'cart.abandoned',
]);

/**
 * Receives one ThriveCart delivery: parse, verify the secret word, store it (deduplicated, secret
 * removed) and apply it, all in one transaction, so when the sender gets its 2xx the access API
 * already answers the new state. Nothing is stored for a body that fails verification.
 */
export async function receiveThriveCartDelivery(
  ctx: AppContext,
  rawBody: string,
  encoding: BodyEncoding,
): Promise<IntakeResult> {
  let fields: Fields;
  try {
    fields = encoding === 'json' ? parseJsonBody(rawBody) : parseFormBody(rawBody);
  } catch (error) {
    if (error instanceof BodyError)
      return { httpStatus: 400, body: { error: 'malformed_body', message: error.message } };
    throw error;
  }
  const verification = verifyThriveCart(fields, ctx.config.thrivecart);
  if (!verification.ok) {
    ctx.log.warn({ reason: verification.reason }, 'ThriveCart delivery failed verification');
    await recordRefusal(ctx, verification.code, textAt(fields, 'thrivecart_account'));
    // One answer for every refusal: saying which field was wrong would let anyone confirm a guessed secret word on its own.
    return { httpStatus: 401, body: { error: 'unauthorized', message: REFUSED_DELIVERY_MESSAGE } };
  }

  const delivery = deliveryToStore(ctx, fields);
  const result = await storeDelivery(contextForDelivery(ctx, fields), delivery);

  const { eventName } = delivery;
  const metricEvent = KNOWN_EVENTS.has(eventName)
    ? eventName
    : eventName.startsWith('affiliate.')
      ? 'affiliate'
      : 'other';
  if (result.status === 'rejected') {
    return {
      httpStatus: 422,
      body: {
        error: 'unusable_delivery',
        message: `${result.reason ?? 'unusable delivery'} (stored as delivery ${result.deliveryId})`,
      },
      eventName: metricEvent,
    };
  }
  return { httpStatus: 200, body: result, eventName: metricEvent };
}

type Answer = { status: DeliveryStatus | 'duplicate'; deliveryId: number; reason: string | null };

/** An authentic delivery as it is stored: classified, its secret word removed. */
export function deliveryToStore(ctx: AppContext, fields: Fields): NewDelivery {
  const receivedAt = ctx.clock.now();
  const { status, reason, event } = classifyThriveCartDelivery(
    fields,
    receivedAt,
    ctx.rules,
    ctx.config.thrivecart.testMode,
  );
  return {
    source: 'thrivecart',
    dedupKey: thrivecartDedupKey(fields),
    receivedAt,
    eventName: textAt(fields, 'event') ?? '',
    occurredAt: event?.occurredAt ?? null,
    live: event?.live ?? textAt(fields, 'mode') !== 'test',
    body: redactSecret(fields),
    event,
    status,
    reason,
  };
}

/**
 * Stores a classified delivery and applies it when it is ours to apply. Purchases are tried as by
 * someone new first (receiveNewBuyer): in a launch they nearly always are. Renewals, refunds and
 * the rest nearly always name someone known, who would pay for the attempt with a wasted fold and
 * round trip; they, and purchases by people already known, take the ordinary path.
 */
async function storeDelivery(ctx: AppContext, delivery: NewDelivery): Promise<Answer> {
  const toApply = delivery.status === 'applied' ? delivery.event : null;
  const newBuyer = toApply?.kind === 'purchase' ? await receiveNewBuyer(ctx, delivery, toApply) : null;
  if (newBuyer?.kind === 'created') return { status: 'applied', deliveryId: newBuyer.deliveryId, reason: null };
  if (newBuyer?.kind === 'duplicate') return answerDuplicate(ctx.pool, delivery.dedupKey);
  return storeAndApply(ctx, delivery);
}

/**
 * The ordinary path: stores the delivery and, when it is ours to apply, applies it in the same
 * transaction (an event for nobody we serve is stored as classified, without locking anyone). A
 * failed apply is rolled back and the delivery stored as failed (withApplyTransaction).
 */
export function storeAndApply(ctx: AppContext, delivery: NewDelivery): Promise<Answer> {
  const toApply = delivery.status === 'applied' ? delivery.event : null;
  return withApplyTransaction(
    ctx,
    async (client): Promise<Answer> => {
      if (toApply === null) {
        const deliveryId = await insertDelivery(client, delivery);
        return deliveryId === null
          ? answerDuplicate(client, delivery.dedupKey)
          : { status: delivery.status, deliveryId, reason: delivery.reason };
      }
      const stored = await insertDeliveryAndFindIdentity(client, delivery, identityLookupFor(toApply.customer));
      if (stored === null) return answerDuplicate(client, delivery.dedupKey);
      const outcome = await applyDelivery(ctx, client, stored.deliveryId, toApply, stored.identity);
      return { status: outcome.status, deliveryId: stored.deliveryId, reason: outcome.reason };
    },
    async (client, failure): Promise<Answer> => {
      const deliveryId = await insertDelivery(client, { ...delivery, status: 'failed', reason: failure.message });
      return deliveryId === null
        ? answerDuplicate(client, delivery.dedupKey)
        : { status: 'failed', deliveryId, reason: failure.message };
    },
  );
}

async function answerDuplicate(db: Queryable, dedupKey: string): Promise<Answer> {
  const existing = await findDeliveryByDedupKey(db, dedupKey);
  return {
    status: 'duplicate',
    deliveryId: existing?.id ?? 0,
    reason: `already received (${existing?.status ?? 'unknown'})`,
  };
}

/**
 * Counts the refusal (no body, no secret) so the console and `doctor` can say why ThriveCart's
 * calls fail after a restart. A failure to count must not change the answer: the call is refused either way.
 */
async function recordRefusal(ctx: AppContext, code: RefusalReason, claimedAccount: string | null): Promise<void> {
  try {
    await recordRefusedDelivery(ctx.pool, ctx.clock.now(), code, claimedAccount);
  } catch (error) {
    ctx.log.error({ err: error }, 'could not count a refused ThriveCart delivery');
  }
}

function textAt(fields: Fields, key: string): string | null {
  const value = fieldAt(fields, [key]);
  return typeof value === 'string' ? value : null;
}
