import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { works } from '../../core/access/scope.js';
import type { CardAction, CardActionResult } from '../../core/assignment/service.js';
import type { CardView } from '../../core/board/service.js';
import { HANDBACK_REASONS, type CitizenRequest, OUTCOMES } from '../../domain/request.js';
import { checkVisit } from '../../domain/visit.js';
import { describePhone, parseVnPhone } from '../../domain/phone.js';
import { countryName, VN_COUNTRY } from '../../domain/timezone.js';
import { type ConsoleContext, field, version } from '../console.js';
import { many } from '../forms.js';
import type { Flash } from './request.js';

/** A view of the same request by the same person within this window is recorded once. */
const VIEW_WINDOW_MS = 10 * 60_000;
const recentViews = new Map<string, number>();

async function recordView(c: ConsoleContext, user: WebUser, r: CitizenRequest): Promise<void> {
  const key = `${user.staff.id}.${r.id}.${r.updatedAt}`;
  const now = Date.now();
  const last = recentViews.get(key);
  if (last !== undefined && now - last < VIEW_WINDOW_MS) return;
  if (recentViews.size > 50_000) recentViews.clear();
  recentViews.set(key, now);
  await c.requests.viewed(r.id, `staff:${user.staff.id}`);
}

/** One piece of work as the officer's page shows it: what the visit needs and what they may do. */
export async function workItem(c: ConsoleContext, user: WebUser, r: CitizenRequest, card: CardView | undefined, errors: Record<string, string> = {}, values: Record<string, string> = {}) {
  await recordView(c, user, r);
  const commune = c.board.areas.communeName(r.communeId);
  const place = [r.type === 'ride' && r.pickupAddress ? r.pickupAddress : r.address, commune].filter(Boolean).join(', ');
  const home = parseVnPhone(r.phone);
  return {
    r,
    commune,
    tel: r.phone.replace(/[^\d+]/g, ''),
    // Filed from far away: the relative who filed is the second contact, after the home.
    relative: r.relativePhone ? { tel: r.relativePhone, label: describePhone(r.relativePhone) } : undefined,
    homeIsMobile: home.ok && home.kind === 'mobile',
    abroad: r.relativeCountry === undefined ? undefined : r.relativeCountry === VN_COUNTRY ? { key: 'abroad:card.from_far', country: '' } : { key: 'abroad:card.from_abroad', country: countryName(r.relativeCountry) },
    map: `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(place)}`,
    place,
    claimedName: card?.claimedName,
    attempts: card?.attempts ?? 0,
    maxAttempts: c.maxContactAttempts,
    // Only the officer who took it closes it (as on the card).
    mine: r.status === 'claimed' && (!card?.claimedBy || card.claimedBy === user.staff.id),
    outcomes: OUTCOMES,
    reasons: HANDBACK_REASONS,
    errors,
    values: { date: values.date ?? r.visit?.date ?? r.preferredDate, from: values.from ?? r.visit?.from ?? '', to: values.to ?? r.visit?.to ?? '' },
    today: c.board.today(),
  };
}

const RESULT_STATUS: Record<Exclude<CardActionResult, 'ok'>, number> = { not_officer: 403, other_team: 403, not_found: 404, stale: 409, changed: 409 };

/**
 * The officers' work page, phone first: their team's open work, priority first, with the
 * phone as a tel: link and the address as a map search; claim (with the visit time, which the
 * citizen is told), done with an outcome, cannot reach, hand back with a reason: the card's
 * state machine and checks, through the same service, so the card in the team's chat is edited
 * too. It refreshes itself when anything changes.
 */
export function workRoutes(app: FastifyInstance, c: ConsoleContext): void {
  async function show(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { flash?: Flash; status?: number; code?: string; errors?: Record<string, string>; values?: Record<string, string>; partial?: boolean } = {}) {
    const teamId = user.staff.teamId!;
    const [team, { work, version: v }] = await Promise.all([c.board.team(teamId), c.board.teamWork(teamId)]);
    const cards = await c.board.cardsOf(work);
    const items = [];
    for (const r of work) items.push(await workItem(c, user, r, cards.get(r.id), r.code === o.code ? o.errors : {}, r.code === o.code ? o.values : {}));
    // A flash about work that has left the list (done, handed back) is shown above it.
    const onItem = items.some((i) => i.r.code === o.code);
    return c.page(reply, req, o.partial ? 'work-rows' : 'work', { team, items, v, flash: o.flash, flashCode: onItem ? o.code : undefined }, o.status ?? 200, o.partial ? undefined : '/work');
  }

  app.get('/work', async (req, reply) => {
    const user = c.need(req, reply, 'officer');
    if (!user) return reply;
    return show(req, reply, user);
  });

  app.post('/work/rows', async (req, reply) => {
    const user = c.need(req, reply, 'officer');
    if (!user) return reply;
    const seen = field(req.body, 'seen');
    if (seen && seen === (await c.board.teamVersion(user.staff.teamId!))) return reply.status(204).send();
    return show(req, reply, user, { partial: true });
  });

  const act = (name: string, action: (body: unknown, r: CitizenRequest, today: string) => CardAction | { field: string; key: string }) =>
    app.post<{ Params: { code: string } }>(`/work/:code/${name}`, async (req, reply) => {
      const user = c.need(req, reply, 'officer');
      if (!user) return reply;
      const r = /^TB-[A-Z0-9]{4}$/.test(req.params.code) ? await c.board.byCode(req.params.code) : undefined;
      if (!r) return c.page(reply, req, 'not-found', {}, 404);
      if (!works(user.staff, r)) return c.page(reply, req, 'forbidden', {}, 403);
      const a = action(req.body, r, c.board.today());
      const values = { date: field(req.body, 'date'), from: field(req.body, 'from'), to: field(req.body, 'to') };
      if ('field' in a) return show(req, reply, user, { flash: { ok: false, key: a.key }, status: 422, code: r.code, errors: { [a.field]: a.key }, values });
      const result = await c.assignment.act(r.id, a, { staffId: user.staff.id, expected: version(req.body) });
      if (result === 'ok') return show(req, reply, user, { flash: { ok: true, key: `web:result.done_${name}`, params: { code: r.code } }, code: r.code });
      return show(req, reply, user, { flash: { ok: false, key: `web:result.${result}`, params: { code: r.code } }, status: RESULT_STATUS[result], code: r.code });
    });

  /** The visit time is optional when claiming; once any part is given, all of it must be right. */
  const visitOf = (body: unknown, today: string, required: boolean): { visit?: CardAction & { kind: 'visit' } extends { visit: infer V } ? V : never } | { field: string; key: string } => {
    const input = { date: field(body, 'date'), from: field(body, 'from'), to: field(body, 'to') };
    if (!required && !input.from && !input.to) return {};
    const v = checkVisit(input, today);
    return v.ok ? { visit: v.visit } : { field: v.field, key: `web:work.error_${v.field}_${v.reason}` };
  };

  act('claim', (body, _r, today) => {
    const v = visitOf(body, today, false);
    return 'field' in v ? v : { kind: 'claim', visit: v.visit };
  });
  act('visit', (body, _r, today) => {
    const v = visitOf(body, today, true);
    return 'field' in v ? v : { kind: 'visit', visit: v.visit! };
  });
  act('done', (body) => {
    const outcome = OUTCOMES.find((o) => o === field(body, 'outcome'));
    return outcome ? { kind: 'outcome', outcome, more: OUTCOMES.filter((o) => many(body, 'more').includes(o)) } : { field: 'outcome', key: 'web:request.error_outcome' };
  });
  act('unreachable', () => ({ kind: 'unreachable' }));
  act('handback', (body) => {
    const reason = HANDBACK_REASONS.find((o) => o === field(body, 'reason'));
    return reason ? { kind: 'handback', reason } : { field: 'reason', key: 'web:work.error_reason' };
  });
}
