import { msg, type Msg } from '../../domain/message.js';
import { notBefore } from '../../domain/quietHours.js';
import type { CitizenRequest } from '../../domain/request.js';
import { countryName, localTime, VN_ZONE, vnInstant } from '../../domain/timezone.js';
import { dayMsg, shortTime } from '../../domain/visit.js';
import type { CitizenEvent } from '../ports.js';

/**
 * Sent whatever the hour on the relative's clock: the visit time itself (the home must be ready
 * for it) and the officer failing to reach the home during the visit (only the relative can help
 * then). Answers to their questions are not request notices and are never held either.
 */
const ANY_HOUR: readonly CitizenEvent[] = ['visit', 'contact_failed'];
/** Notices that say when the officer comes. */
const WITH_VISIT_TIME: readonly CitizenEvent[] = ['claimed', 'visit', 'reminder_visit'];

/** Said to the relative about the home's number, not their own: the officer called the home. */
const ABOUT_THE_HOME: readonly CitizenEvent[] = ['contact_failed', 'unreachable'];

/** The wording of a notice to a relative far away, where it differs from the usual one. */
export function farAwayKey(r: CitizenRequest, event: CitizenEvent): string | undefined {
  return r.relativeCountry !== undefined && ABOUT_THE_HOME.includes(event) ? `abroad:notify.${event}` : undefined;
}

/**
 * A notice to a relative far away: when it may go out (their quiet hours) and the visit time on
 * their clock as well as Vietnam's ("thứ Bảy 05/12, 9:00 giờ Việt Nam, tức 11:00 ở Hàn Quốc").
 */
export function farAwayNotice(r: CitizenRequest, zone: string, event: CitizenEvent, now: number): { notBefore?: number; theirTime?: Msg } {
  const at = ANY_HOUR.includes(event) ? now : notBefore(now, zone);
  const theirTime = r.visit && zone !== VN_ZONE && WITH_VISIT_TIME.includes(event) ? visitInZone(r.visit, zone, r.relativeCountry) : undefined;
  return { ...(at > now ? { notBefore: at } : {}), ...(theirTime ? { theirTime } : {}) };
}

export function visitInZone(v: NonNullable<CitizenRequest['visit']>, zone: string, country: string | undefined): Msg {
  const local = localTime(vnInstant(v.date, v.from), zone);
  const params = { day: dayMsg(v.date), from: shortTime(v.from), local: shortTime(local.time), country: country ? countryName(country) : zone };
  return local.date === v.date ? msg('abroad:notify.their_time', params) : msg('abroad:notify.their_time_day', { ...params, localDay: dayMsg(local.date) });
}
