import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TeamRecord } from '../../core/teams/admin.js';
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
  const communes = () => c.board.areas.communes().map((x) => ({ id: x.id, name: x.name }));
  const row = (t: TeamRecord) => ({ ...t, communeNames: t.communes.map((id) => c.board.areas.communeName(id)) });

  async function list(req: FastifyRequest, reply: FastifyReply, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number } = {}) {
    const teams = await a.allTeams();
    return c.page(reply, req, 'teams', {
      teams: teams.map(row),
      communes: communes(),
      capabilities: CAPABILITIES,
      values: o.values ?? { name: '', communes: [], capabilities: [], capacityPerDay: '' },
      errors: o.errors ?? {},
      flash: o.flash,
    }, o.status ?? 200, '/teams');
  }

  async function one(req: FastifyRequest, reply: FastifyReply, id: string, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number; code?: { kind: string; code: string } } = {}) {
    const team = ID.test(id) ? await a.team(id) : undefined;
    if (!team) return c.page(reply, req, 'not-found', {}, 404);
    const officers = await a.officers(id);
    return c.page(reply, req, 'team', {
      team: row(team),
      officers,
      communes: communes(),
      capabilities: CAPABILITIES,
      values: o.values ?? { name: team.name, communes: team.communes, capabilities: team.capabilities, capacityPerDay: String(team.capacityPerDay) },
      errors: o.errors ?? {},
      flash: o.flash,
      code: o.code,
      inviteHours: c.admin.inviteHours,
    }, o.status ?? 200, `/teams/${id}`);
  }

  app.get('/teams', async (req, reply) => (needCommander(c, req, reply) ? list(req, reply) : reply));

  app.post('/teams', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = teamForm(req.body);
    const r = await a.createTeam(values, user.staff);
    if (!r.ok) return list(req, reply, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:teams.not_saved' } });
    return one(req, reply, r.value, { flash: { ok: true, key: 'admin:teams.created' } });
  });

  app.get('/teams/export', async (req, reply) => {
    if (!needCommander(c, req, reply)) return reply;
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="teams.json"').type('application/json; charset=utf-8').send(await a.exportTeams());
  });

  app.post('/teams/import', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const r = await a.importTeams(field(req.body, 'json'), user.staff);
    if (!r.ok) return list(req, reply, { status: 422, flash: { ok: false, ...(r.errors.file ?? { key: 'admin:teams.error.json' }) } });
    return list(req, reply, { flash: { ok: true, key: 'admin:teams.imported', params: { count: r.value } } });
  });

  app.get<Params>('/teams/:id', async (req, reply) => (needCommander(c, req, reply) ? one(req, reply, req.params.id) : reply));

  app.post<Params>('/teams/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = teamForm(req.body);
    const r = await a.updateTeam(req.params.id, values, user.staff);
    if (!r.ok) return one(req, reply, req.params.id, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:teams.not_saved' } });
    return one(req, reply, req.params.id, { flash: { ok: true, key: 'admin:teams.saved' } });
  });

  app.post<Params>('/teams/:id/active', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const active = field(req.body, 'active') === '1';
    if (!(await a.setActive(req.params.id, active, user.staff))) return c.page(reply, req, 'not-found', {}, 404);
    return one(req, reply, req.params.id, { flash: { ok: true, key: active ? 'admin:teams.reactivated' : 'admin:teams.deactivated' } });
  });

  app.post<Params>('/teams/:id/unlink', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    await a.unlinkWorkChat(req.params.id, user.staff);
    return one(req, reply, req.params.id, { flash: { ok: true, key: 'admin:teams.unlinked' } });
  });

  app.post<Params>('/teams/:id/invite', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const kind = field(req.body, 'kind') === 'group' ? 'group' : 'officer';
    if (!(await a.team(req.params.id))) return c.page(reply, req, 'not-found', {}, 404);
    const code = await a.invite(kind, req.params.id, user.staff);
    return one(req, reply, req.params.id, { code: { kind, code } });
  });

  app.post<{ Params: { id: string; staff: string } }>('/teams/:id/officers/:staff/remove', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const ok = await a.removeOfficer(req.params.id, req.params.staff, user.staff);
    return one(req, reply, req.params.id, { flash: ok ? { ok: true, key: 'admin:teams.officer_removed' } : { ok: false, key: 'admin:teams.officer_unknown' }, status: ok ? 200 : 404 });
  });
}
