import { ipLiteralOf, whyForbiddenAddress } from './address-policy.ts';

/**
 * Whether an outbound URL may be used before any DNS lookup: `restricted` (endpoints added through
 * the console or API, unless the configuration allows private networks) means https only and no
 * IP literal in a forbidden range. WHATWG parsing already turns 2130706433 or 0x7f.1 into
 * 127.0.0.1, so the literal check sees every spelling.
 */
export function checkOutboundUrl(
  text: string,
  restricted: boolean,
): { url: URL; error: null } | { url: null; error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: null, error: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { url: null, error: 'only http(s) URLs can receive webhooks' };
  if (url.username !== '' || url.password !== '')
    return { url: null, error: 'put credentials in the receiver, not in the URL' };
  if (!restricted) return { url, error: null };
  if (url.protocol !== 'https:')
    return { url: null, error: 'only https:// URLs are allowed (the configuration does not allow private networks)' };
  const literal = ipLiteralOf(url.hostname);
  const forbidden = literal === null ? null : whyForbiddenAddress(literal);
  return forbidden
    ? { url: null, error: `${url.hostname} is ${forbidden}, which webhooks may not reach` }
    : { url, error: null };
}
