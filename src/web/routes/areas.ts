import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../core/forms.js';
import { type ConsoleContext, field } from '../console.js';
import { by, needCommander, type Flash } from './adminForm.js';

type Params = { Params: { id: string } };

const ID = /^[a-z0-9-]{1,40}$/;

/**
 * Communes and hamlets with their old names: edited here, imported from CSV (checked whole: a
 * broken row is named and nothing is saved), exported back. Names that read the same without
 * diacritics are flagged: the bot asks which one is meant rather than guess.
 */
export function areaRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const a = c.admin.areas;

  async function list(req: FastifyRequest, reply: FastifyReply, o: { flash?: Flash; errors?: FieldErrors; values?: object; csv?: string; status?: number } = {}) {
    return c.page(reply, req, 'areas', {
      areas: await a.list(),
      values: o.values ?? { name: '', oldNames: '', hamlets: '' },
      errors: o.errors ?? {},
      csv: o.csv ?? '',
      flash: o.flash,
    }, o.status ?? 200, '/areas');
  }

  async function one(req: FastifyRequest, reply: FastifyReply, id: string, o: { flash?: Flash; errors?: FieldErrors; values?: object; status?: number } = {}) {
    const v = ID.test(id) ? await a.one(id) : undefined;
    if (!v) return c.page(reply, req, 'not-found', {}, 404);
    return c.page(reply, req, 'area', {
      area: v,
      values: o.values ?? { name: v.commune.name, oldNames: v.commune.aliases.join('\n'), hamlets: v.hamlets.map((h) => h.name).join('\n') },
      errors: o.errors ?? {},
      flash: o.flash,
    }, o.status ?? 200, `/areas/${id}`);
  }

  const form = (body: unknown) => ({ name: field(body, 'name'), oldNames: field(body, 'oldNames'), hamlets: field(body, 'hamlets') });

  app.get('/areas', async (req, reply) => (needCommander(c, req, reply) ? list(req, reply) : reply));

  app.post('/areas', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const values = form(req.body);
    const r = await a.saveCommune(undefined, values, by(user));
    if (!r.ok) return list(req, reply, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:areas.not_saved' } });
    return one(req, reply, r.id, { flash: { ok: true, key: 'admin:areas.saved' } });
  });

  app.post('/areas/import', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    const csv = field(req.body, 'csv');
    const r = await a.importCsv(csv, by(user));
    if (!r.ok) return list(req, reply, { csv, status: 422, flash: { ok: false, ...r.problem } });
    return list(req, reply, { flash: { ok: true, key: 'admin:areas.imported', params: { count: r.count } } });
  });

  app.get('/areas/export', async (req, reply) => {
    if (!needCommander(c, req, reply)) return reply;
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="areas.csv"').type('text/csv; charset=utf-8').send(await a.exportCsv());
  });

  app.get<Params>('/areas/:id', async (req, reply) => (needCommander(c, req, reply) ? one(req, reply, req.params.id) : reply));

  app.post<Params>('/areas/:id', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    if (!ID.test(req.params.id) || !(await a.one(req.params.id))) return c.page(reply, req, 'not-found', {}, 404);
    const values = form(req.body);
    const r = await a.saveCommune(req.params.id, values, by(user));
    if (!r.ok) return one(req, reply, req.params.id, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:areas.not_saved' } });
    return one(req, reply, req.params.id, { flash: { ok: true, key: 'admin:areas.saved' } });
  });
}
