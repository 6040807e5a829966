import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../config/config-error.ts';

/** How the HTTP server treats its connections: whom it believes about the client, and how long it waits. */
export interface HttpSettings {
  /**
   * The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses, CIDR
   * ranges, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`); empty: nobody's.
   */
  trustedProxies: readonly string[];
  /** The whole request (headers and body) must arrive within this; a slow sender gets 408 and is closed. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed. */
  idleTimeoutMs: number;
  /** How often Node looks for requests past their timeout. */
  timeoutCheckIntervalMs: number;
  /** Open connections one client address may hold at once (trusted proxies are exempt). */
  maxConnectionsPerClient: number;
}

/**
 * Real ThriveCart deliveries and console forms arrive in well under a second; 30 s leaves room
 * for a slow phone network while a client that trickles a body (one byte every few seconds, to
 * hold connections open) is cut off. 256 connections per address leaves a membership site's
 * workers plenty for the access API.
 */
export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  trustedProxies: [],
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  idleTimeoutMs: 120_000,
  timeoutCheckIntervalMs: 5_000,
  maxConnectionsPerClient: 256,
};

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * HANDOFF_TRUST_PROXY: a comma-separated list of the proxies in front of Handoff, e.g.
 * `127.0.0.1` or `10.0.0.0/8, ::1`. Unset: forwarded headers are ignored, so nobody can pose as
 * another client address (login throttling) or as https (the Secure cookie).
 */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv): HttpSettings {
  return { ...DEFAULT_HTTP_SETTINGS, trustedProxies: parseTrustedProxies(env.HANDOFF_TRUST_PROXY ?? '') };
}

export function parseTrustedProxies(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!isProxyAddress(entry)) {
      throw new ConfigError(
        `HANDOFF_TRUST_PROXY: "${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal. ` +
          'List the addresses of the reverse proxies in front of Handoff, e.g. HANDOFF_TRUST_PROXY=127.0.0.1',
      );
    }
  }
  return entries;
}

function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** The trusted proxies as a BlockList (to exempt them from the per-client connection cap). */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else if (entry === 'linklocal') {
      list.addSubnet('169.254.0.0', 16, 'ipv4');
      list.addSubnet('fe80::', 10, 'ipv6');
    } else if (entry === 'uniquelocal') {
      for (const [address, prefix] of [
        ['10.0.0.0', 8],
        ['172.16.0.0', 12],
        ['192.168.0.0', 16],
      ] as const)
        list.addSubnet(address, prefix, 'ipv4');
      list.addSubnet('fc00::', 7, 'ipv6');
    } else {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
  }
  return list;
}
