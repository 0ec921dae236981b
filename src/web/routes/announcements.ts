import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { type AudienceChoice, audienceWithin } from '../../core/broadcast/audience.js';
import type { Audience, Broadcast } from '../../domain/broadcast.js';
import { msg } from '../../domain/message.js';
import { htmlToPlain } from '../../domain/text.js';
import type { ConsoleContext } from '../console.js';
import { type FormErrors, many, statusOf, values } from '../forms.js';

/** As in the chat: an announcement is at most this long. */
const TEXT_MAX = 1000;
const AUDIENCES = ['all', 'communes', 'open_requests'] as const;
const ID = /^[0-9a-f-]{36}$/;

interface Draft {
  text: string;
  photo: string;
  audience: string;
  communes: string[];
}

function readDraft(body: unknown): Draft {
  const v = values(body, ['photo', 'audience'] as const, 500);
  return { text: values(body, ['text'] as const, TEXT_MAX + 1).text, photo: v.photo, audience: v.audience, communes: many(body, 'communes') };
}

/**
 * Announcements from the browser: compose (text, an optional photo by its web address),
 * choose who gets it, see the exact count, send, watch it go out, stop it, and the history. The
 * same engine as the chat's announcements: one record, its recipients fixed before sending.
 */
export function announcementRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const broadcasts = c.programme.broadcast;

  /** Who it reaches: a commander of some communes never reaches beyond them. */
  function audienceOf(d: Draft, user: WebUser): { audience?: Audience; errors: FormErrors } {
    const errors: FormErrors = {};
    if (!d.text) errors.text = msg('reports:announce.error_empty');
    else if (d.text.length > TEXT_MAX) errors.text = msg('reports:announce.error_long', { max: TEXT_MAX });
    if (d.photo && !/^https:\/\/[^\s"'<>]+$/.test(d.photo)) errors.photo = msg('reports:announce.error_photo');
    const choice: AudienceChoice | undefined =
      d.audience === 'all' || d.audience === 'open_requests' ? { kind: d.audience } : d.audience === 'communes' ? { kind: 'communes', communeIds: d.communes.filter((id) => c.board.areas.commune(id)) } : undefined;
    const audience = choice && audienceWithin(choice, user.staff.communes);
    if (!audience) errors.audience = msg(d.audience === 'communes' ? 'reports:announce.error_communes' : 'reports:announce.error_audience');
    return { audience: Object.keys(errors).length > 0 ? undefined : audience, errors };
  }

  async function compose(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { draft?: Draft; errors?: FormErrors; flash?: { ok: boolean; key: string } } = {}) {
    const history = await broadcasts.latest(20);
    return c.page(
      reply,
      req,
      'announce',
      {
        draft: o.draft ?? { text: '', photo: '', audience: 'all', communes: [] },
        errors: o.errors ?? {},
        audiences: AUDIENCES,
        communes: c.board.areas.communes().filter((a) => user.staff.communes.length === 0 || user.staff.communes.includes(a.id)),
        history: history.map(row),
        max: TEXT_MAX,
        flash: o.flash,
      },
      statusOf(o.errors ?? {}),
      '/announce',
    );
  }

  const row = (b: Broadcast) => ({
    id: b.id,
    kind: b.kind,
    text: 'text' in b.content ? b.content.text : htmlToPlain(c.views.helpers('').t(b.content.key, b.content.params)),
    status: b.status,
    total: b.total,
    sent: b.sent,
    failed: b.failed,
    blocked: b.blocked,
    createdAt: b.createdAt,
    done: b.sent + b.failed + b.blocked,
    percent: b.total > 0 ? Math.floor(((b.sent + b.failed + b.blocked) / b.total) * 100) : b.status === 'done' ? 100 : 0,
  });

  app.get('/announce', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    return compose(req, reply, user);
  });

  app.post('/announce/preview', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const draft = readDraft(req.body);
    const { audience, errors } = audienceOf(draft, user);
    if (!audience) return compose(req, reply, user, { draft, errors, flash: { ok: false, key: 'reports:form.fix' } });
    const count = await broadcasts.preview(audience);
    return c.page(reply, req, 'announce-preview', { draft, count, id: randomUUID(), communeNames: draft.communes.map((id) => c.board.areas.communeName(id)) }, 200, '/announce');
  });

  app.post('/announce/edit', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    return compose(req, reply, user, { draft: readDraft(req.body) });
  });

  app.post('/announce/send', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const draft = readDraft(req.body);
    const id = values(req.body, ['id'] as const).id;
    const { audience, errors } = audienceOf(draft, user);
    if (!audience || !ID.test(id)) return compose(req, reply, user, { draft, errors, flash: { ok: false, key: 'reports:form.fix' } });
    // The page's id: pressing Send twice (or a retried request) is one announcement.
    await broadcasts.send({ id, kind: 'admin', createdBy: `staff:${user.staff.id}`, content: { text: draft.text }, photo: draft.photo || null, audience, report: null });
    return reply.redirect(`/announce/${id}`, 303);
  });

  async function progress(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, partial: boolean, flash?: { ok: boolean; key: string }) {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const b = ID.test(req.params.id) ? await broadcasts.byId(req.params.id) : undefined;
    if (!b) return c.page(reply, req, 'not-found', {}, 404);
    return c.page(reply, req, partial ? 'announce-progress' : 'announce-show', { b: row(b), running: b.status === 'sending' || b.status === 'preparing', queueRuns: broadcasts.available, flash }, 200, partial ? undefined : `/announce/${b.id}`);
  }

  app.get<{ Params: { id: string } }>('/announce/:id', (req, reply) => progress(req, reply, false));
  app.post<{ Params: { id: string } }>('/announce/:id/progress', (req, reply) => progress(req, reply, true));
  app.post<{ Params: { id: string } }>('/announce/:id/stop', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const r = ID.test(req.params.id) ? await broadcasts.cancel(req.params.id, `staff:${user.staff.id}`) : 'not_running';
    return progress(req, reply, false, { ok: r === 'cancelled', key: `reports:announce.${r}` });
  });
}
