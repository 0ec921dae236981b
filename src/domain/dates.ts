/** All calendar reasoning happens in Vietnam's time zone, whatever the server's TZ is. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const VN_OFFSET_MS = 7 * 3600_000; // Vietnam has no daylight saving time.

/** YYYY-MM-DD of the given instant in Vietnam. */
export function localDate(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(isoDate: string): number {
  return new Date(`${isoDate}T00:00:00Z`).getUTCDay();
}

/** The next `count` Saturdays strictly after today (today's session is already under way). */
export function upcomingSaturdays(now: Date, count: number): string[] {
  const today = localDate(now);
  const first = addDays(today, ((6 - weekday(today) + 7) % 7) || 7);
  return Array.from({ length: count }, (_, i) => addDays(first, i * 7));
}

export type DateResult = { ok: true; date: string } | { ok: false; reason: 'format' | 'past' | 'too_far' };

/** Accepts "d/m", "d/m/yyyy", "d-m-yy", "d.m"; the year defaults to the next occurrence. */
export function parseLocalDate(input: string, now: Date, maxDaysAhead = 180): DateResult {
  const m = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?\s*$/.exec(input);
  if (!m) return { ok: false, reason: 'format' };
  const today = localDate(now);
  const day = Number(m[1]);
  const month = Number(m[2]);
  let year = m[3] ? Number(m[3]) : Number(today.slice(0, 4));
  if (year < 100) year += 2000;
  const iso = toIso(year, month, day);
  if (!iso) return { ok: false, reason: 'format' };
  let date = iso;
  if (!m[3] && date <= today) date = toIso(year + 1, month, day) ?? date;
  if (date <= today) return { ok: false, reason: 'past' };
  if (date > addDays(today, maxDaysAhead)) return { ok: false, reason: 'too_far' };
  return { ok: true, date };
}

function toIso(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

/** 2026-11-28 → 28/11/2026, the way dates are written in Vietnam. */
export function formatVnDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/** The hour (0–23) of an instant in Vietnam. */
export function localHour(ms: number): number {
  return new Date(ms + VN_OFFSET_MS).getUTCHours();
}

/** An instant as "28/11/2026 18:05" in Vietnam. */
export function formatVnDateTime(ms: number): string {
  const iso = new Date(ms + VN_OFFSET_MS).toISOString();
  return `${formatVnDate(iso.slice(0, 10))} ${iso.slice(11, 16)}`;
}
