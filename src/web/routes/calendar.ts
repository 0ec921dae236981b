import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { oversees } from '../../core/access/scope.js';
import { isIsoDate, notANumber, readCount } from '../../core/reports/numbers.js';
import { addDays, formatVnDate, weekday } from '../../domain/dates.js';
import { msg } from '../../domain/message.js';
import { isEvening, type Session, SESSION_SERVICES, type SessionService } from '../../domain/session.js';
import type { ConsoleContext } from '../console.js';
import { type FormErrors, many, statusOf, values } from '../forms.js';

const SESSION_FIELDS = ['commune', 'date', 'start', 'end', 'place', 'address', 'home', 'ride', 'notes', 'map'] as const;
type SessionForm = Record<(typeof SESSION_FIELDS)[number], string> & { services: string[]; evening: boolean };
const EVENING = { start: '18:00', end: '23:00' };
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const ROTATION_WEEKS_MAX = 26;

function readForm(body: unknown): SessionForm {
  const v = values(body, SESSION_FIELDS, 300);
  const evening = many(body, 'evening').length > 0;
  return { ...v, ...(evening ? EVENING : {}), services: many(body, 'services').filter((s) => (SESSION_SERVICES as readonly string[]).includes(s)), evening };
}

/** The checks every session form shares: a day not past, hours in order, capacities as numbers. */
function check(f: SessionForm, today: string, user: WebUser, c: ConsoleContext, need: { commune: boolean; place: boolean }): FormErrors {
  const e: FormErrors = {};
  if (need.commune && (!c.board.areas.commune(f.commune) || !oversees(user.staff, f.commune))) e.commune = msg('reports:calendar.error_commune');
  if (!isIsoDate(f.date)) e.date = msg('reports:calendar.error_date');
  else if (f.date < today) e.date = msg('reports:calendar.error_past');
  if (!TIME.test(f.start)) e.start = msg('reports:calendar.error_time');
  if (!TIME.test(f.end)) e.end = msg('reports:calendar.error_time');
  else if (!e.start && f.end <= f.start) e.end = msg('reports:calendar.error_order');
  if (need.place && !f.place) e.place = msg('reports:calendar.error_place');
  for (const k of ['home', 'ride'] as const) if (readCount(f[k], 0) === undefined) e[k] = notANumber(msg(`reports:calendar.${k}`), f[k]);
  return e;
}

/** The month a `YYYY-MM` names (or today's), as weeks of 7 days from Monday. */
function monthGrid(month: string): { month: string; prev: string; next: string; weeks: { date: string; inMonth: boolean }[][] } {
  const first = `${month}-01`;
  let d = addDays(first, -((weekday(first) + 6) % 7));
  const weeks: { date: string; inMonth: boolean }[][] = [];
  do {
    const week = [];
    for (let i = 0; i < 7; i++, d = addDays(d, 1)) week.push({ date: d, inMonth: d.slice(0, 7) === month });
    weeks.push(week);
  } while (d.slice(0, 7) === month);
  const shift = (n: number) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const t = new Date(Date.UTC(y, m - 1 + n, 1));
    return t.toISOString().slice(0, 7);
  };
  return { month, prev: shift(-1), next: shift(1), weeks };
}

/**
 * The session calendar: a month view and the list of coming sessions, with the places taken at
 * home and in the car; add, edit, move and cancel a session, and make the Saturday rotation,
 * through the same service as the chat (so the same people are told the same things).
 */
export function calendarRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const sessions = c.programme.sessions;

  async function withPlaces(list: Session[]) {
    return Promise.all(
      list.map(async (s) => {
        const used = await sessions.placesUsed(s.id);
        return { s, commune: c.board.areas.communeName(s.communeId), evening: isEvening(s), home: { used: used.home, free: Math.max(0, s.homeCapacity - used.home) }, ride: { used: used.ride, free: Math.max(0, s.rideCapacity - used.ride) } };
      }),
    );
  }

  async function showCalendar(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { month?: string; form?: SessionForm; errors?: FormErrors; rotation?: Record<string, string | string[]>; rotationErrors?: FormErrors; flash?: { ok: boolean; key: string; params?: Record<string, string | number> } } = {}) {
    const today = sessions.today();
    const month = o.month && /^\d{4}-(0[1-9]|1[0-2])$/.test(o.month) ? o.month : today.slice(0, 7);
    const grid = monthGrid(month);
    const first = grid.weeks[0]![0]!.date;
    const last = grid.weeks.at(-1)!.at(-1)!.date;
    const mine = (s: Session) => oversees(user.staff, s.communeId);
    const [inMonth, coming] = await Promise.all([sessions.between(first, last), sessions.list(60)]);
    const byDay = new Map<string, Session[]>();
    for (const s of inMonth.filter(mine)) byDay.set(s.date, [...(byDay.get(s.date) ?? []), s]);
    const errors = { ...o.errors };
    return c.page(
      reply,
      req,
      'calendar',
      {
        grid,
        today,
        byDay,
        communeName: (id: string) => c.board.areas.communeName(id),
        list: await withPlaces(coming.filter(mine)),
        communes: c.board.areas.communes().filter((a) => oversees(user.staff, a.id)),
        services: SESSION_SERVICES,
        form: o.form ?? { commune: '', date: '', start: '07:30', end: '11:30', place: '', address: '', home: '0', ride: '0', notes: '', map: '', services: ['cccd', 'vneid1', 'vneid2'], evening: false },
        errors,
        rotation: o.rotation ?? { weeks: '4', start: '07:30', end: '11:30', place: '', communes: [] },
        rotationErrors: o.rotationErrors ?? {},
        flash: o.flash,
      },
      statusOf({ ...errors, ...o.rotationErrors }),
      `/calendar?month=${month}`,
    );
  }

  app.get<{ Querystring: { month?: string } }>('/calendar', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    return showCalendar(req, reply, user, { month: req.query.month });
  });

  app.post('/calendar', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const f = readForm(req.body);
    const errors = check(f, sessions.today(), user, c, { commune: true, place: true });
    if (f.services.length === 0) errors.services = msg('reports:calendar.error_services');
    if (Object.keys(errors).length > 0) return showCalendar(req, reply, user, { form: f, errors, month: f.date.slice(0, 7), flash: { ok: false, key: 'reports:form.fix' } });
    const s = await sessions.create(
      { communeId: f.commune, date: f.date, startTime: f.start, endTime: f.end, placeName: f.place, address: f.address || f.place, mapUrl: f.map || null, services: f.services as SessionService[], homeCapacity: readCount(f.home, 0)!, rideCapacity: readCount(f.ride, 0)!, notes: f.notes || null },
      `staff:${user.staff.id}`,
    );
    return showCalendar(req, reply, user, { month: s.date.slice(0, 7), flash: { ok: true, key: 'reports:calendar.added', params: { date: formatVnDate(s.date) } } });
  });

  app.post('/calendar/rotation', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const v = values(req.body, ['weeks', 'start', 'end', 'place'] as const);
    const evening = many(req.body, 'evening').length > 0;
    const times = evening ? EVENING : { start: v.start, end: v.end };
    const communes = many(req.body, 'communes').filter((id) => c.board.areas.commune(id) && oversees(user.staff, id));
    const errors: FormErrors = {};
    if (communes.length === 0) errors.communes = msg('reports:calendar.error_communes');
    const weeks = readCount(v.weeks);
    if (weeks === undefined || weeks < 1 || weeks > ROTATION_WEEKS_MAX) errors.weeks = msg('reports:calendar.error_weeks', { max: ROTATION_WEEKS_MAX });
    if (!TIME.test(times.start)) errors.start = msg('reports:calendar.error_time');
    if (!TIME.test(times.end)) errors.end = msg('reports:calendar.error_time');
    else if (!errors.start && times.end <= times.start) errors.end = msg('reports:calendar.error_order');
    if (Object.keys(errors).length > 0) return showCalendar(req, reply, user, { rotation: { ...v, ...times, communes }, rotationErrors: errors, flash: { ok: false, key: 'reports:form.fix' } });
    const created = await sessions.generateRotation(communes, weeks!, { startTime: times.start, endTime: times.end, placeName: v.place, address: v.place, mapUrl: null, services: ['cccd', 'vneid1', 'vneid2'], homeCapacity: 0, rideCapacity: 0, notes: null }, `staff:${user.staff.id}`);
    return showCalendar(req, reply, user, { flash: { ok: true, key: 'reports:calendar.rotation_done', params: { count: created.length } } });
  });

  async function load(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const user = c.need(req, reply, 'commander');
    if (!user) return undefined;
    const s = /^[\w-]{1,64}$/.test(req.params.id) ? await sessions.byId(req.params.id) : undefined;
    if (!s || !oversees(user.staff, s.communeId)) {
      c.page(reply, req, 'not-found', {}, 404);
      return undefined;
    }
    return { user, s };
  }

  async function showSession(req: FastifyRequest, reply: FastifyReply, s: Session, o: { form?: SessionForm; errors?: FormErrors; flash?: { ok: boolean; key: string; params?: Record<string, string | number> } } = {}) {
    const [item] = await withPlaces([s]);
    const errors = o.errors ?? {};
    const form: SessionForm = o.form ?? { commune: s.communeId, date: s.date, start: s.startTime, end: s.endTime, place: s.placeName, address: s.address, home: String(s.homeCapacity), ride: String(s.rideCapacity), notes: s.notes ?? '', map: s.mapUrl ?? '', services: s.services, evening: false };
    return c.page(reply, req, 'session', { item, form, errors, services: SESSION_SERVICES, flash: o.flash, cancelled: s.status === 'cancelled' }, o.flash && !o.flash.ok ? 422 : 200, `/calendar/${s.id}`);
  }

  app.get<{ Params: { id: string } }>('/calendar/:id', async (req, reply) => {
    const found = await load(req, reply);
    if (!found) return reply;
    return showSession(req, reply, found.s);
  });

  app.post<{ Params: { id: string } }>('/calendar/:id/edit', async (req, reply) => {
    const found = await load(req, reply);
    if (!found) return reply;
    if (found.s.status === 'cancelled') return showSession(req, reply, found.s, { flash: { ok: false, key: 'reports:calendar.not_changed' } });
    const f = { ...readForm(req.body), commune: found.s.communeId, date: found.s.date, start: found.s.startTime, end: found.s.endTime, place: found.s.placeName, address: found.s.address };
    const errors: FormErrors = {};
    for (const k of ['home', 'ride'] as const) if (readCount(f[k], 0) === undefined) errors[k] = notANumber(msg(`reports:calendar.${k}`), f[k]);
    if (f.services.length === 0) errors.services = msg('reports:calendar.error_services');
    if (Object.keys(errors).length > 0) return showSession(req, reply, found.s, { form: f, errors, flash: { ok: false, key: 'reports:form.fix' } });
    const s = await sessions.edit(found.s.id, { services: f.services as SessionService[], homeCapacity: readCount(f.home, 0)!, rideCapacity: readCount(f.ride, 0)!, notes: f.notes || null, mapUrl: f.map || null }, `staff:${found.user.staff.id}`);
    return showSession(req, reply, s ?? found.s, { flash: s ? { ok: true, key: 'reports:calendar.saved' } : { ok: false, key: 'reports:calendar.not_changed' } });
  });

  app.post<{ Params: { id: string } }>('/calendar/:id/move', async (req, reply) => {
    const found = await load(req, reply);
    if (!found) return reply;
    const { s, user } = found;
    const f = { ...readForm(req.body), commune: s.communeId, home: String(s.homeCapacity), ride: String(s.rideCapacity), services: s.services };
    const errors = check(f, sessions.today(), user, c, { commune: false, place: true });
    if (Object.keys(errors).length > 0) return showSession(req, reply, s, { form: f, errors, flash: { ok: false, key: 'reports:form.fix' } });
    const to = { date: f.date, startTime: f.start, endTime: f.end, placeName: f.place, address: f.address || f.place };
    if (to.date === s.date && to.startTime === s.startTime && to.endTime === s.endTime && to.placeName === s.placeName && to.address === s.address) return showSession(req, reply, s, { form: f, flash: { ok: false, key: 'reports:calendar.unchanged' } });
    const moved = await sessions.move(s.id, to, `staff:${user.staff.id}`);
    return showSession(req, reply, moved ?? s, { flash: moved ? { ok: true, key: 'reports:calendar.moved' } : { ok: false, key: 'reports:calendar.not_changed' } });
  });

  app.post<{ Params: { id: string } }>('/calendar/:id/cancel', async (req, reply) => {
    const found = await load(req, reply);
    if (!found) return reply;
    const cancelled = await sessions.cancel(found.s.id, `staff:${found.user.staff.id}`);
    return showSession(req, reply, cancelled ?? found.s, { flash: cancelled ? { ok: true, key: 'reports:calendar.cancelled' } : { ok: false, key: 'reports:calendar.not_changed' } });
  });
}
