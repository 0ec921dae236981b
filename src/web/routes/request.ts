import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { maySee, oversees, works } from '../../core/access/scope.js';
import { type ByHandResult, UNIT_CANCEL_REASONS, type UnitCancelReason } from '../../core/assignment/byHand.js';
import { summaryLines } from '../../core/requests/fields.js';
import { type CitizenRequest, OUTCOMES, type Outcome } from '../../domain/request.js';
import { type ConsoleContext, field, version } from '../console.js';
import { many } from '../forms.js';
import { workItem } from './work.js';

export interface Flash {
  ok: boolean;
  key: string;
  params?: Record<string, string | number>;
}

/** What a refusal says, and the status it is answered with. */
export function refusal(r: Extract<ByHandResult, { ok: false }>): { flash: Flash; status: number } {
  if (r.reason === 'full') return { flash: { ok: false, key: 'web:result.full', params: { team: r.team, capacity: r.capacity } }, status: 409 };
  const status = r.reason === 'forbidden' ? 403 : r.reason === 'changed' || r.reason === 'closed' ? 409 : 422;
  return { flash: { ok: false, key: `web:result.${r.reason}` }, status };
}

/**
 * One request: its details (each view recorded in the audit log, as the law asks), its history
 * and notes, and the actions the viewer has: a commander of its commune assigns, reassigns,
 * sends back to the queue, cancels with a reason, closes with an outcome; the officer whose team
 * holds it has the work actions. Every action goes through the services the chats use.
 */
export function requestRoutes(app: FastifyInstance, c: ConsoleContext): void {
  async function load(req: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply): Promise<{ user: WebUser; r: CitizenRequest } | undefined> {
    const user = c.need(req, reply, 'any');
    if (!user) return undefined;
    const r = /^TB-[A-Z0-9]{4}$/.test(req.params.code) ? await c.board.byCode(req.params.code) : undefined;
    if (!r) {
      c.page(reply, req, 'not-found', {}, 404);
      return undefined;
    }
    if (!maySee(user.staff, r)) {
      c.page(reply, req, 'forbidden', {}, 403);
      return undefined;
    }
    return { user, r };
  }

  async function show(req: FastifyRequest, reply: FastifyReply, user: WebUser, code: string, flash?: Flash, status = 200, fieldErrors: Record<string, string> = {}) {
    const r = await c.board.byCode(code);
    if (!r) return c.page(reply, req, 'not-found', {}, 404);
    await c.requests.viewed(r.id, `staff:${user.staff.id}`);
    const [timeline, team, teams, loads, card] = await Promise.all([
      c.board.timeline(r),
      r.teamId ? c.board.team(r.teamId) : undefined,
      c.board.teamsList(),
      c.board.loads(r.preferredDate),
      c.board.cardOf(r),
    ]);
    const view = { communeName: (id: string) => c.board.areas.communeName(id) };
    const commanding = oversees(user.staff, r.communeId);
    return c.page(
      reply,
      req,
      'request',
      {
        r,
        erased: r.erasedAt !== undefined,
        lines: r.erasedAt !== undefined ? [] : summaryLines(r, view).map((m) => c.views.helpers('').t(m.key, m.params)),
        commune: c.board.areas.communeName(r.communeId),
        team,
        card,
        timeline,
        commanding,
        duplicate: (await c.board.possibleDuplicates([r.id])).has(r.id),
        open: ['new', 'assigned', 'claimed', 'unassigned'].includes(r.status),
        teams: teams.map((t) => ({ id: t.id, name: t.name, load: loads.get(t.id) ?? 0, capacity: t.capacityPerDay, covers: t.communes.includes(r.communeId), current: t.id === r.teamId })),
        outcomes: OUTCOMES,
        cancelReasons: UNIT_CANCEL_REASONS,
        work: works(user.staff, r) ? await workItem(c, user, r, card, fieldErrors) : undefined,
        flash,
      },
      status,
      `/r/${r.code}`,
    );
  }

  app.get<{ Params: { code: string } }>('/r/:code', async (req, reply) => {
    const found = await load(req, reply);
    if (!found) return reply;
    return show(req, reply, found.user, found.r.code);
  });

  /** A commander's action: checked, done through the services, answered with the latest page. */
  const act = (name: string, run: (r: CitizenRequest, user: WebUser, body: unknown) => Promise<ByHandResult | { fieldError: string; key: string }>) =>
    app.post<{ Params: { code: string } }>(`/r/:code/${name}`, async (req, reply) => {
      const found = await load(req, reply);
      if (!found) return reply;
      const result = await run(found.r, found.user, req.body);
      if ('fieldError' in result) return show(req, reply, found.user, found.r.code, { ok: false, key: result.key }, 422, { [result.fieldError]: result.key });
      if (result.ok) return show(req, reply, found.user, found.r.code, { ok: true, key: `web:result.done_${name}` });
      const { flash, status } = refusal(result);
      return show(req, reply, found.user, found.r.code, flash, status);
    });

  act('assign', async (r, user, body) => {
    const team = field(body, 'team');
    if (!team) return { fieldError: 'team', key: 'web:request.error_team' };
    return c.commander.assign(r, team, user.staff, version(body));
  });
  act('requeue', (r, user, body) => c.commander.requeue(r, user.staff, version(body)));
  act('cancel', async (r, user, body) => {
    const reason = field(body, 'reason');
    if (!(UNIT_CANCEL_REASONS as readonly string[]).includes(reason)) return { fieldError: 'reason', key: 'web:request.error_reason' };
    return c.commander.cancel(r, reason as UnitCancelReason, user.staff, version(body));
  });
  act('close', async (r, user, body) => {
    const outcome = field(body, 'outcome');
    if (!(OUTCOMES as readonly string[]).includes(outcome)) return { fieldError: 'outcome', key: 'web:request.error_outcome' };
    return c.commander.close(r, outcome as Outcome, user.staff, version(body), many(body, 'more') as Outcome[]);
  });
  act('note', async (r, user, body) => {
    const text = field(body, 'text');
    if (!text.trim()) return { fieldError: 'note', key: 'web:result.empty' };
    return c.commander.note(r, text, user.staff);
  });
}
