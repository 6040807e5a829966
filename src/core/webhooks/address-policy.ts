import { BlockList, isIP } from 'node:net';

/** Address ranges a webhook added through the console or API must never reach, with the reason shown to people. */
const FORBIDDEN_RANGES: readonly [address: string, prefix: number, family: 'ipv4' | 'ipv6', what: string][] = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a reserved address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  // Narrow ranges first: ::1 also lies inside ::/96 below, and the first match names the reason.
  ['::1', 128, 'ipv6', 'a loopback address'],
  // IPv4-mapped, IPv4-compatible and NAT64 addresses can smuggle any IPv4 address: refuse them all.
  ['::', 96, 'ipv6', 'an IPv4-compatible or unspecified address'],
  ['::ffff:0:0', 96, 'ipv6', 'an IPv4-mapped address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['fc00::', 7, 'ipv6', 'a unique-local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const blockLists = FORBIDDEN_RANGES.map(([address, prefix, family, what]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, family, what };
});

/** Why an IP address (v4, or v6 without brackets) must not be dialled, or null when it is public. */
export function whyForbiddenAddress(address: string): string | null {
  const version = isIP(address);
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  return blockLists.find((range) => range.family === family && range.list.check(address, family))?.what ?? null;
}

/** The host of a URL as a bare IP address when it is one (brackets removed), else null. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 0 ? null : bare;
}
