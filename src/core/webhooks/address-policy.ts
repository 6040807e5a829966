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
  ['64:ff9b:1::', 48, 'ipv6', 'a local-use NAT64 address'],
  ['100::', 64, 'ipv6', 'a discard-only address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['fc00::', 7, 'ipv6', 'a unique-local (private) address'],
  ['fec0::', 10, 'ipv6', 'a site-local (private) address'],
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
  const listed = blockLists.find((range) => range.family === family && range.list.check(address, family))?.what ?? null;
  if (listed !== null || version === 4) return listed;
  // Tunnelling addresses carry an IPv4 address that a relay or the host's own tunnel would reach.
  for (const { form, ipv4 } of embeddedIpv4(address)) {
    const inner = whyForbiddenAddress(ipv4);
    if (inner !== null) return `${form} wrapping ${ipv4}, ${inner}`;
  }
  return null;
}

/**
 * The IPv4 addresses inside the IPv6 forms that tunnel to IPv4 and are not refused whole above:
 * 6to4 (2002:AABB:CCDD::/48, RFC 3056), Teredo (2001:0::/32: the server's address in bits 32-63,
 * the client's inverted in the last 32 bits, RFC 4380) and ISATAP (an interface id of
 * [02]00:5efe followed by the address, RFC 5214).
 */
export function embeddedIpv4(address: string): { form: string; ipv4: string }[] {
  const words = ipv6Words(address);
  const ipv4 = (high: number, low: number): string => [high >>> 8, high & 0xff, low >>> 8, low & 0xff].join('.');
  const found: { form: string; ipv4: string }[] = [];
  if (words[0] === 0x2002) found.push({ form: 'a 6to4 address', ipv4: ipv4(words[1]!, words[2]!) });
  if (words[0] === 0x2001 && words[1] === 0) {
    found.push({ form: 'a Teredo address', ipv4: ipv4(words[2]!, words[3]!) });
    found.push({ form: 'a Teredo address', ipv4: ipv4(words[6]! ^ 0xffff, words[7]! ^ 0xffff) });
  }
  if ((words[4] === 0 || words[4] === 0x0200) && words[5] === 0x5efe)
    found.push({ form: 'an ISATAP address', ipv4: ipv4(words[6]!, words[7]!) });
  return found;
}

/** The eight 16-bit words of an IPv6 address (`::` expanded, a trailing dotted quad and a zone allowed). */
function ipv6Words(address: string): number[] {
  const [head = '', tail] = address.replace(/%.*$/, '').split('::') as [string, string | undefined];
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The host of a URL as a bare IP address when it is one (brackets removed), else null. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 0 ? null : bare;
}
