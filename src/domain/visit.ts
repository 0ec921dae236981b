import { addDays, weekday } from './dates.js';
import { msg, type Msg } from './message.js';
import type { Visit } from './request.js';

export type VisitField = 'date' | 'from' | 'to';
export type VisitCheck = { ok: true; visit: Visit } | { ok: false; field: VisitField; reason: 'missing' | 'format' | 'past' | 'too_far' | 'order' };

const TIME = /^([01]?\d|2[0-3])[:hH.]?([0-5]\d)?$/;

/** "9", "9h", "9:30", "09.30" → "09:30"; undefined when it is not a time of day. */
export function parseTimeOfDay(s: string): string | undefined {
  const m = TIME.exec(s.trim());
  if (!m) return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
}

/**
 * When an officer says they will come: a day from today to `maxDaysAhead` on, and a window
 * whose end is after its start. The first field that is wrong is named, for its message.
 */
export function checkVisit(input: { date?: string; from?: string; to?: string }, today: string, maxDaysAhead = 60): VisitCheck {
  const date = (input.date ?? '').trim();
  if (!date) return { ok: false, field: 'date', reason: 'missing' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return { ok: false, field: 'date', reason: 'format' };
  if (date < today) return { ok: false, field: 'date', reason: 'past' };
  if (date > addDays(today, maxDaysAhead)) return { ok: false, field: 'date', reason: 'too_far' };
  if (!input.from?.trim()) return { ok: false, field: 'from', reason: 'missing' };
  const from = parseTimeOfDay(input.from);
  if (!from) return { ok: false, field: 'from', reason: 'format' };
  if (!input.to?.trim()) return { ok: false, field: 'to', reason: 'missing' };
  const to = parseTimeOfDay(input.to);
  if (!to) return { ok: false, field: 'to', reason: 'format' };
  if (to <= from) return { ok: false, field: 'to', reason: 'order' };
  return { ok: true, visit: { date, from, to } };
}

/** "2026-12-05" → "thứ Bảy 05/12": how a visit's day is said to a citizen and shown to staff. */
export function dayMsg(iso: string): Msg {
  const [, m, d] = iso.split('-');
  return msg('common:day', { weekday: msg(`common:weekday.${weekday(iso)}`), date: `${d}/${m}` });
}

/** "09:00" → "9:00", as people write it. */
export function shortTime(hhmm: string): string {
  return hhmm.replace(/^0(\d)/, '$1');
}

/** The window of a visit as its message parameters. */
export function visitParams(v: Visit): { day: Msg; from: string; to: string } {
  return { day: dayMsg(v.date), from: shortTime(v.from), to: shortTime(v.to) };
}
