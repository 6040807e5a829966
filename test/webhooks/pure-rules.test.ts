import { describe, expect, it } from 'vitest';
import { accessFlips } from '../../src/core/webhooks/access-events.ts';
import { whyForbiddenAddress } from '../../src/core/webhooks/address-policy.ts';
import { dunningTransition } from '../../src/core/webhooks/dunning-transition.ts';
import { MAX_ATTEMPTS, retryAfterMs, retryDelay } from '../../src/core/webhooks/retry-schedule.ts';

describe('address policy', () => {
  it.each([
    '127.0.0.1',
    '10.255.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.127.255.254',
    '0.0.0.0',
    '::1',
    '::',
    '::ffff:7f00:1',
    '::ffff:8.8.8.8',
    '64:ff9b::a00:1',
    'fd12::1',
    'fe80::1',
    'ff02::1',
  ])('forbids %s', (address) => expect(whyForbiddenAddress(address)).not.toBeNull());
  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111'])('allows %s', (address) =>
    expect(whyForbiddenAddress(address)).toBeNull(),
  );
});

describe('retry schedule', () => {
  it('follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h within ±20 % jitter, then gives up', () => {
    const base = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    base.forEach((delay, index) => {
      expect(retryDelay(index + 1, 0)).toBe(delay * 0.8);
      expect(retryDelay(index + 1, 0.5)).toBe(delay);
      expect(retryDelay(index + 1, 0.999_999)).toBeLessThanOrEqual(delay * 1.2);
    });
    expect(retryDelay(MAX_ATTEMPTS, 0.5)).toBeNull();
    expect(MAX_ATTEMPTS).toBe(8);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at a day', () => {
    const now = Date.parse('2026-11-02T09:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 02 Nov 2026 09:05:00 GMT', now)).toBe(300_000);
    expect(retryAfterMs('9999999', now)).toBe(86_400_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});

describe('which events a change makes', () => {
  const entry = (offering: string, granted: boolean) => ({
    offering,
    granted,
    until: null,
    reason: granted ? 'bought' : 'refunded',
  });
  it('announces flips of granted access only', () => {
    expect(
      accessFlips(
        [entry('a', true), entry('b', false), entry('c', true)],
        [entry('a', true), entry('b', true), entry('c', false)],
      ),
    ).toEqual([
      { type: 'access.granted', entry: entry('b', true) },
      { type: 'access.revoked', entry: entry('c', false) },
    ]);
    expect(accessFlips([entry('gone', true)], [])).toEqual([
      { type: 'access.revoked', entry: { ...entry('gone', true), granted: false } },
    ]);
  });

  it('announces a dunning case opening, and closing only when it was announced open', () => {
    expect(dunningTransition(null, 'open')).toBe('dunning.opened');
    expect(dunningTransition('open', 'open')).toBeNull();
    expect(dunningTransition('open', 'recovered')).toBe('dunning.closed');
    expect(dunningTransition('lost', 'recovered-after-loss')).toBe('dunning.closed');
    expect(dunningTransition(null, 'recovered')).toBeNull();
  });
});
