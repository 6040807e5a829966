import { sameText } from '../../adapters/crypto/same-text.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.ts';
import { usesDemoSecret } from '../../config/demo-secret.ts';
import {
  createConsoleSession,
  deleteConsoleSession,
  findConsoleSession,
  type ConsoleSession,
} from '../../adapters/store/console-sessions.ts';
import { registerContactPages } from './pages/contacts.ts';
import { registerDeliveryPages } from './pages/deliveries.ts';
import { registerDunningPage } from './pages/dunning.ts';
import { registerProblemsPage } from './pages/problems.ts';
import { registerImportPage } from './pages/import.ts';
import { loginPage } from './pages/login.ts';
import { registerOverviewPage } from './pages/overview.ts';
import { registerSetupPage } from './pages/setup.ts';
import { registerTeamPages } from './pages/teams.ts';
import { registerWebhooksPage } from './pages/webhooks.ts';
import { DEMO_BANNER } from './layout.ts';
import { LoginThrottle } from './login-throttle.ts';
import { CONSOLE_UPLOAD_LIMIT } from './multipart-form.ts';
import { sendHtml } from '../send-html.ts';

export const SESSION_COOKIE = 'handoff_session';
const FLASH_COOKIE = 'handoff_flash';

export interface ConsoleOptions {
  adminToken: string;
  /** The public base URL (for the webhook URL shown on the setup page). */
  publicUrl: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSession | null;
  }
}

/**
 * The creator's console: server-rendered pages behind a login (admin token or the configured
 * password), a session cookie (HttpOnly, SameSite=Lax, Secure over https) and a CSRF token checked
 * on every form that changes something.
 */
export async function registerConsole(
  server: FastifyInstance,
  ctx: AppContext,
  options: ConsoleOptions,
): Promise<void> {
  await server.register(cookie);
  await server.register(formbody, { bodyLimit: 16 * 1024 });
  server.decorateRequest('consoleSession', null);
  const throttle = new LoginThrottle(ctx.clock);

  server.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/login') return;
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? await findConsoleSession(ctx.pool, sessionId, ctx.clock.now()) : null;
    if (!session) {
      if (request.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
      return reply.status(401).type('text/plain').send('Your session has ended; log in again.');
    }
    request.consoleSession = session;
  });

  server.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.url.split('?')[0] === '/login') return;
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    const session = request.consoleSession;
    if (!session || typeof sent !== 'string' || !sameText(sent, session.csrfToken) || !sameOrigin(request)) {
      return reply
        .status(403)
        .type('text/plain')
        .send('This form expired or came from another site; reload the page and try again.');
    }
  });

  if (usesDemoSecret(ctx.config.thrivecart)) {
    // Every page, whoever rendered it: the banner goes in right after <body>.
    server.addHook('onSend', async (_request, reply, payload) =>
      typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')
        ? payload.replace('<body>', `<body>${DEMO_BANNER.text}`)
        : payload,
    );
  }

  server.get<{ Querystring: { next?: string; failed?: string } }>('/login', async (request, reply) =>
    sendHtml(
      reply,
      loginPage({
        next: safeNext(request.query.next),
        failed: request.query.failed === '1',
        passwordEnabled: Boolean(ctx.config.console?.password),
      }),
    ),
  );

  server.post<{ Body: { secret?: string; name?: string; next?: string } }>('/login', async (request, reply) => {
    const next = safeNext(request.body?.next);
    if (!throttle.allow(request.ip)) {
      ctx.log.warn({ ip: request.ip }, 'console login throttled');
      return sendHtml(
        reply.status(429),
        loginPage({ next, failed: true, throttled: true, passwordEnabled: Boolean(ctx.config.console?.password) }),
      );
    }
    const secret = request.body?.secret ?? '';
    const password = ctx.config.console?.password;
    const accepted = sameText(secret, options.adminToken) || (password !== undefined && sameText(secret, password));
    if (!accepted) {
      throttle.fail(request.ip);
      ctx.log.warn({ ip: request.ip }, 'console login refused');
      return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`);
    }
    const actor = (request.body?.name ?? '').trim().slice(0, 80) || 'admin';
    const { sessionId } = await createConsoleSession(ctx.pool, actor, ctx.clock.now());
    ctx.log.info({ actor, ip: request.ip }, 'console login');
    reply.setCookie(SESSION_COOKIE, sessionId, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
    });
    return reply.redirect(next);
  });

  server.post('/logout', async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) await deleteConsoleSession(ctx.pool, sessionId, ctx.clock.now());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login');
  });

  registerOverviewPage(server, ctx, options);
  registerContactPages(server, ctx);
  registerTeamPages(server, ctx);
  registerDeliveryPages(server, ctx);
  registerDunningPage(server, ctx);
  registerWebhooksPage(server, ctx);
  registerProblemsPage(server, ctx);
  registerImportPage(server, ctx);
  registerSetupPage(server, ctx, options);
  server.setErrorHandler(async (error: FastifyError, request, reply) => {
    // A file over the upload limit is refused before any route sees it: back to the form's page
    // with what to do, instead of the API's JSON answer. Anything else goes to the server's handler.
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE' || request.method !== 'POST') throw error;
    const path = request.url.split('?')[0]!;
    const formPage = path.startsWith('/teams/') ? path.split('/').slice(0, 3).join('/') : `/${path.split('/')[1]}`;
    const otherWay =
      formPage === '/import' ? ', or import it from a terminal: npx handoff thrivecart import --csv <file>' : '';
    return redirectWithFlash(
      reply.status(303),
      formPage,
      `That file is larger than the console takes (${CONSOLE_UPLOAD_LIMIT / 1024} KB): split it into smaller files${otherWay}. Nothing was stored.`,
      'bad',
    );
  });
}

/** The session of a request that passed the login hook. */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw new Error('console page reached without a session');
  return request.consoleSession;
}

/**
 * Redirect after a form: back to `path`, with a message for the next page. The message travels
 * in a short-lived cookie, never in the URL, so no link can put words in the console's mouth.
 * `bad` shows it as an error (a resync that could not reach a CRM is not a success). Pages outside
 * the console (the team page) scope the cookie to their own path with `cookiePath`.
 */
export function redirectWithFlash(
  reply: FastifyReply,
  path: string,
  flash: string,
  tone: 'ok' | 'bad' = 'ok',
  cookiePath = '/',
): FastifyReply {
  reply.setCookie(FLASH_COOKIE, `${tone}:${flash}`, {
    path: cookiePath,
    httpOnly: true,
    sameSite: 'lax',
    maxAge: 60,
    secure: reply.request.protocol === 'https',
  });
  return reply.redirect(path);
}

/** The message a form left for this page (shown once), or null. */
export function flashOf(
  request: FastifyRequest,
  reply: FastifyReply,
  cookiePath = '/',
): { text: string; bad: boolean } | null {
  const value = request.cookies[FLASH_COOKIE];
  if (!value) return null;
  reply.clearCookie(FLASH_COOKIE, { path: cookiePath });
  const bad = value.startsWith('bad:');
  return { text: value.replace(/^(ok|bad):/, ''), bad };
}

/** Browsers send Origin on form posts; when present it must be this site. */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Any origin serves: only "does it stay on the same origin" is asked of it. */
const OWN_ORIGIN = 'http://console.invalid';

/**
 * Only local paths: a login link must not send people to another site. Browsers read `/\evil`
 * as `//evil` and drop tabs and newlines (`/%09/evil`), so `next` is resolved the way a browser
 * would (WHATWG URL) and kept only when it stays on this origin; what is sent back is the
 * resolved path, never the text as given.
 */
export function safeNext(next: string | undefined): string {
  // Backslashes and control characters have no business in a console path; browsers rewrite them.
  if (!next || !next.startsWith('/') || /[\\\p{Cc}]/u.test(next)) return '/';
  const resolved = sameOriginPath(next);
  if (resolved === null || resolved.startsWith('/login')) return '/';
  // `/.//evil` resolves to the path `//evil`, which a browser would read as another host: resolve the result once more.
  return sameOriginPath(resolved) === resolved && !resolved.startsWith('//') ? resolved : '/';
}

function sameOriginPath(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text, OWN_ORIGIN);
  } catch {
    return null;
  }
  return url.origin === OWN_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : null;
}
