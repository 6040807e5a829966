import { retryAfterMs } from './retry-schedule.ts';

export type DeliveryVerdict =
  | { kind: 'delivered' }
  /** 410: the receiver says the endpoint is gone for good; it is disabled. */
  | { kind: 'gone'; error: string }
  /** Anything else failed; `waitMs` is the receiver's Retry-After when it throttled us. */
  | { kind: 'retry'; error: string; waitMs: number | null };

export interface ReceiverAnswer {
  statusCode: number;
  retryAfter: string | null;
  location: string | null;
  excerpt: string;
}

/**
 * What an HTTP answer means under Standard Webhooks: only 2xx is success; a 3xx is a failure (a
 * redirect is never followed, it could point anywhere); 410 disables the endpoint; 429 and 503
 * may say when to come back.
 */
export function judgeAnswer(answer: ReceiverAnswer, now: number): DeliveryVerdict {
  const { statusCode } = answer;
  if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered' };
  if (statusCode === 410)
    return { kind: 'gone', error: 'HTTP 410 Gone: the receiver retired this endpoint, so it was disabled' };
  if (statusCode >= 300 && statusCode < 400) {
    return {
      kind: 'retry',
      error: `HTTP ${statusCode} redirect${answer.location ? ` to ${answer.location}` : ''} not followed (webhooks never follow redirects)`,
      waitMs: null,
    };
  }
  const waitMs = statusCode === 429 || statusCode === 503 ? retryAfterMs(answer.retryAfter, now) : null;
  return { kind: 'retry', error: `HTTP ${statusCode}${answer.excerpt ? `: ${answer.excerpt}` : ''}`, waitMs };
}
