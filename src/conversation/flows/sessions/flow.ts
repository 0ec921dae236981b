import { oversees } from '../../../core/access/scope.js';
import { actorKey } from '../../../domain/address.js';
import type { Area } from '../../../domain/area.js';
import { formatVnDate, parseLocalDate, upcomingSaturdays } from '../../../domain/dates.js';
import { list, msg, type Msg } from '../../../domain/message.js';
import { parseTimeRange, SESSION_SERVICES, type SessionService, timeRange } from '../../../domain/session.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import type { Session } from '../../../domain/session.js';
import type { Outcome, Prompt } from '../../types.js';
import { type Flow, goToMenu, ok, opt, reject } from '../../flow.js';

const TEXT_MAX = 200;
const DEFAULT_TIMES = ['07:30-11:30', '13:30-17:00', '18:00-23:00'];
const DEFAULT_SERVICES: SessionService[] = ['cccd', 'vneid1', 'vneid2'];
/** The steps whose input writes a session. */
const WRITING_STEPS = new Set(['notes', 'map', 'cap', 'add_confirm', 'move_confirm', 'cancel_confirm', 'rot_confirm']);

type Data = Record<string, string | string[] | undefined>;
const str = (d: Data, k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
const arr = (d: Data, k: string) => (Array.isArray(d[k]) ? (d[k] as string[]) : []);
/** The draft keeps hours as "07:30-11:30" (what parseTimeRange gave). */
const shownTime = (t: string | undefined) => (t ? timeRange(...(t.split('-') as [string, string])) : '');

/**
 * The admin's calendar, as a guided conversation: the list of sessions, one session (move,
 * cancel, notes), adding one step by step, and "every Saturday, rotating communes". The engine
 * checks admin rights on every input to this flow.
 */
export const sessionsAdminFlow: Flow = {
  start(state) {
    state.flow = 'sessions';
    state.step = 'list';
    state.data = {};
  },

  async prompt(ctx): Promise<Prompt> {
    const { state, services } = ctx;
    const d = state.data;
    const sessions = services.sessions;
    const may = await scopeOf(ctx);
    switch (state.step) {
      case 'detail': {
        const s = await ownSession(ctx, may, str(d, 'id'));
        if (!s) break;
        const p = sessions.noticeParams(s);
        return {
          text: [msg('calendar:admin.detail', { ...p, status: msg(`calendar:status.${s.status}`), notes: s.notes ?? '', map: s.mapUrl ?? '', home: s.homeCapacity, ride: s.rideCapacity })],
          options: s.status === 'cancelled' ? [opt('ses:list', 'calendar:nav.list')] : [opt('ses:move', 'calendar:admin.move'), opt('ses:cancel', 'calendar:admin.cancel'), opt('ses:notes', 'calendar:admin.notes'), opt('ses:map', 'calendar:admin.map'), opt('ses:cap', 'calendar:admin.capacity'), opt('ses:list', 'calendar:nav.list')],
        };
      }
      case 'add_commune':
      case 'rot_communes':
        return {
          text: [msg(state.step === 'add_commune' ? 'calendar:admin.ask_commune' : 'calendar:admin.ask_rotation'), communeList(ctx, may)],
          options: state.step === 'add_commune' ? ownCommunes(ctx, may).map((c) => ({ id: `ses:c:${c.id}`, label: msg('common:raw', { text: c.name }) })) : undefined,
          nav: true,
        };
      case 'add_date':
      case 'move_date':
        return {
          text: [msg('calendar:admin.ask_date')],
          options: [
            ...upcomingSaturdays(new Date(services.clock.now()), 4).map((x) => opt(`ses:d:${x}`, 'intake:date.saturday', { date: formatVnDate(x) })),
            ...(state.step === 'move_date' ? [opt('ses:keep', 'calendar:admin.keep')] : []),
          ],
          nav: true,
        };
      case 'add_time':
      case 'move_time':
      case 'rot_time':
        return {
          text: [msg('calendar:admin.ask_time')],
          options: [...DEFAULT_TIMES.map((t) => ({ id: `ses:t:${t}`, label: msg('common:raw', { text: t }) })), ...(state.step === 'move_time' ? [opt('ses:keep', 'calendar:admin.keep')] : [])],
          nav: true,
        };
      case 'add_place':
      case 'move_place':
      case 'rot_place':
        return { text: [msg('calendar:admin.ask_place')], options: state.step === 'move_place' ? [opt('ses:keep', 'calendar:admin.keep')] : undefined, nav: true };
      case 'add_address':
        return { text: [msg('calendar:admin.ask_address')], nav: true };
      case 'add_services': {
        const chosen = new Set(arr(d, 'services'));
        return {
          text: [msg('calendar:admin.ask_services')],
          options: [
            ...SESSION_SERVICES.map((x) => ({ id: `ses:v:${x}`, label: chosen.has(x) ? msg('intake:services.selected', { label: msg(`calendar:service.${x}`) }) : msg(`calendar:service.${x}`) })),
            opt('ses:v:done', 'intake:services.done'),
          ],
          nav: true,
        };
      }
      case 'rot_weeks':
        return { text: [msg('calendar:admin.ask_weeks')], nav: true };
      case 'notes':
        return { text: [msg('calendar:admin.ask_notes')], nav: true };
      case 'map':
        return { text: [msg('calendar:admin.ask_map')], nav: true };
      case 'cap':
        return { text: [msg('calendar:admin.ask_capacity')], nav: true };
      case 'add_confirm':
        return {
          text: [msg('calendar:admin.confirm_add', { ...draftParams(ctx), services: list(arr(d, 'services').map((x) => msg(`calendar:service.${x}`)), 'comma') })],
          options: [opt('ses:save', 'calendar:admin.save'), opt('ses:list', 'calendar:admin.discard')],
        };
      case 'move_confirm': {
        const s = await ownSession(ctx, may, str(d, 'id'));
        if (!s) break;
        const count = await services.broadcast.preview({ kind: 'session', communeId: s.communeId, date: s.date });
        const to = { date: formatVnDate(str(d, 'date') ?? s.date), time: shownTime(str(d, 'time')) || timeRange(s.startTime, s.endTime), place: str(d, 'place') ?? s.placeName };
        return { text: [msg('calendar:admin.confirm_move', { ...sessions.noticeParams(s), to: msg('calendar:admin.to', to), count })], options: [opt('ses:save', 'calendar:admin.save'), opt('ses:list', 'calendar:admin.discard')] };
      }
      case 'cancel_confirm': {
        const s = await ownSession(ctx, may, str(d, 'id'));
        if (!s) break;
        const count = await services.broadcast.preview({ kind: 'session', communeId: s.communeId, date: s.date });
        return { text: [msg('calendar:admin.confirm_cancel', { ...sessions.noticeParams(s), count })], options: [opt('ses:save', 'calendar:admin.cancel_yes'), opt('ses:list', 'calendar:admin.discard')] };
      }
      case 'rot_confirm': {
        const plan = rotationPlan(ctx);
        return {
          text: [msg('calendar:admin.confirm_rotation', { lines: list(plan.map((p) => msg('calendar:admin.rotation_line', p)), 'line'), time: shownTime(str(d, 'time')), place: str(d, 'place') ?? '' })],
          options: [opt('ses:save', 'calendar:admin.save'), opt('ses:list', 'calendar:admin.discard')],
        };
      }
    }
    state.step = 'list';
    const upcoming = (await sessions.list()).filter((s) => may(s.communeId));
    return {
      text: [msg(upcoming.length > 0 ? 'calendar:admin.list_title' : 'calendar:admin.list_empty')],
      options: [
        ...upcoming.map((s) => ({ id: `ses:s:${s.id}`, label: msg('calendar:admin.list_option', { ...sessions.noticeParams(s), status: msg(`calendar:status.${s.status}`) }) })),
        opt('ses:add', 'calendar:admin.add'),
        opt('ses:rot', 'calendar:admin.rotation'),
        opt('ses:menu', 'calendar:nav.menu'),
      ],
    };
  },

  async handle(ctx, input) {
    const { state, services } = ctx;
    const d = state.data;
    const o = 'option' in input ? input.option : undefined;
    const text = 'text' in input ? cleanInput(input.text) : undefined;
    const by = actorKey(ctx.owner);
    if (o === 'ses:menu') {
      goToMenu(state);
      return ok();
    }
    if (o === 'ses:list') {
      this.start(state);
      return ok();
    }
    // Their communes may have changed since the draft began: nothing beyond them is written.
    if (WRITING_STEPS.has(state.step) && !(await draftIsTheirs(ctx))) return go(ctx, 'list', {}, await refused(ctx, str(d, 'id') ?? str(d, 'commune') ?? null));
    switch (state.step) {
      case 'list':
        if (o?.startsWith('ses:s:')) return go(ctx, 'detail', { id: o.slice(6) });
        if (o === 'ses:add') return go(ctx, 'add_commune', { services: DEFAULT_SERVICES });
        if (o === 'ses:rot') return go(ctx, 'rot_communes', {});
        break;
      case 'detail':
        if (o === 'ses:move') return go(ctx, 'move_date', { id: str(d, 'id') });
        if (o === 'ses:cancel') return go(ctx, 'cancel_confirm', { id: str(d, 'id') });
        if (o === 'ses:notes') return go(ctx, 'notes', { id: str(d, 'id') });
        if (o === 'ses:map') return go(ctx, 'map', { id: str(d, 'id') });
        if (o === 'ses:cap') return go(ctx, 'cap', { id: str(d, 'id') });
        break;
      case 'add_commune': {
        const id = o?.startsWith('ses:c:') ? o.slice(6) : communeFromText(ctx, text);
        if (!id) return reject(msg('calendar:admin.unknown_commune'));
        if (!(await scopeOf(ctx))(id)) return reject(await refused(ctx, id));
        return next(ctx, 'add_date', { commune: id });
      }
      case 'add_date':
      case 'move_date': {
        if (o === 'ses:keep') return next(ctx, 'move_time', {});
        const date = o?.startsWith('ses:d:') ? o.slice(6) : parsedDate(ctx, text);
        if (!date) return reject(msg('calendar:admin.bad_date'));
        return next(ctx, state.step === 'add_date' ? 'add_time' : 'move_time', { date });
      }
      case 'add_time':
      case 'move_time':
      case 'rot_time': {
        if (o === 'ses:keep') return next(ctx, 'move_place', {});
        const range = parseTimeRange(o?.startsWith('ses:t:') ? o.slice(6) : (text ?? ''));
        if (!range) return reject(msg('calendar:admin.bad_time'));
        const after = { add_time: 'add_place', move_time: 'move_place', rot_time: 'rot_place' } as const;
        return next(ctx, after[state.step], { time: range.join('-') });
      }
      case 'add_place':
      case 'move_place':
      case 'rot_place': {
        if (o === 'ses:keep') return next(ctx, 'move_confirm', {});
        if (!text || text.length > TEXT_MAX) return reject(msg('calendar:admin.bad_text', { max: TEXT_MAX }));
        const after = { add_place: 'add_address', move_place: 'move_confirm', rot_place: 'rot_confirm' } as const;
        return next(ctx, after[state.step], { place: text });
      }
      case 'add_address':
        if (!text || text.length > TEXT_MAX) return reject(msg('calendar:admin.bad_text', { max: TEXT_MAX }));
        return next(ctx, 'add_services', { address: text });
      case 'add_services': {
        if (o === 'ses:v:done') return arr(d, 'services').length > 0 ? next(ctx, 'add_confirm', {}) : reject(msg('intake:services.none'));
        const toggled = SESSION_SERVICES.find((x) => o === `ses:v:${x}`);
        if (!toggled) break;
        const chosen = new Set(arr(d, 'services'));
        if (chosen.has(toggled)) chosen.delete(toggled);
        else chosen.add(toggled);
        d.services = SESSION_SERVICES.filter((x) => chosen.has(x));
        return { say: [], rejected: true };
      }
      case 'rot_communes': {
        const all = ownCommunes(ctx, await scopeOf(ctx));
        const picked = (text ?? '').split(/[\s,;.]+/).filter(Boolean).map((n) => all[Number(n) - 1]?.id);
        if (picked.length === 0 || picked.some((x) => x === undefined)) return reject(msg('calendar:admin.bad_rotation'));
        return next(ctx, 'rot_weeks', { communes: picked as string[] });
      }
      case 'rot_weeks': {
        const weeks = Number(text);
        if (!Number.isInteger(weeks) || weeks < 1 || weeks > 12) return reject(msg('calendar:admin.bad_weeks'));
        return next(ctx, 'rot_time', { weeks: String(weeks) });
      }
      case 'notes': {
        if (text === undefined || text.length > TEXT_MAX) return reject(msg('calendar:admin.bad_text', { max: TEXT_MAX }));
        await services.sessions.edit(str(d, 'id') ?? '', { notes: text }, by);
        return go(ctx, 'detail', { id: str(d, 'id') }, msg('calendar:admin.saved'));
      }
      case 'map': {
        if (!text || !/^https?:\/\/\S+$/i.test(text) || text.length > TEXT_MAX) return reject(msg('calendar:admin.bad_map'));
        await services.sessions.edit(str(d, 'id') ?? '', { mapUrl: text }, by);
        return go(ctx, 'detail', { id: str(d, 'id') }, msg('calendar:admin.saved'));
      }
      case 'cap': {
        const m = /^\s*(\d{1,4})\s*[\s,;/]\s*(\d{1,4})\s*$/.exec(text ?? '');
        if (!m) return reject(msg('calendar:admin.bad_capacity'));
        await services.sessions.edit(str(d, 'id') ?? '', { homeCapacity: Number(m[1]), rideCapacity: Number(m[2]) }, by);
        return go(ctx, 'detail', { id: str(d, 'id') }, msg('calendar:admin.saved'));
      }
      case 'add_confirm':
      case 'move_confirm':
      case 'cancel_confirm':
      case 'rot_confirm':
        if (o === 'ses:save') return save(ctx, by);
        break;
    }
    return reject(msg('common:menu.not_understood'));
  },

  back(ctx) {
    const back: Record<string, string> = {
      detail: 'list', add_commune: 'list', add_date: 'add_commune', add_time: 'add_date', add_place: 'add_time', add_address: 'add_place',
      add_services: 'add_address', add_confirm: 'add_services', move_date: 'detail', move_time: 'move_date', move_place: 'move_time',
      move_confirm: 'move_place', cancel_confirm: 'detail', notes: 'detail', map: 'detail', cap: 'detail', rot_communes: 'list', rot_weeks: 'rot_communes',
      rot_time: 'rot_weeks', rot_place: 'rot_time', rot_confirm: 'rot_place',
    };
    const to = back[ctx.state.step];
    if (to) ctx.state.step = to;
    else goToMenu(ctx.state);
  },
};

function go(ctx: FlowContext, step: string, data: Data, ...say: Msg[]): Outcome {
  ctx.state.step = step;
  ctx.state.data = data;
  return ok(...say);
}

function next(ctx: FlowContext, step: string, data: Data): Outcome {
  ctx.state.step = step;
  Object.assign(ctx.state.data, data);
  return ok();
}

async function save(ctx: FlowContext, by: string): Promise<Outcome> {
  const { state, services } = ctx;
  const d = state.data;
  const [startTime, endTime] = (str(d, 'time') ?? '-').split('-') as [string, string];
  switch (state.step) {
    case 'add_confirm': {
      const s = await services.sessions.create(
        { communeId: str(d, 'commune')!, date: str(d, 'date')!, startTime, endTime, placeName: str(d, 'place')!, address: str(d, 'address')!, mapUrl: null, services: arr(d, 'services') as SessionService[], homeCapacity: 0, rideCapacity: 0, notes: null },
        by,
      );
      return go(ctx, 'detail', { id: s.id }, msg('calendar:admin.added'));
    }
    case 'move_confirm': {
      const moved = await services.sessions.move(str(d, 'id')!, { date: str(d, 'date'), ...(str(d, 'time') ? { startTime, endTime } : {}), ...(str(d, 'place') ? { placeName: str(d, 'place'), address: str(d, 'place') } : {}) }, by);
      return go(ctx, 'detail', { id: str(d, 'id') }, msg(moved ? 'calendar:admin.moved' : 'calendar:admin.not_changed'));
    }
    case 'cancel_confirm': {
      const cancelled = await services.sessions.cancel(str(d, 'id')!, by);
      return go(ctx, 'list', {}, msg(cancelled ? 'calendar:admin.cancelled' : 'calendar:admin.not_changed'));
    }
    default: {
      const created = await services.sessions.generateRotation(arr(d, 'communes'), Number(str(d, 'weeks')), { startTime, endTime, placeName: str(d, 'place')!, address: str(d, 'place')!, mapUrl: null, services: DEFAULT_SERVICES, homeCapacity: 0, rideCapacity: 0, notes: null }, by);
      return go(ctx, 'list', {}, msg('calendar:admin.rotation_done', { count: created.length }));
    }
  }
}

/**
 * Which communes this commander keeps sessions for, read again at every step: as the console's
 * calendar, a commander of some communes sees and changes only their communes' sessions.
 */
async function scopeOf(ctx: FlowContext): Promise<(communeId: string) => boolean> {
  const me = await ctx.services.staff.whoIs(ctx.owner);
  return (communeId) => me !== undefined && oversees(me, communeId);
}

function ownCommunes(ctx: FlowContext, may: (communeId: string) => boolean): Area[] {
  return ctx.services.areas.communes().filter((c) => may(c.id));
}

/** The session the draft is about, if it is in one of their communes. */
async function ownSession(ctx: FlowContext, may: (communeId: string) => boolean, id: string | undefined): Promise<Session | undefined> {
  const s = await ctx.services.sessions.byId(id ?? '');
  return s && may(s.communeId) ? s : undefined;
}

/** Whether every commune the draft would write to (its session's, the new one's, the rotation's) is still theirs. */
async function draftIsTheirs(ctx: FlowContext): Promise<boolean> {
  const d = ctx.state.data;
  const may = await scopeOf(ctx);
  const id = str(d, 'id');
  if (id !== undefined && !(await ownSession(ctx, may, id))) return false;
  return [str(d, 'commune'), ...arr(d, 'communes')].every((c) => c === undefined || may(c));
}

/** A step beyond their communes: said kindly, and kept in the audit log (the session's or the commune's id, when known). */
async function refused(ctx: FlowContext, subject: string | null): Promise<Msg> {
  const me = await ctx.services.staff.whoIs(ctx.owner);
  if (me) await ctx.services.staff.refusedBeyondScope(me, subject);
  return msg('scope:area.not_yours');
}

function communeList(ctx: FlowContext, may: (communeId: string) => boolean): Msg {
  return msg('common:lines', { lines: list(ownCommunes(ctx, may).map((c, i) => msg('calendar:admin.commune_line', { n: i + 1, name: c.name })), 'line') });
}

function communeFromText(ctx: FlowContext, text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = ctx.services.areas.match(text);
  return m.kind === 'exact' ? m.area.id : m.areas.length === 1 ? m.areas[0]!.id : undefined;
}

function parsedDate(ctx: FlowContext, text: string | undefined): string | undefined {
  const r = parseLocalDate(text ?? '', new Date(ctx.services.clock.now()));
  return r.ok ? r.date : undefined;
}

function draftParams(ctx: FlowContext): Record<string, string> {
  const d = ctx.state.data;
  const commune = str(d, 'commune') ?? '';
  return {
    commune: ctx.services.areas.commune(commune)?.name ?? commune,
    date: formatVnDate(str(d, 'date') ?? '1970-01-01'),
    time: shownTime(str(d, 'time')),
    place: str(d, 'place') ?? '',
    address: str(d, 'address') ?? '',
  };
}

function rotationPlan(ctx: FlowContext): { date: string; commune: string }[] {
  const d = ctx.state.data;
  const communes = arr(d, 'communes');
  return upcomingSaturdays(new Date(ctx.services.clock.now()), Number(str(d, 'weeks') ?? 0)).map((date, i) => {
    const id = communes[i % communes.length] ?? '';
    return { date: formatVnDate(date), commune: ctx.services.areas.commune(id)?.name ?? id };
  });
}

