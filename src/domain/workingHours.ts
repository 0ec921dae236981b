import { VN_OFFSET_MS } from './dates.js';

/**
 * Working time in Vietnam: SLA clocks only run while officers are on duty, so a request filed
 * on Saturday night is not "late" on Sunday morning.
 */
export interface WorkingHours {
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  startMinute: number;
  endMinute: number;
  /** Days off (ISO dates, Vietnam): no working time on them. */
  holidays?: readonly string[];
}

const MINUTE = 60_000;

/** "07:30-17:00" on Monday to Saturday by default. */
export function parseWorkingHours(spec: string, days = [1, 2, 3, 4, 5, 6]): WorkingHours {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(spec.trim());
  if (!m) throw new Error(`working hours must look like 07:30-17:00, got "${spec}"`);
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (!(startMinute < endMinute && endMinute <= 24 * 60)) throw new Error(`working hours end before they start: "${spec}"`);
  return { days, startMinute, endMinute };
}

/** The instant `durationMs` of working time after `start`. */
export function addWorkingTime(start: number, durationMs: number, wh: WorkingHours): number {
  let remaining = durationMs;
  let t = start;
  for (let guard = 0; guard < 400; guard++) {
    const local = new Date(t + VN_OFFSET_MS);
    const dayStart = t - (local.getUTCHours() * 60 + local.getUTCMinutes()) * MINUTE - local.getUTCSeconds() * 1000 - local.getUTCMilliseconds();
    const open = dayStart + wh.startMinute * MINUTE;
    const close = dayStart + wh.endMinute * MINUTE;
    if (wh.days.includes(local.getUTCDay()) && t < close && !wh.holidays?.includes(local.toISOString().slice(0, 10))) {
      const from = Math.max(t, open);
      if (from + remaining <= close) return from + remaining;
      remaining -= close - from;
    }
    t = dayStart + 24 * 3600_000;
  }
  throw new Error('no working time in the next 400 days');
}

/** End of the day after `isoDate` in Vietnam: when a claimed visit for that day is overdue. */
export function endOfDayAfter(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`) - VN_OFFSET_MS + 2 * 24 * 3600_000 - 1;
}
