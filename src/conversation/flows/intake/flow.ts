import { formatVnDate, parseLocalDate } from '../../../domain/dates.js';
import { list, msg, type Msg } from '../../../domain/message.js';
import { editableFields, summaryLines } from '../../../core/requests/fields.js';
import type { LimitVerdict } from '../../../core/requests/limits.js';
import { MIN_BIRTH_YEAR, NAME_MAX, parsePersonName, readBirthYear, UNKNOWN_BIRTH_YEAR } from '../../../domain/person.js';
import { parseVnPhone } from '../../../domain/phone.js';
import { ADDRESS_MAX, CONDITIONS, MAX_PEOPLE, NOTES_MAX, SERVICES, type Service } from '../../../domain/request.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import { matchesAny } from '../../optionMatch.js';
import type { Draft, Input, Outcome, Prompt } from '../../types.js';
import { type Session, timeRange } from '../../../domain/session.js';
import { goToMenu, ok, opt, reject, type Flow } from '../../flow.js';
import { scheduleFlow } from '../schedule/flow.js';
import { communeOptions, forgetTypedCommune, readCommune } from './commune.js';
import { acceptCountry, acceptRelativePhone, countryPrompt, isFar, rememberedZone } from './farAway.js';

const DATE_CHOICES = 3;
const MAX_DAYS_AHEAD = 120;

type StepId =
  | 'consent'
  | 'relation'
  | 'subject_consent'
  | 'name'
  | 'birth_year'
  | 'birth_year_confirm'
  | 'condition'
  | 'commune'
  | 'address'
  | 'pickup'
  | 'people'
  | 'phone'
  | 'relative_phone'
  | 'country'
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
/** Whom the questions address: "you" when filed for oneself, "that person" when for someone else. */
const who = (d: Draft) => (d.filedFor === 'self' ? 'self' : 'other');

const STEPS: Record<StepId, Step> = {
  consent: {
    filled: (d) => d.consentAt !== undefined,
    prompt: ({ services: s }) => ({
      text: [msg('privacy:notice', { unit: s.unit.name, days: s.unit.retentionDays }), msg('common:safety.no_otp')],
      options: [opt('consent:yes', 'privacy:agree'), opt('consent:no', 'privacy:decline')],
      nav: true,
    }),
    accept: async (ctx, input) => {
      const o = optionOf(input);
      if (o === 'consent:yes') {
        // Told now, before they type a whole request that could not be filed.
        const refused = await overLimit(ctx);
        if (refused) return refused;
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
      options: [opt('rel:self', 'intake:relation.self'), opt('rel:other', 'intake:relation.other'), opt('rel:far', 'intake:relation.far')],
      nav: true,
    }),
    accept: async (ctx, input) => {
      const o = optionOf(input);
      if (o !== 'rel:self' && o !== 'rel:other' && o !== 'rel:far') return reject(msg('common:menu.not_understood'));
      const d = ctx.state.draft;
      d.filedFor = o === 'rel:self' ? 'self' : 'other';
      // Far away: the home's number and theirs are two contacts; where they are is asked once per chat.
      d.far = o === 'rel:far' ? true : undefined;
      if (d.far) Object.assign(d, await rememberedZone(ctx));
      else d.relativePhone = d.relativeCountry = d.timeZone = undefined;
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
    prompt: ({ state }) => ({ text: [msg(`intake:name.ask_${who(state.draft)}`)], nav: true }),
    accept: (ctx, input) => {
      const r = parsePersonName(textOf(input) ?? '');
      if (!r.ok) return reject(msg(`intake:name.${r.reason}`, { max: NAME_MAX }));
      ctx.state.draft.personName = r.name;
      return ok();
    },
  },
  birth_year: {
    filled: (d) => d.birthYear !== undefined,
    prompt: ({ state }) => ({
      text: [msg(`intake:birth_year.ask_${who(state.draft)}`)],
      options: [opt('by:unknown', 'intake:birth_year.unknown')],
      nav: true,
    }),
    accept: (ctx, input) => acceptBirthYear(ctx, input),
  },
  birth_year_confirm: {
    hidden: true,
    prompt: ({ state }) => {
      const year = Number(state.data.yearGuess);
      const age = state.data.yearAge;
      return {
        text: [
          age !== undefined
            ? msg(`intake:birth_year.confirm_age_${who(state.draft)}`, { year, age: Number(age) })
            : msg(`intake:birth_year.confirm_${who(state.draft)}`, { year }),
        ],
        options: [opt('by:yes', 'intake:birth_year.yes', { year }), opt('by:no', 'intake:birth_year.no'), opt('by:unknown', 'intake:birth_year.unknown')],
        nav: true,
      };
    },
    accept: (ctx, input) => {
      const { state } = ctx;
      const o = optionOf(input);
      const typed = textOf(input);
      if (o === 'by:yes' || (typed !== undefined && matchesAny(typed, ctx.services.words('intake:birth_year.yes_words')))) {
        state.draft.birthYear = Number(state.data.yearGuess);
        clearGuess(ctx);
        return ok();
      }
      if (o === 'by:no') {
        clearGuess(ctx);
        state.step = 'birth_year';
        return reject(msg('intake:birth_year.retype'));
      }
      // A whole year typed instead of yes or no is the answer; so is "không nhớ".
      return acceptBirthYear(ctx, input);
    },
  },
  condition: {
    filled: (d) => d.condition !== undefined,
    prompt: ({ state }) => ({
      text: [msg(`intake:condition.ask_${who(state.draft)}`)],
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
    prompt: (ctx) => {
      const { state, services } = ctx;
      if (services.areas.communes().length === 0) {
        return { text: [msg('intake:commune.none_configured', { phone: services.unit.phone })], nav: true };
      }
      return { text: [msg(`intake:commune.ask_${who(state.draft)}`)], options: communeOptions(ctx, 'area:'), nav: true };
    },
    accept: async (ctx, input) => {
      const { state } = ctx;
      const r = readCommune(ctx, input, 'area:');
      if (r.kind === 'ask') return reject(r.say);
      if (r.kind === 'none') return reject(msg('common:menu.not_understood'));
      // A different commune makes the street address meaningless, and a session chosen there too
      // (the day is asked again).
      if (state.draft.communeId !== r.area.id) {
        state.draft.address = undefined;
        if (state.draft.sessionId !== undefined) {
          state.draft.preferredDate = undefined;
          state.draft.sessionId = undefined;
          state.draft.waitlisted = undefined;
        }
      }
      state.draft.communeId = r.area.id;
      // The person is known now (name, year, commune): a request already open for them is said at once.
      const refused = await overLimit(ctx);
      if (refused) return refused;
      return ok(...r.say);
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
    // Far away, the number is the home's: their own phone's contact would be the wrong one.
    prompt: ({ state }) => (isFar(state.draft) ? { text: [msg('intake:phone.ask_home')], nav: true } : { text: [msg('intake:phone.ask')], nav: true, askContact: true }),
    accept: async (ctx, input) => {
      const raw = 'contact' in input ? input.contact : (textOf(input) ?? '');
      const r = parseVnPhone(raw);
      if (!r.ok) return reject(msg(isFar(ctx.state.draft) ? 'intake:phone.invalid_home' : 'intake:phone.invalid'));
      ctx.state.draft.phone = r.phone;
      const refused = await overLimit(ctx);
      if (refused) return refused;
      // Officers call it while on the road and text it: a landline works, a mobile works better.
      return ok(msg('intake:phone.saved', { phone: r.phone }), ...(r.kind === 'landline' ? [msg('intake:phone.landline')] : []));
    },
  },
  relative_phone: {
    applies: isFar,
    filled: (d) => d.relativePhone !== undefined,
    prompt: () => ({ text: [msg('intake:relative.ask')], options: [opt('relph:skip', 'intake:relative.skip')], nav: true, askContact: true }),
    accept: (ctx, input) => acceptRelativePhone(ctx, optionOf(input) === 'relph:skip' ? undefined : 'contact' in input ? { contact: input.contact } : { text: textOf(input) ?? '' }),
  },
  country: {
    // Asked once: not when their number or an earlier request of the chat told where they are.
    applies: (d) => isFar(d) && d.timeZone === undefined,
    filled: (d) => d.timeZone !== undefined,
    prompt: (ctx) => countryPrompt(ctx),
    accept: (ctx, input) => acceptCountry(ctx, optionOf(input), textOf(input)),
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
      const choices = await sessionChoices(ctx);
      const ride = isRide(ctx.state.draft);
      if (choices.length === 0) {
        // No session to offer: say so, and ask the day they would like (never an invented session).
        const commune = ctx.services.areas.communeName(ctx.state.draft.communeId ?? '');
        return { text: [msg(ride ? 'intake:date.no_session_ride' : 'intake:date.no_session_home', { commune })], nav: true };
      }
      const anyFull = choices.some((c) => c.full);
      return {
        text: [msg(ride ? 'intake:date.ask_ride' : 'intake:date.ask_home'), ...(anyFull ? [msg('intake:date.full_note')] : []), msg('intake:date.ask_typed')],
        options: [
          ...choices.map(({ session: s, full }) =>
            opt(`date:${full ? 'w' : 's'}:${s.id}`, full ? 'intake:date.session_full' : 'intake:date.session', {
              date: formatVnDate(s.date),
              time: timeRange(s.startTime, s.endTime),
              place: s.placeName,
            }),
          ),
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
      const picked = /^date:([sw]):(.+)$/.exec(o ?? '');
      if (picked) {
        const choice = (await sessionChoices(ctx)).find((c) => c.session.id === picked[2]);
        if (!choice) return reject(msg('common:errors.stale_button'));
        // It filled up since it was offered: offered again, now as a wait list.
        if (choice.full && picked[1] === 's') return reject(msg('intake:date.became_full', { date: formatVnDate(choice.session.date) }));
        bindSession(ctx, choice.session, choice.full);
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
      const refused = await overLimit(ctx);
      if (refused) return refused;
      await recheckPlaces(ctx);
      const r = await services.requests.submit(state.draft.requestId, state.draft, ctx.owner, ctx.chat, { waitlisted: state.draft.waitlisted === true });
      const said = [msg('intake:done.message', { code: r.code, phone: r.phone })];
      if (r.waitlisted) said.push(msg('intake:done.waitlisted', { date: formatVnDate(r.preferredDate) }));
      // Then: be told about the commune's sessions? (Not asked again of a subscriber.)
      if (!(await scheduleFlow.offerSubscription(ctx, r.communeId))) goToMenu(state);
      return ok(...said);
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
/** The step a hidden one belongs to: the walk goes on from there. */
const ORIGIN: Partial<Record<StepId, StepId>> = { date_typed: 'date', birth_year_confirm: 'birth_year' };

async function acceptTypedDate(ctx: FlowContext, text: string | undefined): Promise<Outcome> {
  const r = parseLocalDate(text ?? '', new Date(ctx.services.clock.now()), MAX_DAYS_AHEAD);
  if (!r.ok) return reject(msg(`intake:date.${r.reason}`, { text: cleanInput(text ?? '').slice(0, 30), days: MAX_DAYS_AHEAD }));
  // The day of one of the commune's sessions is that session, with its places (typing its date
  // must not get round a full one).
  const session = (await ctx.services.sessions.upcoming(ctx.state.draft.communeId, 20)).find((s) => s.date === r.date && s.communeId === ctx.state.draft.communeId);
  if (session) {
    bindSession(ctx, session, await ctx.services.limits.sessionFull(session, ctx.state.draft.type ?? 'home'));
    return ok();
  }
  ctx.state.draft.preferredDate = r.date;
  ctx.state.draft.sessionId = undefined;
  ctx.state.draft.waitlisted = undefined;
  return ok();
}

function bindSession(ctx: FlowContext, s: Session, full: boolean): void {
  const d = ctx.state.draft;
  d.preferredDate = s.date;
  d.sessionId = s.id;
  d.waitlisted = full ? true : undefined;
}

/**
 * A typed birth year: a whole year is taken; two digits or an age are asked back ("1941?"),
 * since "41" is as likely an age; "không nhớ" stores the year as unknown.
 */
function acceptBirthYear(ctx: FlowContext, input: Input): Outcome {
  const { state, services } = ctx;
  const typed = textOf(input);
  if (optionOf(input) === 'by:unknown' || (typed !== undefined && matchesAny(typed, services.words('intake:birth_year.unknown_words')))) {
    state.draft.birthYear = UNKNOWN_BIRTH_YEAR;
    clearGuess(ctx);
    return ok();
  }
  const now = new Date(services.clock.now());
  const r = readBirthYear(typed ?? '', now);
  if (r.kind === 'year') {
    state.draft.birthYear = r.year;
    clearGuess(ctx);
    return ok();
  }
  if (r.kind === 'guess') {
    state.data.yearGuess = String(r.year);
    state.data.yearAge = r.from === 'age' ? String(now.getUTCFullYear() - r.year) : undefined;
    state.step = 'birth_year_confirm';
    return { say: [], rejected: true };
  }
  return reject(msg('intake:birth_year.invalid', { min: MIN_BIRTH_YEAR, max: now.getUTCFullYear() }));
}

function clearGuess(ctx: FlowContext): void {
  ctx.state.data.yearGuess = undefined;
  ctx.state.data.yearAge = undefined;
}

/**
 * The limits, checked on what the draft holds so far: refused, the draft is dropped (nothing
 * half-saved) and the person hears why and what they can do instead.
 */
async function overLimit(ctx: FlowContext): Promise<Outcome | undefined> {
  const verdict = await ctx.services.limits.check(ctx.state.draft, ctx.chat);
  if (verdict.ok) return undefined;
  const say = limitWords(ctx, verdict);
  goToMenu(ctx.state);
  return ok(...say);
}

function limitWords(ctx: FlowContext, v: Exclude<LimitVerdict, { ok: true }>): Msg[] {
  const phone = ctx.services.unit.phone;
  if (v.reason === 'same_person') {
    const r = v.existing;
    const mine = r.channel === ctx.owner.channel && r.userId === ctx.owner.userId;
    return [
      msg('intake:limit.same_person', { name: ctx.state.draft.personName ?? r.personName, code: r.code, status: msg(`requests:status.${r.status}`) }),
      msg(mine ? 'intake:limit.what_now' : 'intake:limit.what_now_other', { phone }),
    ];
  }
  const said = v.reason === 'chat' ? msg('intake:limit.chat', { open: v.open, max: v.max }) : msg('intake:limit.phone', { number: ctx.state.draft.phone ?? '', open: v.open, max: v.max });
  return [said, msg('intake:limit.what_now', { phone })];
}

function boundedText(text: string | undefined, max: number, ns: string): { value: string } | { error: Msg } {
  const value = cleanInput(text ?? '');
  if (value === '') return { error: msg(`${ns}.empty`) };
  if (value.length > max) return { error: msg(`${ns}.too_long`, { max }) };
  return { value };
}

function summaryOf({ state, services }: FlowContext): Msg {
  const lines = summaryLines(state.draft, { communeName: (id) => services.areas.communeName(id) });
  if (state.draft.waitlisted) lines.push(msg('intake:summary.waitlist'));
  return msg('common:lines', { lines: list(lines, 'line') });
}

/**
 * The session's places may have gone (or freed) since the day was chosen: the request is filed
 * as it stands now, and the confirmation says which.
 */
async function recheckPlaces(ctx: FlowContext): Promise<void> {
  const d = ctx.state.draft;
  if (!d.sessionId) return;
  const s = await ctx.services.sessions.byId(d.sessionId);
  if (!s || s.status === 'cancelled') return;
  // Already filed (a retried confirm): it stays as it was stored.
  if (d.requestId && (await ctx.services.requests.byId(d.requestId))) return;
  d.waitlisted = (await ctx.services.limits.sessionFull(s, d.type ?? 'home')) ? true : undefined;
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
  const origin = ORIGIN[from] ?? from;
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
    forgetTypedCommune(ctx);
    if (step === 'birth_year_confirm') {
      clearGuess(ctx);
      state.step = 'birth_year';
      return;
    }
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

/** The real sessions of the person's commune ahead (from tomorrow), each with whether it is full for this request's type. */
async function sessionChoices(ctx: FlowContext): Promise<{ session: Session; full: boolean }[]> {
  const { communeId, type } = ctx.state.draft;
  if (!communeId) return [];
  const today = ctx.services.sessions.today();
  const sessions = (await ctx.services.sessions.upcoming(communeId, DATE_CHOICES + 1)).filter((s) => s.date > today).slice(0, DATE_CHOICES);
  return Promise.all(sessions.map(async (session) => ({ session, full: await ctx.services.limits.sessionFull(session, type ?? 'home') })));
}
