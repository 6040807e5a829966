import type { FastifyInstance } from 'fastify';
import { STYLE_SHA256 } from './console/layout.ts';

/**
 * The console has no scripts at all and one inline stylesheet (allowed by its digest); style
 * attributes are allowed, but with img-src limited to this site they cannot fetch anything.
 * `style-src 'unsafe-inline'` only matters to browsers too old for style-src-elem/-attr, which
 * would otherwise show the pages unstyled. Forms may only post here, nothing may frame a page
 * (clickjacking), and no <base> can redirect relative links.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `style-src-elem 'sha256-${STYLE_SHA256}'`,
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Headers on every answer: the CSP above, no MIME sniffing (a JSON answer never runs as a
 * page), no Referer leaving the console (URLs hold e-mail addresses; `same-origin`, not `no-referrer`,
 * which would make browsers send `Origin: null` on the console's own forms and fail the CSRF check), no framing for browsers
 * without frame-ancestors, and no caching of anything but the public health check: pages and
 * API answers hold personal data and must not stay in a shared browser's or proxy's cache.
 */
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * Set when the request arrives, in a synchronous hook: every answer (pages, API, intake, errors,
 * 404s) carries them, and a route that sets its own cache-control replaces the default. An async
 * `onSend` hook did the same work at the cost of a promise and a hook pass on every answer, on the
 * intake's and the access check's hot paths.
 */
export function registerSecurityHeaders(server: FastifyInstance): void {
  server.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    if (request.url !== '/healthz') reply.header('cache-control', 'no-store');
    done();
  });
}
