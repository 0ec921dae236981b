import { getCountries } from 'libphonenumber-js/max';
import { isFar, type Draft } from '../../../core/requests/fields.js';
import { msg } from '../../../domain/message.js';
import { describePhone, parseWorldPhone } from '../../../domain/phone.js';
import { cleanInput, foldText } from '../../../domain/text.js';
import { countryName, VN_COUNTRY, VN_ZONE, zoneByLocalHour, zonesOf } from '../../../domain/timezone.js';
import type { FlowContext } from '../../context.js';
import { ok, opt, reject } from '../../flow.js';
import type { Outcome, Prompt } from '../../types.js';

export { isFar };

/** Offered as buttons: where most of the unit's families work abroad; any other is typed. */
const OFFERED = ['KR', 'JP', 'TW'] as const;

/**
 * Where the relative is, remembered from the chat's last request that knew it: asked once per
 * chat, not once per request (erased with the requests).
 */
export async function rememberedZone(ctx: FlowContext): Promise<Pick<Draft, 'relativeCountry' | 'timeZone'>> {
  const last = (await ctx.services.requests.list(ctx.owner)).find((r) => r.timeZone);
  return last ? { relativeCountry: last.relativeCountry, timeZone: last.timeZone } : {};
}

/**
 * The relative's own number (or none): a foreign number tells their country, and its time zone
 * when the country has one; a Vietnamese number tells nothing (many keep theirs abroad).
 * `given` undefined: they chose to give none.
 */
export function acceptRelativePhone(ctx: FlowContext, given: { contact: string } | { text: string } | undefined): Outcome {
  const d = ctx.state.draft;
  const lang = ctx.state.lang;
  if (given === undefined) {
    d.relativePhone = '';
    return ok();
  }
  const r = parseWorldPhone('contact' in given ? sharedNumber(given.contact) : given.text, d.relativeCountry);
  if (!r.ok) {
    return reject(r.country ? msg('intake:relative.invalid_country', { country: countryName(r.country, lang), example: r.example ?? '' }) : msg('intake:relative.invalid'));
  }
  d.relativePhone = r.e164;
  const said = [msg('intake:relative.saved', { phone: describePhone(r.e164, lang) })];
  if (r.country !== VN_COUNTRY && r.country !== d.relativeCountry) {
    d.relativeCountry = r.country;
    const zones = zonesOf(r.country);
    // Several zones (the United States): the country question asks the time there instead.
    d.timeZone = zones.length === 1 ? zones[0] : undefined;
    if (d.timeZone) said.push(msg('intake:relative.zone_guessed', { country: countryName(r.country, lang) }));
  }
  return ok(...said);
}

/** A shared contact's number: Telegram sends it without its "+" ("821012345678"). */
function sharedNumber(phone: string): string {
  const t = phone.trim();
  return t.startsWith('+') || t.startsWith('0') ? t : `+${t}`;
}

/** Whether the country is known but not which of its zones: then the time there is asked. */
function needsTime(d: Draft): boolean {
  return d.relativeCountry !== undefined && d.timeZone === undefined && zonesOf(d.relativeCountry).length > 1;
}

export function countryPrompt(ctx: FlowContext): Prompt {
  const d = ctx.state.draft;
  const lang = ctx.state.lang;
  if (needsTime(d)) return { text: [msg('intake:country.ask_time', { country: countryName(d.relativeCountry!, lang) })], nav: true };
  return {
    text: [msg('intake:country.ask'), msg('intake:country.ask_typed')],
    options: [...OFFERED.map((c) => opt(`country:${c}`, 'intake:country.option', { name: countryName(c, lang) })), opt(`country:${VN_COUNTRY}`, 'intake:country.vietnam')],
    nav: true,
  };
}

export function acceptCountry(ctx: FlowContext, option: string | undefined, text: string | undefined): Outcome {
  const d = ctx.state.draft;
  const lang = ctx.state.lang;
  const typed = cleanInput(text ?? '').slice(0, 30);
  if (option === undefined && needsTime(d)) {
    const hour = readHour(text ?? '');
    const zone = hour === undefined ? undefined : zoneByLocalHour(d.relativeCountry!, hour, ctx.services.clock.now());
    if (!zone) return reject(msg('intake:country.time_invalid', { text: typed }));
    d.timeZone = zone;
    return ok(msg('intake:country.saved', { country: countryName(d.relativeCountry!, lang) }));
  }
  const picked = option?.startsWith('country:') ? option.slice('country:'.length) : findCountry(ctx, text ?? '');
  const zones = picked === VN_COUNTRY ? [VN_ZONE] : picked ? zonesOf(picked) : [];
  if (!picked || zones.length === 0) return reject(msg('intake:country.unknown', { text: typed }));
  d.relativeCountry = picked;
  d.timeZone = zones.length === 1 ? zones[0] : undefined;
  // Several zones: the same step asks the time there.
  if (!d.timeZone) return { say: [], rejected: true };
  return ok(msg('intake:country.saved', { country: picked === VN_COUNTRY ? msg('intake:country.vietnam') : countryName(picked, lang) }));
}

let names: Map<string, string> | undefined;

/** A typed country: its name in Vietnamese or English, with or without diacritics, or a word people use for it ("Mỹ"). */
function findCountry(ctx: FlowContext, text: string): string | undefined {
  if (!names) {
    names = new Map();
    for (const c of getCountries()) for (const lang of ['vi', 'en']) names.set(foldText(countryName(c, lang)), c);
  }
  const folded = foldText(cleanInput(text)).replace(/^(?:o|tai|nuoc|ben|in)\s+/, '').replace(/^(?:nuoc)\s+/, '');
  if (folded === '') return undefined;
  const found = names.get(folded) ?? names.get(foldText(text));
  if (found) return found;
  // "KR: Hàn" — the locale's own words for countries, editable there.
  for (const entry of ctx.services.words('intake:country.aliases')) {
    const [code, word] = entry.split(':');
    if (code && word && foldText(word) === folded) return code.trim().toUpperCase();
  }
  return undefined;
}

/** "21", "21 giờ", "9 giờ tối", "9:30 pm" → the hour on a 24-hour clock. */
function readHour(text: string): number | undefined {
  const folded = foldText(cleanInput(text));
  const m = /(\d{1,2})/.exec(folded);
  if (!m) return undefined;
  let h = Number(m[1]);
  // "tối" folds to "toi", as "tôi" (I) does: only after "giờ".
  if (h < 12 && /\b(?:gio chieu|gio toi|gio dem|chieu|pm)\b/.test(folded)) h += 12;
  return h <= 23 ? h : undefined;
}
