import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { FieldErrors } from '../../core/forms.js';
import { type ConsoleContext, field } from '../console.js';
import { fields, needCommander, type Flash } from './adminForm.js';

type Params = { Params: { id: string } };

/**
 * The unit's commanders: who they are, on which apps, and which communes each oversees (none
 * ticked: all). Root commanders add one (by an account, or with a one-time code they send as
 * "/dangky CODE"), change their communes, or remove them (their sessions end at once).
 */
export function commanderRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const a = c.admin.unit;

  async function show(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { flash?: Flash; errors?: FieldErrors; values?: object; code?: string; status?: number } = {}) {
    const list = await a.commanders();
    return c.page(reply, req, 'commanders', {
      commanders: list.map((m) => ({ ...m, communeNames: m.communes.map((id) => c.board.areas.communeName(id)), me: m.id === user.staff.id })),
      communes: c.board.areas.communes().map((x) => ({ id: x.id, name: x.name })),
      root: user.staff.root,
      values: o.values ?? { account: '', name: '', communes: [] },
      errors: o.errors ?? {},
      code: o.code,
      inviteHours: c.admin.inviteHours,
      flash: o.flash,
    }, o.status ?? 200, '/commanders');
  }

  const root = (req: FastifyRequest, reply: FastifyReply) => needCommander(c, req, reply, { root: true });

  app.get('/commanders', async (req, reply) => {
    const user = needCommander(c, req, reply);
    return user ? show(req, reply, user) : reply;
  });

  app.post('/commanders', async (req, reply) => {
    const user = root(req, reply);
    if (!user) return reply;
    const values = { account: field(req.body, 'account'), name: field(req.body, 'name'), communes: fields(req.body, 'communes') };
    const r = await a.addCommander(values, user.staff);
    if (!r.ok) return show(req, reply, user, { errors: r.errors, values, status: 422, flash: { ok: false, key: 'admin:commanders.not_saved' } });
    return show(req, reply, user, { flash: { ok: true, key: 'admin:commanders.added' } });
  });

  app.post('/commanders/invite', async (req, reply) => {
    const user = root(req, reply);
    if (!user) return reply;
    return show(req, reply, user, { code: await a.commanderInvite(user.staff) });
  });

  app.post<Params>('/commanders/:id/communes', async (req, reply) => {
    const user = root(req, reply);
    if (!user) return reply;
    const r = await a.setCommanderCommunes(req.params.id, fields(req.body, 'communes'), user.staff);
    if (!r.ok) return show(req, reply, user, { status: 422, flash: { ok: false, ...Object.values(r.errors)[0]! } });
    return show(req, reply, user, { flash: { ok: true, key: 'admin:commanders.communes_saved' } });
  });

  app.post<Params>('/commanders/:id/remove', async (req, reply) => {
    const user = root(req, reply);
    if (!user) return reply;
    const r = await a.removeCommander(req.params.id, user.staff);
    if (!r.ok) return show(req, reply, user, { status: 422, flash: { ok: false, ...Object.values(r.errors)[0]! } });
    return show(req, reply, user, { flash: { ok: true, key: 'admin:commanders.removed' } });
  });
}
