import { localTime } from './timezone.js';

/**
 * Quiet hours for a relative far away: no notice between 22:00 and 07:00 on their clock. A notice
 * that falls inside them is held (never dropped) until 07:00 there.
 */
export const QUIET_FROM_MINUTES = 22 * 60;
export const QUIET_UNTIL_MINUTES = 7 * 60;

/** When a notice planned at `nowMs` may go out in `zone`: `nowMs` itself outside quiet hours, else the next 07:00 there. */
export function notBefore(nowMs: number, zone: string): number {
  const { minutes } = localTime(nowMs, zone);
  if (minutes >= QUIET_UNTIL_MINUTES && minutes < QUIET_FROM_MINUTES) return nowMs;
  const wait = minutes >= QUIET_FROM_MINUTES ? 24 * 60 - minutes + QUIET_UNTIL_MINUTES : QUIET_UNTIL_MINUTES - minutes;
  // From the start of this minute: 07:00 sharp, not 07:00 and the seconds it was planned at.
  return nowMs - (nowMs % 60_000) + wait * 60_000;
}
