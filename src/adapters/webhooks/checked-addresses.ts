import { isIP } from 'node:net';
import { ipLiteralOf, whyForbiddenAddress } from '../../core/webhooks/address-policy.ts';
import type { HostResolver, ResolvedAddress } from './host-resolver.ts';

/**
 * The addresses a URL's host stands for, every one of them checked when `restricted`: one private
 * answer among public ones refuses the whole host, since the connection could land on any of them.
 */
export async function checkedAddresses(
  url: URL,
  restricted: boolean,
  resolveHost: HostResolver,
): Promise<{ addresses: ResolvedAddress[]; error: null } | { addresses: null; error: string }> {
  const literal = ipLiteralOf(url.hostname);
  let addresses: ResolvedAddress[];
  if (literal !== null) {
    addresses = [{ address: literal, family: isIP(literal) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolveHost(url.hostname);
    } catch (error) {
      return {
        addresses: null,
        error: `could not resolve ${url.hostname}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (addresses.length === 0) return { addresses: null, error: `${url.hostname} has no address` };
  }
  if (restricted) {
    for (const { address } of addresses) {
      const forbidden = whyForbiddenAddress(address);
      if (forbidden)
        return {
          addresses: null,
          error: `${url.hostname} resolves to ${address}, ${forbidden}, which webhooks may not reach`,
        };
    }
  }
  return { addresses, error: null };
}
