import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { waiting } from '../../core/handoff/inbox.js';
import { msg, msgOr } from '../../domain/message.js';
import { type ConsoleContext, field } from '../console.js';
import type { FormErrors } from '../forms.js';

const ANSWER_MAX = 2000;

/**
 * The duty inbox: the questions and emergency reports the duty chat gets, those nobody answered
 * first; an answer typed here reaches the person on the app they wrote from (the same path as a
 * reply in the duty chat), or the item is marked handled. It refreshes itself when one arrives.
 */
export function inboxRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const inbox = c.programme.inbox;

  async function show(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { partial?: boolean; flash?: { ok: boolean; key: string; params?: Record<string, string> }; code?: string; errors?: FormErrors; status?: number } = {}) {
    const [items, v] = await Promise.all([inbox.list(), inbox.version()]);
    const rows = items.map((h) => ({ h, waiting: waiting(h), nonce: randomUUID(), channel: c.views.helpers('').t('reports:inbox.via', { channel: msgOr(`handoff:channel.${h.channel}`, h.channel) }) }));
    // Reading the questions is reading personal data: recorded, once per page (not per refresh).
    if (!o.partial) await inbox.viewed(user.staff);
    return c.page(reply, req, o.partial ? 'inbox-rows' : 'inbox', { rows, v, waitingCount: rows.filter((r) => r.waiting).length, flash: o.flash, code: o.code, errors: o.errors ?? {} }, o.status ?? 200, o.partial ? undefined : '/inbox');
  }

  app.get('/inbox', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    return show(req, reply, user);
  });

  app.post('/inbox/rows', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    if (field(req.body, 'seen') === (await inbox.version())) return reply.status(204).send();
    return show(req, reply, user, { partial: true });
  });

  const act = (name: string, run: (h: NonNullable<Awaited<ReturnType<typeof inbox.byCode>>>, user: WebUser, body: unknown) => Promise<{ key: string; ok: boolean; errors?: FormErrors }>) =>
    app.post<{ Params: { code: string } }>(`/inbox/:code/${name}`, async (req, reply) => {
      const user = c.need(req, reply, 'commander');
      if (!user) return reply;
      const h = /^HD-[A-Z0-9]{4}$/.test(req.params.code) ? await inbox.byCode(req.params.code) : undefined;
      if (!h) return c.page(reply, req, 'not-found', {}, 404);
      const r = await run(h, user, req.body);
      return show(req, reply, user, { flash: { ok: r.ok, key: r.key, params: { code: h.code } }, code: h.code, errors: r.errors, status: r.ok ? 200 : 422 });
    });

  act('answer', async (h, user, body) => {
    const text = field(body, 'text').trim();
    if (!text) return { ok: false, key: 'reports:inbox.error_empty', errors: { text: msg('reports:inbox.error_empty') } };
    if (text.length > ANSWER_MAX) return { ok: false, key: 'reports:inbox.error_long', errors: { text: msg('reports:inbox.error_long', { max: ANSWER_MAX }) } };
    const nonce = field(body, 'nonce');
    const r = await inbox.answer(h, text, user.staff, /^[0-9a-f-]{36}$/.test(nonce) ? nonce : randomUUID());
    return { ok: r === 'sent', key: `reports:inbox.${r}` };
  });
  act('handled', async (h, user) => ({ ok: true, key: (await inbox.markHandled(h, user.staff)) ? 'reports:inbox.handled_done' : 'reports:inbox.handled_already' }));
}
