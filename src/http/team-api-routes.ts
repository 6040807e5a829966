import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { leaderLinkOf } from '../app/teams/leader-link.ts';
import { addMember, moveLeader, removeMember, resizeTeam } from '../app/teams/teams.ts';
import { TeamError, type TeamErrorCode } from '../app/teams/team-errors.ts';
import { getTeam, listTeams, type TeamView } from '../app/teams/team-views.ts';
import type { TeamActor } from '../app/teams/team-actor.ts';
import { teamApiSchemas } from './team-api-schemas.ts';

/** The admin token is the one credential of the API: its calls are the admin's. */
const API_ACTOR: TeamActor = { kind: 'admin', name: 'api' };

const STATUS: Record<TeamErrorCode, number> = {
  team_not_found: 404,
  not_a_member: 404,
  no_free_seat: 409,
  already_a_member: 409,
  invalid: 400,
};

/** The /api/teams routes (docs/api.md, "Teams"), behind the admin token like the rest of /api. */
export function registerTeamApiRoutes(api: FastifyInstance, ctx: AppContext): void {
  api.get<{ Querystring: { leader?: string } }>('/teams', { schema: teamApiSchemas.teams }, async (request) => {
    const { leader } = request.query;
    const teams = await listTeams(ctx, leader === undefined || leader === '' ? {} : { leaderEmail: leader });
    return teams.map(summary);
  });

  api.get<{ Params: { id: string } }>('/teams/:id', { schema: teamApiSchemas.team }, async (request, reply) => {
    const team = await getTeam(ctx, Number(request.params.id) || 0);
    return team
      ? { ...team, members: team.members.map((member) => member.email), memberDetails: team.members }
      : reply.status(404).send({ error: 'team_not_found', message: `No team ${request.params.id}` });
  });

  api.get<{ Params: { id: string } }>(
    '/teams/:id/leader-link',
    { schema: teamApiSchemas.leaderLink },
    async (request, reply) => {
      const team = await getTeam(ctx, teamId(request.params.id));
      if (!team) return reply.status(404).send({ error: 'team_not_found', message: `No team ${request.params.id}` });
      const url = await leaderLinkOf(ctx, team);
      if (!team.leader || url === null)
        return reply
          .status(409)
          .send({ error: 'no_leader', message: `Team ${team.id} has no leader: move the role to someone first.` });
      return { teamId: team.id, leader: team.leader.email, url };
    },
  );

  api.post<{ Params: { id: string }; Body: { email?: unknown } | null }>(
    '/teams/:id/members',
    { schema: teamApiSchemas.addMember },
    (request, reply) =>
      answer(reply, 201, () => addMember(ctx, teamId(request.params.id), emailFrom(request.body), API_ACTOR)),
  );

  api.delete<{ Params: { id: string; email: string } }>(
    '/teams/:id/members/:email',
    { schema: teamApiSchemas.removeMember },
    (request, reply) =>
      answer(reply, 204, () => removeMember(ctx, teamId(request.params.id), request.params.email, API_ACTOR)),
  );

  api.put<{ Params: { id: string }; Body: { seats?: unknown } | null }>(
    '/teams/:id/seats',
    { schema: teamApiSchemas.resize },
    (request, reply) => {
      const seats = request.body?.seats;
      return answer(reply, 200, () =>
        resizeTeam(ctx, teamId(request.params.id), typeof seats === 'number' ? seats : Number.NaN, API_ACTOR),
      );
    },
  );

  api.put<{ Params: { id: string }; Body: { email?: unknown } | null }>(
    '/teams/:id/leader',
    { schema: teamApiSchemas.moveLeader },
    (request, reply) =>
      answer(reply, 200, () => moveLeader(ctx, teamId(request.params.id), emailFrom(request.body), API_ACTOR)),
  );
}

/** The list's shape (`GET /api/teams`): members as e-mail addresses. */
function summary(team: TeamView): Record<string, unknown> {
  return {
    id: team.id,
    item: team.item,
    orderId: team.orderId,
    offerings: team.offerings,
    seats: team.seats,
    seatsUsed: team.seatsUsed,
    members: team.members.map((member) => member.email),
    leader: team.leader?.email ?? null,
    label: team.label,
    access: team.entitlement,
  };
}

/** Runs a change; a refusal becomes its status and message, anything else is a 500 as usual. */
async function answer(reply: FastifyReply, status: number, change: () => Promise<TeamView>): Promise<FastifyReply> {
  try {
    const team = await change();
    return status === 204 ? reply.status(204).send() : reply.status(status).send(summary(team));
  } catch (error) {
    if (!(error instanceof TeamError)) throw error;
    return reply.status(STATUS[error.code]).send({ error: error.code, message: error.message });
  }
}

function teamId(text: string): number {
  return /^[0-9]+$/.test(text) ? Number(text) : 0;
}

function emailFrom(body: { email?: unknown } | null): string {
  return typeof body?.email === 'string' ? body.email : '';
}
