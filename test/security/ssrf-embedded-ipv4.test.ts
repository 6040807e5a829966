import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { whyForbiddenAddress } from '../../src/core/webhooks/address-policy.ts';

/** Forbidden IPv4 ranges (a sample of each kind) as [first octets, prefix length]. */
const FORBIDDEN_V4: [number[], number][] = [
  [[10], 8],
  [[127], 8],
  [[169, 254], 16],
  [[172, 16], 12],
  [[192, 168], 16],
  [[100, 64], 10],
  [[0], 8],
];

const octets = (address: string): number[] => address.split('.').map(Number);
const hex = (high: number, low: number): string => ((high << 8) | low).toString(16);

/** The IPv6 forms that carry an IPv4 address, each built the way its RFC says. */
const WRAPPERS: [name: string, wrap: (ipv4: string) => string][] = [
  [
    '6to4 (RFC 3056)',
    (v4) => {
      const [a, b, c, d] = octets(v4) as [number, number, number, number];
      return `2002:${hex(a, b)}:${hex(c, d)}::1`;
    },
  ],
  // Teredo: the client's address is stored inverted in the last 32 bits (RFC 4380 §4); the server here is public.
  [
    'Teredo client (RFC 4380)',
    (v4) => {
      const [a, b, c, d] = octets(v4).map((octet) => octet ^ 0xff) as [number, number, number, number];
      return `2001:0:5db8:d70e:8000:63bf:${hex(a, b)}:${hex(c, d)}`;
    },
  ],
  [
    'Teredo server (RFC 4380)',
    (v4) => {
      const [a, b, c, d] = octets(v4) as [number, number, number, number];
      return `2001:0:${hex(a, b)}:${hex(c, d)}:8000:63bf:a3ff:ffff`;
    },
  ],
  ['ISATAP (RFC 5214)', (v4) => `2606:4700:1:2:0:5efe:${v4}`],
  ['ISATAP, universal (RFC 5214)', (v4) => `2606:4700:1:2:200:5efe:${v4}`],
  ['NAT64 (RFC 6052)', (v4) => `64:ff9b::${v4}`],
  ['NAT64 local use (RFC 8215)', (v4) => `64:ff9b:1:2::${v4}`],
  ['IPv4-mapped', (v4) => `::ffff:${v4}`],
  ['IPv4-compatible', (v4) => `::${v4}`],
];

const forbiddenIpv4 = fc.constantFrom(...FORBIDDEN_V4).chain(([start, prefix]) =>
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((random) => {
    const bytes = random.map((byte, index) => {
      const fixedBits = Math.max(0, Math.min(8, prefix - index * 8));
      const mask = (0xff << (8 - fixedBits)) & 0xff;
      return ((start[index] ?? 0) & mask) | (byte & ~mask & 0xff);
    });
    return bytes.join('.');
  }),
);

describe('SSRF: IPv6 addresses that wrap an IPv4 address', () => {
  it.each(WRAPPERS)('refuses %s around any private, loopback, link-local or reserved IPv4 address', (_name, wrap) => {
    fc.assert(
      fc.property(forbiddenIpv4, (ipv4) => {
        expect(whyForbiddenAddress(ipv4)).not.toBeNull();
        expect(whyForbiddenAddress(wrap(ipv4))).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['2002:a00:1::1', 'a 6to4 address wrapping 10.0.0.1, a private address'],
    ['2002:7f00:1::', 'a 6to4 address wrapping 127.0.0.1, a loopback address'],
    ['2002:a9fe:a9fe::', 'a 6to4 address wrapping 169.254.169.254, a link-local address (cloud metadata lives here)'],
    ['2001:0:5db8:d70e:8000:63bf:f5ff:fffe', 'a Teredo address wrapping 10.0.0.1, a private address'],
    ['2606:4700::5efe:c0a8:101', 'an ISATAP address wrapping 192.168.1.1, a private address'],
    ['64:ff9b:1::a00:1', 'a local-use NAT64 address'],
  ])('says why %s is refused', (address, why) => expect(whyForbiddenAddress(address)).toBe(why));

  it('still allows the tunnelling forms of public addresses (6to4, Teredo, ISATAP) and ordinary public IPv6', () => {
    for (const address of [
      '2002:5db8:d70e::1',
      '2001:0:5db8:d70e:8000:63bf:a3ff:fff1',
      '2606:4700::5efe:5db8:d70e',
      '2606:4700::1111',
    ]) {
      expect(whyForbiddenAddress(address)).toBeNull();
    }
  });
});
