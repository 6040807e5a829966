import { consoleTimes } from '../views/times.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { addMembersFromList } from '../../../app/teams/add-members-from-list.ts';
import { emailLeaderLink, leaderLinkOf, reissueLeaderLink } from '../../../app/teams/leader-link.ts';
import { TeamError } from '../../../app/teams/team-errors.ts';
import { addMember, moveLeader, removeMember, resizeTeam } from '../../../app/teams/teams.ts';
import { normaliseEmail } from '../../../core/email-address.ts';
import { getTeam, listTeams, teamHistory } from '../../../app/teams/team-views.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { CONSOLE_UPLOAD_LIMIT, parseMultipartForm } from '../multipart-form.ts';
import { html } from '../html.ts';
import { sendPage } from '../layout.ts';
import {
  describeListOutcome,
  historyPanel,
  leaderPanel,
  membersPanel,
  seatCards,
  seatsPanel,
  teamPath,
  teamsTable,
} from './team-panels.ts';

type TeamRequest<Body = Record<string, string | undefined>> = { Params: { id: string }; Body: Body | undefined };

/** Team pools in the console: the list, one pool's page, and every change an admin may make to one. */
export function registerTeamPages(server: FastifyInstance, ctx: AppContext): void {
  // The "add many" form can carry a CSV file; its fields arrive like a form's (the CSRF check reads them).
  server.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: CONSOLE_UPLOAD_LIMIT },
    (request, body, done) => {
      const fields = parseMultipartForm(body as Buffer, request.headers['content-type'] ?? '');
      if (fields) done(null, fields);
      else
        done(
          Object.assign(new Error('The uploaded form could not be read; choose the file again.'), { statusCode: 400 }),
        );
    },
  );

  server.get('/teams', async (request, reply) => {
    const body = html`<h1>Teams</h1><div class="panel">${teamsTable(await listTeams(ctx))}</div>`;
    const options = { title: 'Teams', section: '/teams', csrfToken: sessionOf(request).csrfToken };
    return sendPage(reply, { ...options, flash: flashOf(request, reply) }, body);
  });

  server.get<{ Params: { id: string } }>('/teams/:id', async (request, reply) => {
    const csrfToken = sessionOf(request).csrfToken;
    const id = teamIdOf(request.params.id);
    const [team, history] = id === null ? [null, null] : await Promise.all([getTeam(ctx, id), teamHistory(ctx, id)]);
    const flash = flashOf(request, reply);
    if (!team) {
      const body = html`<h1>No such team</h1><p><a href="/teams">All teams</a></p>`;
      return sendPage(reply.status(404), { title: 'Not found', section: '/teams', csrfToken, flash }, body);
    }
    const leaderUrl = await leaderLinkOf(ctx, team);
    const times = consoleTimes(ctx);
    const body = html`<h1>${team.label}</h1>
<p class="muted">Order ${team.orderId} · ${team.itemName} (${team.item}) · tag <span class="mono">${team.tag}</span></p>
${seatCards(team)}
<h2>Leader</h2>${leaderPanel(team, leaderUrl, csrfToken)}
<h2>Members</h2>${membersPanel(team, csrfToken, times)}
<h2>Seats</h2>${seatsPanel(team, csrfToken)}
<h2>History</h2>${historyPanel(history ?? [], times)}`;
    return sendPage(reply, { title: team.label, section: '/teams', csrfToken, flash }, body);
  });

  const change = <Body>(
    path: string,
    act: (id: number, body: Body, actor: { kind: 'admin'; name: string }) => Promise<string>,
  ): void => {
    server.post<TeamRequest<Body>>(`/teams/:id${path}`, async (request, reply) => {
      const id = teamIdOf(request.params.id);
      if (id === null) return reply.status(404).type('text/plain').send('No such team.');
      const back = teamPath(id);
      try {
        const done = await act(id, (request.body ?? {}) as Body, { kind: 'admin', name: sessionOf(request).actor });
        return redirectWithFlash(reply, back, done);
      } catch (error) {
        return refused(reply, back, error);
      }
    });
  };

  change<{ email?: string }>('/members', async (id, body, actor) => {
    await addMember(ctx, id, body.email ?? '', actor);
    return `Added ${normaliseEmail(body.email ?? '')}.`;
  });
  change<{ email?: string }>('/members/remove', async (id, body, actor) => {
    await removeMember(ctx, id, body.email ?? '', actor);
    return `Removed ${normaliseEmail(body.email ?? '')}; the seat is free.`;
  });
  change<{ seats?: string }>('/resize', async (id, body, actor) => {
    const seats = Number(body.seats);
    const team = await resizeTeam(ctx, id, seats, actor);
    return team.seatsUsed > team.seats
      ? `The team has ${seats} seats now, fewer than its ${team.seatsUsed} members: nobody was removed, and nobody can be added until enough leave.`
      : `The team has ${seats} seats now.`;
  });
  change<{ email?: string }>('/leader', async (id, body, actor) => {
    const team = await moveLeader(ctx, id, body.email ?? '', actor);
    return `${team.leader?.email ?? normaliseEmail(body.email ?? '')} leads the team now; their link is e-mailed to them.`;
  });
  change('/leader-link/send', async (id) => {
    const to = await emailLeaderLink(ctx, id);
    return `The leader's link is on its way to ${to}.`;
  });
  change('/leader-link/reissue', async (id) => {
    await reissueLeaderLink(ctx, id);
    return 'A new link is issued; the old one no longer opens the team. Send it with the button below.';
  });

  server.post<TeamRequest<{ list?: string; file?: string }>>('/teams/:id/members/list', async (request, reply) => {
    const id = teamIdOf(request.params.id);
    if (id === null) return reply.status(404).type('text/plain').send('No such team.');
    const actor = { kind: 'admin' as const, name: sessionOf(request).actor };
    try {
      const list = [request.body?.file, request.body?.list].filter(Boolean).join('\n');
      if (list.trim() === '')
        return redirectWithFlash(reply, teamPath(id), 'Paste a list or choose a CSV file.', 'bad');
      const outcome = describeListOutcome(await addMembersFromList(ctx, id, list, actor));
      return redirectWithFlash(reply, teamPath(id), outcome.text, outcome.tone);
    } catch (error) {
      return refused(reply, teamPath(id), error);
    }
  });
}

/** A refused change goes back to the page with the reason; anything else is an error of Handoff's. */
function refused(reply: FastifyReply, path: string, error: unknown): FastifyReply {
  if (!(error instanceof TeamError)) throw error;
  return redirectWithFlash(reply, error.code === 'team_not_found' ? '/teams' : path, error.message, 'bad');
}

function teamIdOf(text: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : null;
}
