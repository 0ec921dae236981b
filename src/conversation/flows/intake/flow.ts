import { formatVnDate, parseLocalDate, upcomingSaturdays } from '../../../domain/dates.js';
import { list, msg, type Msg } from '../../../domain/message.js';
import { editableFields, summaryLines } from '../../../core/requests/fields.js';
import { MIN_BIRTH_YEAR, NAME_MAX, parseBirthYear, parsePersonName } from '../../../domain/person.js';
import { parseVnMobile } from '../../../domain/phone.js';
import { ADDRESS_MAX, CONDITIONS, MAX_PEOPLE, NOTES_MAX, SERVICES, type Service } from '../../../domain/request.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import type { Draft, Input, Outcome, Prompt } from '../../types.js';
import { type Session, timeRange } from '../../../domain/session.js';
import { goToMenu, ok, opt, reject, type Flow } from '../../flow.js';
import { scheduleFlow } from '../schedule/flow.js';

const DATE_CHOICES = 3;
const MAX_DAYS_AHEAD = 120;

type StepId =
  | 'consent'
  | 'relation'
  | 'subject_consent'
  | 'name'
  | 'birth_year'
  | 'condition'
  | 'commune'
  | 'address'
  | 'pickup'
  | 'people'
  | 'phone'
  | 'services'
  | 'date'
  | 'date_typed'
  | 'notes'
  | 'summary'
  | 'edit';

interface Step {
  /** Skipped when false for this draft (ride-only steps, the relative's consent). */
  applies?: (d: Draft) => boolean;
  /** Reached only from another step, never by walking forward. */
  hidden?: boolean;
  /** Whether the draft already has what this step asks (editing jumps to the first step without it). */
  filled?: (d: Draft) => boolean;
  prompt: (ctx: FlowContext) => Prompt | Promise<Prompt>;
  accept: (ctx: FlowContext, input: Input) => Outcome | Promise<Outcome>;
}

const textOf = (input: Input): string | undefined => ('text' in input ? input.text : undefined);
const optionOf = (input: Input): string | undefined => ('option' in input ? input.option : undefined);
const isRide = (d: Draft) => d.type === 'ride';

const STEPS: Record<StepId, Step> = {
  consent: {
    filled: (d) => d.consentAt !== undefined,
    prompt: ({ services: s }) => ({
      text: [msg('privacy:notice', { unit: s.unit.name, days: s.unit.retentionDays }), msg('common:safety.no_otp')],
      options: [opt('consent:yes', 'privacy:agree'), opt('consent:no', 'privacy:decline')],
      nav: true,
    }),
    accept: (ctx, input) => {
      const o = optionOf(input);
      if (o === 'consent:yes') {
        ctx.state.draft.consentAt = ctx.services.clock.now();
        return ok();
      }
      if (o === 'consent:no') {
        goToMenu(ctx.state);
        return ok(msg('privacy:declined', { phone: ctx.services.unit.phone }));
      }
      return reject(msg('common:menu.not_understood'));
    },
  },
  relation: {
    filled: (d) => d.filedFor !== undefined,
    prompt: () => ({
      text: [msg('intake:relation.ask')],
      options: [opt('rel:self', 'intake:relation.self'), opt('rel:other', 'intake:relation.other')],
      nav: true,
    }),
    accept: (ctx, input) => {
      const o = optionOf(input);
      if (o !== 'rel:self' && o !== 'rel:other') return reject(msg('common:menu.not_understood'));
      ctx.state.draft.filedFor = o === 'rel:self' ? 'self' : 'other';
      return ok();
    },
  },
  subject_consent: {
    applies: (d) => d.filedFor === 'other',
    prompt: () => ({
      text: [msg('intake:relation.ask_consent')],
      options: [opt('subj:yes', 'intake:relation.consent_yes'), opt('subj:no', 'intake:relation.consent_no')],
      nav: true,
    }),
    accept: (ctx, input) => {
      const o = optionOf(input);
      if (o === 'subj:yes') return ok();
      if (o === 'subj:no') {
        goToMenu(ctx.state);
        return ok(msg('intake:relation.need_consent'));
      }
      return reject(msg('common:menu.not_understood'));
    },
  },
  name: {
    filled: (d) => d.personName !== undefined,
    prompt: () => ({ text: [msg('intake:name.ask')], nav: true }),
    accept: (ctx, input) => {
      const r = parsePersonName(textOf(input) ?? '');
      if (!r.ok) return reject(msg(`intake:name.${r.reason}`, { max: NAME_MAX }));
      ctx.state.draft.personName = r.name;
      return ok();
    },
  },
  birth_year: {
    filled: (d) => d.birthYear !== undefined,
    prompt: () => ({ text: [msg('intake:birth_year.ask')], nav: true }),
    accept: (ctx, input) => {
      const now = new Date(ctx.services.clock.now());
      const r = parseBirthYear(textOf(input) ?? '', now);
      if (!r.ok) return reject(msg('intake:birth_year.invalid', { min: MIN_BIRTH_YEAR, max: now.getUTCFullYear() }));
      ctx.state.draft.birthYear = r.year;
      return ok();
    },
  },
  condition: {
    filled: (d) => d.condition !== undefined,
    prompt: () => ({
      text: [msg('intake:condition.ask')],
      options: CONDITIONS.map((c) => opt(`cond:${c}`, `intake:condition.${c}`)),
      nav: true,
    }),
    accept: (ctx, input) => {
      const c = CONDITIONS.find((x) => optionOf(input) === `cond:${x}`);
      if (!c) return reject(msg('common:menu.not_understood'));
      ctx.state.draft.condition = c;
      return ok();
    },
  },
  commune: {
    filled: (d) => d.communeId !== undefined,
    prompt: ({ state, services }) => {
      const suggested = state.data.suggest;
      const list = Array.isArray(suggested)
        ? suggested.map((id) => services.areas.commune(id)).filter((a) => a !== undefined)
        : services.areas.communes();
      if (services.areas.communes().length === 0) {
        return { text: [msg('intake:commune.none_configured', { phone: services.unit.phone })], nav: true };
      }
      return {
        text: [msg('intake:commune.ask')],
        // Long lists do not fit a phone screen; people type the name instead.
        options: list.length <= 12 ? list.map((a) => ({ id: `area:${a.id}`, label: msg('common:raw', { text: a.name }) })) : [],
        nav: true,
      };
    },
    accept: (ctx, input) => {
      const { state, services } = ctx;
      const o = optionOf(input);
      const chosen = o?.startsWith('area:') ? services.areas.commune(o.slice(5)) : undefined;
      const typed = textOf(input);
      let area = chosen;
      if (!area && typed !== undefined) {
        const m = services.areas.match(typed);
        if (m.kind === 'exact') area = m.area;
        else {
          const text = cleanInput(typed).slice(0, 60);
          if (m.areas.length > 0) {
            state.data.suggest = m.areas.map((a) => a.id);
            return reject(msg('intake:commune.suggest', { text }));
          }
          state.data.suggest = undefined;
          const list = services.areas.communes().map((a) => a.name).join(', ');
          return reject(msg('intake:commune.unknown', { text, list }));
        }
      }
      if (!area) return reject(msg('common:menu.not_understood'));
      state.data.suggest = undefined;
      // A different commune makes the street address meaningless.
      if (state.draft.communeId !== area.id) state.draft.address = undefined;
      state.draft.communeId = area.id;
      return ok();
    },
  },
  address: {
    filled: (d) => d.address !== undefined,
    prompt: ({ state, services }) => ({
      text: [msg('intake:address.ask', { commune: services.areas.commune(state.draft.communeId ?? '')?.name ?? '' })],
      nav: true,
    }),
    accept: (ctx, input) => {
      const r = boundedText(textOf(input), ADDRESS_MAX, 'intake:address');
      if ('error' in r) return reject(r.error);
      ctx.state.draft.address = r.value;
      return ok();
    },
  },
  pickup: {
    applies: isRide,
    filled: (d) => d.pickupAddress !== undefined,
    prompt: () => ({ text: [msg('intake:pickup.ask')], options: [opt('pickup:same', 'intake:pickup.same')], nav: true }),
    accept: (ctx, input) => {
      const d = ctx.state.draft;
      if (optionOf(input) === 'pickup:same') {
        d.pickupAddress = d.address ?? '';
        return ok();
      }
      const r = boundedText(textOf(input), ADDRESS_MAX, 'intake:address');
      if ('error' in r) return reject(r.error);
      d.pickupAddress = r.value;
      return ok();
    },
  },
  people: {
    applies: isRide,
    filled: (d) => d.people !== undefined,
    prompt: () => ({
      text: [msg('intake:people.ask')],
      options: [1, 2, 3, 4].map((n) => opt(`people:${n}`, 'intake:people.option', { count: n })),
      nav: true,
    }),
    accept: (ctx, input) => {
      const raw = optionOf(input)?.replace('people:', '') ?? textOf(input)?.trim() ?? '';
      const n = /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
      if (!(n >= 1 && n <= MAX_PEOPLE)) return reject(msg('intake:people.invalid', { max: MAX_PEOPLE }));
      ctx.state.draft.people = n;
      return ok();
    },
  },
  phone: {
    filled: (d) => d.phone !== undefined,
    prompt: () => ({ text: [msg('intake:phone.ask')], nav: true, askContact: true }),
    accept: (ctx, input) => {
      const raw = 'contact' in input ? input.contact : (textOf(input) ?? '');
      const r = parseVnMobile(raw);
      if (!r.ok) return reject(msg('intake:phone.invalid'));
      ctx.state.draft.phone = r.phone;
      return ok(msg('intake:phone.saved', { phone: r.phone }));
    },
  },
  services: {
    filled: (d) => (d.services?.length ?? 0) > 0,
    prompt: ({ state }) => {
      const selected = new Set(state.data.services ?? state.draft.services ?? []);
      return {
        text: [msg('intake:services.ask'), msg('intake:services.ask_typed')],
        options: [
          ...SERVICES.map((s) => ({
            id: `svc:${s}`,
            label: selected.has(s) ? msg('intake:services.selected', { label: msg(`intake:services.${s}`) }) : msg(`intake:services.${s}`),
          })),
          opt('svc:done', 'intake:services.done'),
        ],
        nav: true,
      };
    },
    accept: (ctx, input) => {
      const { state } = ctx;
      const current = new Set((state.data.services as Service[] | undefined) ?? state.draft.services ?? []);
      const o = optionOf(input);
      if (o === 'svc:done') {
        if (current.size === 0) return reject(msg('intake:services.none'));
        state.draft.services = SERVICES.filter((s) => current.has(s));
        state.data.services = undefined;
        return ok();
      }
      const toggled = SERVICES.find((s) => o === `svc:${s}`);
      if (toggled) {
        if (current.has(toggled)) current.delete(toggled);
        else current.add(toggled);
        state.data.services = [...current];
        return { say: [], rejected: true };
      }
      // "1,3" or "1 3": pick several at once and move on.
      const numbers = (textOf(input) ?? '').split(/[\s,;.+&]+/).filter(Boolean);
      const picked = numbers.map((n) => (/^\d$/.test(n) ? SERVICES[Number(n) - 1] : undefined));
      if (numbers.length > 1 && picked.every((s) => s !== undefined)) {
        state.draft.services = SERVICES.filter((s) => picked.includes(s));
        state.data.services = undefined;
        return ok();
      }
      return reject(msg('intake:services.none'));
    },
  },
  date: {
    filled: (d) => d.preferredDate !== undefined,
    prompt: async (ctx) => {
      const sessions = await sessionChoices(ctx);
      return {
        text: [msg(isRide(ctx.state.draft) ? 'intake:date.ask_ride' : 'intake:date.ask_home'), msg('intake:date.ask_typed')],
        options: [
          ...(sessions.length > 0
            ? sessions.map((s) => opt(`date:${s.date}`, 'intake:date.session', { date: formatVnDate(s.date), time: timeRange(s.startTime, s.endTime), place: s.placeName }))
            : upcomingSaturdays(new Date(ctx.services.clock.now()), DATE_CHOICES).map((d) => opt(`date:${d}`, 'intake:date.saturday', { date: formatVnDate(d) }))),
          opt('date:other', 'intake:date.other'),
        ],
        nav: true,
      };
    },
    accept: async (ctx, input) => {
      const o = optionOf(input);
      if (o === 'date:other') {
        ctx.state.step = 'date_typed';
        return { say: [], rejected: true };
      }
      if (o?.startsWith('date:')) {
        const sessions = await sessionChoices(ctx);
        const offered = sessions.length > 0 ? sessions.map((s) => s.date) : upcomingSaturdays(new Date(ctx.services.clock.now()), DATE_CHOICES);
        if (!offered.includes(o.slice(5))) return reject(msg('common:errors.stale_button'));
        ctx.state.draft.preferredDate = o.slice(5);
        return ok();
      }
      return acceptTypedDate(ctx, textOf(input));
    },
  },
  date_typed: {
    hidden: true,
    prompt: () => ({ text: [msg('intake:date.ask_typed')], nav: true }),
    accept: (ctx, input) => acceptTypedDate(ctx, textOf(input)),
  },
  notes: {
    filled: (d) => d.notes !== undefined,
    prompt: () => ({ text: [msg('intake:notes.ask')], options: [opt('notes:none', 'intake:notes.none')], nav: true }),
    accept: (ctx, input) => {
      if (optionOf(input) === 'notes:none') {
        ctx.state.draft.notes = '';
        return ok();
      }
      const r = boundedText(textOf(input), NOTES_MAX, 'intake:notes');
      if ('error' in r) return reject(r.error);
      ctx.state.draft.notes = r.value;
      return ok();
    },
  },
  summary: {
    prompt: (ctx) => {
      // The id is drawn before the summary is shown: a confirm tapped twice, on any replica, files one request.
      ctx.state.draft.requestId ??= ctx.services.requests.newRequestId();
      return {
      text: [msg('intake:summary.title'), summaryOf(ctx)],
      options: [opt('sum:confirm', 'intake:summary.confirm'), opt('sum:edit', 'intake:summary.edit')],
      nav: true,
      };
    },
    accept: async (ctx, input) => {
      const { state, services } = ctx;
      const o = optionOf(input);
      if (o === 'sum:edit') {
        state.step = 'edit';
        return { say: [], rejected: true };
      }
      if (o !== 'sum:confirm') return reject(msg('common:menu.not_understood'));
      state.draft.requestId ??= services.requests.newRequestId();
      const r = await services.requests.submit(state.draft.requestId, state.draft, ctx.owner, ctx.chat);
      // Then: be told about the commune's sessions? (Not asked again of a subscriber.)
      if (!(await scheduleFlow.offerSubscription(ctx, r.communeId))) goToMenu(state);
      return ok(msg('intake:done.message', { code: r.code, phone: r.phone }));
    },
  },
  edit: {
    hidden: true,
    prompt: ({ state }) => ({
      text: [msg('intake:summary.ask_edit')],
      options: editableFields(state.draft).map((f) => opt(`edit:${f.step}`, f.label)),
      nav: true,
    }),
    accept: (ctx, input) => {
      const f = editableFields(ctx.state.draft).find((x) => optionOf(input) === `edit:${x.step}`);
      if (!f || !(f.step in STEPS)) return reject(msg('common:menu.not_understood'));
      ctx.state.editing = true;
      ctx.state.step = f.step;
      return { say: [], rejected: true };
    },
  },
};

const ORDER = Object.keys(STEPS) as StepId[];

function acceptTypedDate(ctx: FlowContext, text: string | undefined): Outcome {
  const r = parseLocalDate(text ?? '', new Date(ctx.services.clock.now()), MAX_DAYS_AHEAD);
  if (!r.ok) return reject(msg(`intake:date.${r.reason}`, { text: cleanInput(text ?? '').slice(0, 30), days: MAX_DAYS_AHEAD }));
  ctx.state.draft.preferredDate = r.date;
  return ok();
}

function boundedText(text: string | undefined, max: number, ns: string): { value: string } | { error: Msg } {
  const value = cleanInput(text ?? '');
  if (value === '') return { error: msg(`${ns}.empty`) };
  if (value.length > max) return { error: msg(`${ns}.too_long`, { max }) };
  return { value };
}

function summaryOf({ state, services }: FlowContext): Msg {
  return msg('common:lines', { lines: list(summaryLines(state.draft, { communeName: (id) => services.areas.communeName(id) }), 'line') });
}

function applies(step: StepId, d: Draft): boolean {
  const s = STEPS[step];
  return !s.hidden && (s.applies?.(d) ?? true);
}

function stepOf(id: string): Step {
  return STEPS[(ORDER.includes(id as StepId) ? id : 'consent') as StepId];
}

/** Where to go after a step accepted its input. */
function advance(ctx: FlowContext, from: StepId): void {
  const { state } = ctx;
  if (state.editing) {
    // Editing one field: fill what that change emptied (a new commune needs a new address), then the summary.
    const missing = ORDER.find((id) => applies(id, state.draft) && STEPS[id].filled && !STEPS[id].filled(state.draft));
    state.step = missing ?? 'summary';
    if (!missing) state.editing = false;
    return;
  }
  const origin = from === 'date_typed' ? 'date' : from;
  const next = ORDER.slice(ORDER.indexOf(origin) + 1).find((id) => applies(id, state.draft));
  state.step = next ?? 'summary';
}

export const intakeFlow: Flow = {
  start(state, variant) {
    state.flow = 'intake';
    state.step = 'consent';
    state.editing = false;
    state.data = {};
    state.draft = { type: variant === 'ride' ? 'ride' : 'home' };
  },

  prompt(ctx) {
    return stepOf(ctx.state.step).prompt(ctx);
  },

  async handle(ctx, input) {
    const from = ctx.state.step as StepId;
    const outcome = await stepOf(from).accept(ctx, input);
    // A step that moved elsewhere itself (menu, a sub-step) or refused the input decides alone.
    if (!outcome.rejected && ctx.state.flow === 'intake' && ctx.state.step === from) advance(ctx, from);
    return outcome;
  },

  back(ctx) {
    const { state } = ctx;
    const step = state.step as StepId;
    state.data.suggest = undefined;
    if (state.editing || step === 'edit') {
      state.editing = false;
      state.step = 'summary';
      return;
    }
    if (step === 'date_typed') {
      state.step = 'date';
      return;
    }
    const previous = ORDER.slice(0, ORDER.indexOf(step))
      .reverse()
      .find((id) => applies(id, state.draft));
    if (previous) state.step = previous;
    else goToMenu(state);
  },
};

/** The real sessions of the person's commune ahead (from tomorrow), when the calendar has them. */
async function sessionChoices(ctx: FlowContext): Promise<Session[]> {
  const { communeId } = ctx.state.draft;
  if (!communeId) return [];
  const today = ctx.services.sessions.today();
  return (await ctx.services.sessions.upcoming(communeId, DATE_CHOICES + 1)).filter((s) => s.date > today).slice(0, DATE_CHOICES);
}
