import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { AreaRefusal } from '../../core/areas/admin.js';
import type { FieldErrors } from '../../core/forms.js';
import { type ConsoleContext, field } from '../console.js';
import { needCommander, type Flash } from './adminForm.js';

type Params = { Params: { id: string } };

const ID = /^[a-z0-9-]{1,40}$/;

/**
 * Communes and hamlets with their old names: edited here, imported from CSV (checked whole: a
 * broken row is named and nothing is saved), exported back. Names that read the same without
 * diacritics are flagged: the bot asks which one is meant rather than guess. A commander of some
 * communes sees and edits only theirs; AreaAdmin checks every change.
 */
export function areaRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const a = c.admin.areas;

  async function list(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { flash?: Flash; errors?: FieldErrors; values?: object; csv?: string; status?: number } = {}) {
    return c.page(reply, req, 'areas', {
      areas: await a.list(user.staff),
      wholeUnit: user.staff.communes.length === 0,
      values: o.values ?? { name: '', oldNames: '', hamlets: '' },
      errors: o.errors ?? {},
      csv: o.csv ?? '',
      flash: o.flash,
    }, o.status ?? 200, '/areas');
  }

  /** Another commune's page or change: the list, saying why, kindly. */
  const refused = (req: FastifyRequest, reply: FastifyReply, user: WebUser, why: AreaRefusal) =>
    why === 'unknown' ? c.page(reply, req, 'not-found', {}, 404) : list(req, reply, user, { status: 403, flash: { ok: false, key: 'scope:area.not_yours' } });

  async function one(req: FastifyRequest, reply: FastifyReply, user: WebUser, id: string, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number } = {}) {
    const v = ID.test(id) ? await a.one(id, user.staff) : 'unknown';
    if (typeof v === 'string') return refused(req, reply, user, v);
    return c.page(reply, req, 'area', {
      area: v,
      values: o.values ?? { name: v.commune.name, oldNames: v.commune.aliases.join('\n'), hamlets: v.hamlets.map((h) => h.name).join('\n') },
      errors: o.errors ?? {},
      flash: o.flash,
    }, o.status ?? 200, `/areas/${id}`);
  }

  const form = (body: unknown) => ({ name: field(body, 'name'), oldNames: field(body, 'oldNames'), hamlets: field(body, 'hamlets') });

  app.get('/areas', async (req, reply) => {
    const user = needCommander(c, req, reply);
    return user ? list(req, reply, user) : reply;
  });

  app.post('/areas', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = form(req.body);
    const r = await a.saveCommune(undefined, values, user.staff);
    if (!r.ok) return list(req, reply, user, { errors: r.errors, values, status: r.errors.form ? 403 : 422, flash: { ok: false, ...(r.errors.form ?? { key: 'admin:areas.not_saved' }) } });
    return one(req, reply, user, r.id, { flash: { ok: true, key: 'admin:areas.saved' } });
  });

  app.post('/areas/import', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const csv = field(req.body, 'csv');
    const r = await a.importCsv(csv, user.staff);
    if (!r.ok) return list(req, reply, user, { csv, status: r.problem.key === 'scope:area.import' ? 403 : 422, flash: { ok: false, ...r.problem } });
    return list(req, reply, user, { flash: { ok: true, key: 'admin:areas.imported', params: { count: r.count } } });
  });

  app.get('/areas/export', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="areas.csv"').type('text/csv; charset=utf-8').send(await a.exportCsv(user.staff));
  });

  app.get<Params>('/areas/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    return user ? one(req, reply, user, req.params.id) : reply;
  });

  app.post<Params>('/areas/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    // Another commune's: saveCommune refuses it and keeps the attempt on the record.
    if (!ID.test(req.params.id) || (await a.one(req.params.id, user.staff)) === 'unknown') return refused(req, reply, user, 'unknown');
    const values = form(req.body);
    const r = await a.saveCommune(req.params.id, values, user.staff);
    if (!r.ok && r.errors.form) return refused(req, reply, user, 'not_yours');
    if (!r.ok) return one(req, reply, user, req.params.id, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:areas.not_saved' } });
    return one(req, reply, user, req.params.id, { flash: { ok: true, key: 'admin:areas.saved' } });
  });
}
