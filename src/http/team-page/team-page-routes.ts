import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.ts';
import {
  addMemberByLink,
  leaveByLink,
  openTeamLink,
  removeMemberByLink,
  type OpenedTeamLink,
} from '../../app/teams/team-page.ts';
import type { TeamErrorCode } from '../../app/teams/team-errors.ts';
import { TeamLinks } from '../../app/teams/team-links.ts';
import { flashOf, redirectWithFlash, sameOrigin } from '../console/console-plugin.ts';
import { consoleTimes } from '../console/views/times.ts';
import { leftTeamPage, linkNotValidPage, teamPage } from './team-page-views.ts';
import { sendHtml } from '../send-html.ts';

type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, unknown> | undefined }>;

/**
 * The team page: public, no console login, opened only by a signed link (app/teams/team-links.ts)
 * whose token is the URL's last segment. The token is the credential and the browser never sends
 * it on its own (no cookie), so a cross-site page cannot forge a post without already holding the
 * link; posts must also come from this site (Origin, Sec-Fetch-Site), and the CSP's form-action
 * keeps forms here. The token never reaches the log: request logging is off, and errors are
 * logged with the token cut out of the path.
 */
export async function registerTeamPage(server: FastifyInstance, ctx: AppContext): Promise<void> {
  await server.register(cookie);
  await server.register(formbody, { bodyLimit: 16 * 1024 });

  server.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error, url: withoutToken(request.url) }, 'team page failed');
    return reply.status(500).type('text/plain').send('Something went wrong on our side; try again in a minute.');
  });

  server.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || (sameOrigin(request) && sameSite(request))) return;
    return reply.status(403).type('text/plain').send('This form came from another site; open your team link again.');
  });

  server.get<{ Params: { token: string } }>('/team/:token', async (request, reply) => {
    const opened = await openTeamLink(ctx, request.params.token);
    if (!opened) return sendHtml(reply.status(404), linkNotValidPage());
    return sendHtml(
      reply,
      teamPage(opened.model, pathOf(request), flashOf(request, reply, pathOf(request)), consoleTimes(ctx)),
    );
  });

  server.post('/team/:token/members', async (request: TokenRequest, reply) => {
    const opened = await leaderLink(ctx, request);
    if (!opened) return sendHtml(reply.status(404), linkNotValidPage());
    const email = fieldOf(request, 'email');
    const outcome = await addMemberByLink(ctx, opened, email);
    if (!outcome.ok)
      return sendHtml(
        reply.status(statusOf(outcome.code)),
        teamPage(opened.model, pathOf(request), null, consoleTimes(ctx), { email, error: outcome.message }),
      );
    return redirectWithFlash(reply, pathOf(request), `Added ${outcome.email}.`, 'ok', pathOf(request));
  });

  server.post('/team/:token/members/remove', async (request: TokenRequest, reply) => {
    const opened = await leaderLink(ctx, request);
    if (!opened) return sendHtml(reply.status(404), linkNotValidPage());
    const outcome = await removeMemberByLink(ctx, opened, fieldOf(request, 'email'));
    if (!outcome.ok) return redirectWithFlash(reply, pathOf(request), outcome.message, 'bad', pathOf(request));
    return redirectWithFlash(
      reply,
      pathOf(request),
      `Removed ${outcome.email}; their seat is free.`,
      'ok',
      pathOf(request),
    );
  });

  server.post('/team/:token/leave', async (request: TokenRequest, reply) => {
    const opened = await openTeamLink(ctx, request.params.token);
    if (!opened || opened.claim.role !== 'member') return sendHtml(reply.status(404), linkNotValidPage());
    await leaveByLink(ctx, opened);
    return sendHtml(reply, leftTeamPage(opened.model.title));
  });
}

async function leaderLink(ctx: AppContext, request: TokenRequest): Promise<OpenedTeamLink | null> {
  const opened = await openTeamLink(ctx, request.params.token);
  return opened?.claim.role === 'leader' ? opened : null;
}

function statusOf(code: TeamErrorCode): number {
  if (code === 'invalid') return 400;
  return code === 'no_free_seat' || code === 'already_a_member' ? 409 : 404;
}

function pathOf(request: FastifyRequest<{ Params: { token: string } }>): string {
  return TeamLinks.pathOf(request.params.token);
}

function fieldOf(request: TokenRequest, name: string): string {
  const value = request.body?.[name];
  return typeof value === 'string' ? value.slice(0, 320) : '';
}

/** Sec-Fetch-Site, when a browser sends it, must say the form was on this site. */
function sameSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}

/** `/team/<token>/members` → `/team/…/members`: a token in the log would be a working link. */
function withoutToken(url: string): string {
  return url.replace(/^\/team\/[^/?#]+/, '/team/…');
}
