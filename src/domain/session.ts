import { upcomingSaturdays } from './dates.js';

export const SESSION_SERVICES = ['cccd', 'vneid1', 'vneid2', 'fire_class', 'health'] as const;
export type SessionService = (typeof SESSION_SERVICES)[number];
export type SessionStatus = 'planned' | 'cancelled' | 'moved';

export interface Session {
  id: string;
  communeId: string;
  placeName: string;
  address: string;
  mapUrl: string | null;
  /** YYYY-MM-DD, Asia/Ho_Chi_Minh */
  date: string;
  /** HH:MM */
  startTime: string;
  endTime: string;
  services: SessionService[];
  homeCapacity: number;
  rideCapacity: number;
  notes: string | null;
  status: SessionStatus;
  /** Date, times and place before the last move. */
  previous: Pick<Session, 'date' | 'startTime' | 'endTime' | 'placeName' | 'address'> | null;
  version: number;
}

export type SessionPatch = Partial<Omit<Session, 'id' | 'version'>>;

/** Still happening (planned, or moved to a new date). */
export function isOn(s: Pick<Session, 'status'>): boolean {
  return s.status !== 'cancelled';
}

/** "7:30-11:30", "7h30 - 11h", "18-23" → ["07:30", "11:30"]; the end must follow the start. */
export function parseTimeRange(input: string): [string, string] | undefined {
  const m = /^\s*(\d{1,2})(?:[:hg.](\d{2})?)?\s*[-–đến]+\s*(\d{1,2})(?:[:hg.](\d{2})?)?\s*h?\s*$/i.exec(input);
  if (!m) return undefined;
  const start = clock(Number(m[1]), Number(m[2] ?? 0));
  const end = clock(Number(m[3]), Number(m[4] ?? 0));
  return start && end && start < end ? [start, end] : undefined;
}

function clock(h: number, min: number): string | undefined {
  if (h > 23 || min > 59) return undefined;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/** "07:30–11:30", as a session's hours are shown. */
export function timeRange(startTime: string, endTime: string): string {
  return `${startTime}–${endTime}`;
}

/** Evening sessions (for factory workers) start at 17:00 or later. */
export function isEvening(s: Pick<Session, 'startTime'>): boolean {
  return s.startTime >= '17:00';
}

/**
 * "Every Saturday, rotating communes": the next `weeks` Saturdays after today, the communes
 * taken in turn. Returns the date and commune of each session to create.
 */
export function saturdayRotation(communeIds: string[], now: Date, weeks: number): { date: string; communeId: string }[] {
  if (communeIds.length === 0) return [];
  return upcomingSaturdays(now, weeks).map((date, i) => ({ date, communeId: communeIds[i % communeIds.length]! }));
}
