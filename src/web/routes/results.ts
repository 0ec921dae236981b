import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { FieldErrors } from '../../core/reports/numbers.js';
import { RESULT_FIELDS, type SessionResult, type Target } from '../../core/reports/ports.js';
import type { TargetForm } from '../../core/reports/results.js';
import { addDays, formatVnDate } from '../../domain/dates.js';
import type { Team } from '../../domain/team.js';
import type { ConsoleContext } from '../console.js';
import { statusOf, values } from '../forms.js';

type Flash = { ok: boolean; key: string; params?: Record<string, string | number> };
const TARGET_FIELDS = ['id', 'metric', 'periodStart', 'periodEnd', 'target', 'baseline'] as const;

/**
 * Results and targets. After a session the team lead records what was done (a phone-size form;
 * recording the same day and commune again corrects it); commanders keep the province's
 * targets. A number that is not one is named, and nothing is saved.
 */
export function resultRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const results = c.programme.results;

  /** The teams this person records for (an officer: their own), and where each may record. */
  async function teamsFor(user: WebUser): Promise<Team[]> {
    const all = await c.board.teamsList();
    return user.staff.commander ? all : all.filter((t) => t.id === user.staff.teamId);
  }
  const communesOf = (user: WebUser, team: Team | undefined) =>
    (team?.communes ?? []).filter((id) => !user.staff.commander || user.staff.communes.length === 0 || user.staff.communes.includes(id));

  async function showResults(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { pick?: { team?: string; day?: string; commune?: string }; counts?: Record<string, string>; errors?: FieldErrors; flash?: Flash } = {}) {
    const teams = await teamsFor(user);
    const team = teams.find((t) => t.id === o.pick?.team) ?? teams.find((t) => t.id === user.staff.teamId) ?? teams[0];
    const communes = communesOf(user, team);
    const day = o.pick?.day || results.today();
    const commune = communes.includes(o.pick?.commune ?? '') ? o.pick!.commune! : (communes[0] ?? '');
    const existing = team && commune && !o.counts ? await results.of(team.id, day, commune) : undefined;
    const counts = o.counts ?? Object.fromEntries(RESULT_FIELDS.map((f) => [f, existing ? String(existing[f]) : '']));
    const recent = team ? (await results.between(addDays(results.today(), -60), results.today(), communes)).filter((r) => r.teamId === team.id).reverse().slice(0, 10) : [];
    return c.page(
      reply,
      req,
      'results',
      { teams, team, communes: communes.map((id) => ({ id, name: c.board.areas.communeName(id) })), day, commune, counts, fields: RESULT_FIELDS, errors: o.errors ?? {}, flash: o.flash, existing: existing !== undefined, recent: recent.map((r) => row(r)), today: results.today() },
      statusOf(o.errors ?? {}),
      '/results',
    );
  }
  const row = (r: SessionResult) => ({ ...r, commune: c.board.areas.communeName(r.communeId) });

  app.get<{ Querystring: Record<string, string> }>('/results', async (req, reply) => {
    const user = c.need(req, reply, 'any');
    if (!user) return reply;
    if (!user.staff.commander && !user.staff.teamId) return c.page(reply, req, 'forbidden', {}, 403);
    const q = values(req.query, ['team', 'day', 'commune'] as const, 40);
    return showResults(req, reply, user, { pick: q });
  });

  app.post('/results', async (req, reply) => {
    const user = c.need(req, reply, 'any');
    if (!user) return reply;
    const teams = await teamsFor(user);
    const pick = values(req.body, ['team', 'day', 'commune'] as const, 40);
    const team = teams.find((t) => t.id === pick.team);
    if (!team) return c.page(reply, req, 'forbidden', {}, 403);
    const counts = values(req.body, RESULT_FIELDS, 30);
    const r = await results.record({ teamId: team.id, day: pick.day, communeId: pick.commune, sessionId: null, counts }, communesOf(user, team), `staff:${user.staff.id}`);
    if (!r.ok) return showResults(req, reply, user, { pick, counts, errors: r.errors, flash: { ok: false, key: 'reports:form.fix' } });
    return showResults(req, reply, user, { pick, flash: { ok: true, key: 'reports:results.saved', params: { commune: c.board.areas.communeName(r.value.communeId), day: formatVnDate(r.value.day) } } });
  });

  async function showTargets(req: FastifyRequest, reply: FastifyReply, o: { form?: Record<string, string>; errors?: FieldErrors; flash?: Flash } = {}) {
    const list = await results.targetsList();
    const empty = { id: '', metric: 'vneidLevel2', periodStart: `${results.today().slice(0, 4)}-01-01`, periodEnd: `${results.today().slice(0, 4)}-12-31`, target: '', baseline: '0' };
    return c.page(reply, req, 'targets', { list: list.map(targetRow), form: o.form ?? empty, errors: o.errors ?? {}, metrics: RESULT_FIELDS, flash: o.flash }, statusOf(o.errors ?? {}), '/targets');
  }
  const targetRow = (t: Target) => ({ ...t, form: { id: t.id, metric: t.metric, periodStart: t.periodStart, periodEnd: t.periodEnd, target: String(t.target), baseline: String(t.baseline) } });

  app.get('/targets', async (req, reply) => {
    if (!c.need(req, reply, 'commander')) return reply;
    return showTargets(req, reply);
  });

  app.post('/targets', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const form = values(req.body, TARGET_FIELDS, 40) as TargetForm & Record<string, string>;
    const r = await results.saveTarget({ ...form, id: form.id || undefined }, `staff:${user.staff.id}`);
    if (!r.ok) return showTargets(req, reply, { form, errors: r.errors, flash: { ok: false, key: 'reports:form.fix' } });
    return showTargets(req, reply, { flash: { ok: true, key: 'reports:targets.saved' } });
  });

  app.post<{ Params: { id: string } }>('/targets/:id/delete', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const ok = /^[\w-]{1,64}$/.test(req.params.id) && (await results.removeTarget(req.params.id, `staff:${user.staff.id}`));
    return showTargets(req, reply, { flash: { ok, key: ok ? 'reports:targets.removed' : 'reports:targets.not_found' } });
  });
}
