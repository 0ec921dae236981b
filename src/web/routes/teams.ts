import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { TeamRecord, TeamRefusal } from '../../core/teams/admin.js';
import { CAPABILITIES } from '../../domain/team.js';
import { type ConsoleContext, field } from '../console.js';
import type { FieldErrors } from '../../core/forms.js';
import { fields, needCommander, type Flash } from './adminForm.js';

type Params = { Params: { id: string } };

const ID = /^[a-z0-9-]{1,30}$/;

function teamForm(body: unknown) {
  return { name: field(body, 'name'), communes: fields(body, 'communes'), capabilities: fields(body, 'capabilities'), capacityPerDay: field(body, 'capacityPerDay') };
}

/**
 * Teams and their officers: list, create, edit, deactivate; one-time codes to register an
 * officer or link the team's work chat; remove an officer; export and import as JSON. Every
 * change goes through UnitAdmin, which tells the assignment engine.
 */
export function teamRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const a = c.admin.unit;
  /** The communes a form offers: a commander of some communes gives a team only theirs. */
  const communes = (user: WebUser) =>
    c.board.areas
      .communes()
      .filter((x) => user.staff.communes.length === 0 || user.staff.communes.includes(x.id))
      .map((x) => ({ id: x.id, name: x.name }));
  const row = (t: TeamRecord) => ({ ...t, communeNames: t.communes.map((id) => c.board.areas.communeName(id)) });

  async function list(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number } = {}) {
    const teams = await a.teamsFor(user.staff);
    return c.page(reply, req, 'teams', {
      teams: teams.map(row),
      communes: communes(user),
      wholeUnit: user.staff.communes.length === 0,
      capabilities: CAPABILITIES,
      values: o.values ?? { name: '', communes: [], capabilities: [], capacityPerDay: '' },
      errors: o.errors ?? {},
      flash: o.flash,
    }, o.status ?? 200, '/teams');
  }

  /** A refused change (or a look at another commune's team): the list, saying why, kindly. */
  const refused = (req: FastifyRequest, reply: FastifyReply, user: WebUser, why: TeamRefusal) =>
    why === 'unknown' ? c.page(reply, req, 'not-found', {}, 404) : list(req, reply, user, { status: 403, flash: { ok: false, key: `scope:team.${why}` } });

  async function one(req: FastifyRequest, reply: FastifyReply, user: WebUser, id: string, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number; code?: { kind: string; code: string } } = {}) {
    const team = ID.test(id) ? await a.team(id, user.staff) : undefined;
    if (!team) return c.page(reply, req, 'not-found', {}, 404);
    if (team.reach === 'none') return refused(req, reply, user, 'hidden');
    const officers = await a.officers(id);
    return c.page(reply, req, 'team', {
      team: row(team),
      canChange: team.reach === 'change',
      officers,
      communes: communes(user),
      capabilities: CAPABILITIES,
      values: o.values ?? { name: team.name, communes: team.communes, capabilities: team.capabilities, capacityPerDay: String(team.capacityPerDay) },
      errors: o.errors ?? {},
      flash: o.flash,
      code: o.code,
      inviteHours: c.admin.inviteHours,
    }, o.status ?? 200, `/teams/${id}`);
  }

  app.get('/teams', async (req, reply) => {
    const user = needCommander(c, req, reply);
    return user ? list(req, reply, user) : reply;
  });

  app.post('/teams', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = teamForm(req.body);
    const r = await a.createTeam(values, user.staff);
    if (!r.ok) return list(req, reply, user, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:teams.not_saved' } });
    return one(req, reply, user, r.value, { flash: { ok: true, key: 'admin:teams.created' } });
  });

  app.get('/teams/export', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="teams.json"').type('application/json; charset=utf-8').send(await a.exportTeams(user.staff));
  });

  app.post('/teams/import', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const r = await a.importTeams(field(req.body, 'json'), user.staff);
    if (!r.ok) return list(req, reply, user, { status: r.errors.file?.key === 'scope:team.import' ? 403 : 422, flash: { ok: false, ...(r.errors.file ?? { key: 'admin:teams.error.json' }) } });
    return list(req, reply, user, { flash: { ok: true, key: 'admin:teams.imported', params: { count: r.value } } });
  });

  app.get<Params>('/teams/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    return user ? one(req, reply, user, req.params.id) : reply;
  });

  app.post<Params>('/teams/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = teamForm(req.body);
    const r = await a.updateTeam(req.params.id, values, user.staff);
    if (typeof r === 'string') return refused(req, reply, user, r);
    if (!r.ok) return one(req, reply, user, req.params.id, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:teams.not_saved' } });
    return one(req, reply, user, req.params.id, { flash: { ok: true, key: 'admin:teams.saved' } });
  });

  app.post<Params>('/teams/:id/active', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const active = field(req.body, 'active') === '1';
    const r = await a.setActive(req.params.id, active, user.staff);
    if (r !== 'ok') return refused(req, reply, user, r);
    return one(req, reply, user, req.params.id, { flash: { ok: true, key: active ? 'admin:teams.reactivated' : 'admin:teams.deactivated' } });
  });

  app.post<Params>('/teams/:id/unlink', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const r = await a.unlinkWorkChat(req.params.id, user.staff);
    if (r !== 'ok') return refused(req, reply, user, r);
    return one(req, reply, user, req.params.id, { flash: { ok: true, key: 'admin:teams.unlinked' } });
  });

  app.post<Params>('/teams/:id/invite', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const kind = field(req.body, 'kind') === 'group' ? 'group' : 'officer';
    const r = await a.invite(kind, req.params.id, user.staff);
    if ('refused' in r) return refused(req, reply, user, r.refused);
    return one(req, reply, user, req.params.id, { code: { kind, code: r.code } });
  });

  app.post<{ Params: { id: string; staff: string } }>('/teams/:id/officers/:staff/remove', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const r = await a.removeOfficer(req.params.id, req.params.staff, user.staff);
    if (r !== 'ok' && r !== 'no_officer') return refused(req, reply, user, r);
    const ok = r === 'ok';
    return one(req, reply, user, req.params.id, { flash: ok ? { ok: true, key: 'admin:teams.officer_removed' } : { ok: false, key: 'admin:teams.officer_unknown' }, status: ok ? 200 : 404 });
  });
}
