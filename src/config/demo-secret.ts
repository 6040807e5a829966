import { BlockList, isIP } from 'node:net';
import { ConfigError } from './config-error.ts';

/** The secret word of the shipped demo configuration: public, so it proves nothing about a sender. */
export const DEMO_SECRET = 'demo-secret-change-me';

/**
 * Demo mode is the shipped secret word on a Handoff nobody else can reach: listening on a loopback
 * address only and not declared production. Anywhere else the demo word would let anyone who has
 * read the README send purchases, so Handoff refuses to start with it.
 */
export function usesDemoSecret(thrivecart: { secret: string }): boolean {
  return thrivecart.secret === DEMO_SECRET;
}

export function refuseDemoSecretBeyondLocalhost(
  thrivecart: { secret: string },
  listen: { host: string; nodeEnv: string | undefined },
): void {
  if (!usesDemoSecret(thrivecart)) return;
  const why =
    listen.nodeEnv === 'production'
      ? 'NODE_ENV is production'
      : isLoopbackHost(listen.host)
        ? null
        : `it would listen on ${listen.host}, beyond this computer`;
  if (why === null) return;
  throw new ConfigError(
    `Refusing to start: the ThriveCart secret word is the public demo value "${DEMO_SECRET}" and ${why}. ` +
      'Anyone could send purchases with it. Set THRIVECART_SECRET (or thrivecart.secret in the configuration) to your secret word ' +
      '(ThriveCart: Settings > API & Webhooks > ThriveCart API), or, to try Handoff on this computer only, leave HOST unset (it defaults to 127.0.0.1).',
  );
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `localhost`, 127.x.x.x, ::1 (and the IPv4-mapped form): addresses only this computer can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  const version = isIP(bare);
  return version !== 0 && LOOPBACK.check(bare, version === 4 ? 'ipv4' : 'ipv6');
}
