import { randomInt } from 'node:crypto';
import type { ChannelId } from './address.js';

export const REQUEST_TYPES = ['home', 'ride'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** What the visit needs to know about mobility; never a diagnosis (health data is sensitive). */
export const CONDITIONS = ['bedridden', 'wheelchair', 'very_old', 'alone', 'other'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const SERVICES = ['cccd_new', 'cccd_reissue', 'vneid_l2', 'other'] as const;
export type Service = (typeof SERVICES)[number];

export const STATUSES = ['new', 'assigned', 'claimed', 'done', 'unassigned', 'cancelled'] as const;
export type RequestStatus = (typeof STATUSES)[number];

export const OPEN_STATUSES: readonly RequestStatus[] = ['new', 'assigned', 'claimed', 'unassigned'];

export function isOpen(status: RequestStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export function canCitizenCancel(status: RequestStatus): boolean {
  return isOpen(status);
}

/** Lower number = served first. Bedridden people cannot come to a session at all. */
export function priorityOf(condition: Condition): number {
  return { bedridden: 0, wheelchair: 1, very_old: 2, alone: 3, other: 3 }[condition];
}

export const MAX_PEOPLE = 6;
export const ADDRESS_MAX = 200;
export const NOTES_MAX = 500;

/** Consent text version recorded with every request, so we can show later what was agreed to. */
export const CONSENT_VERSION = '2026-11';

/** Everything the intake collects; the draft is this with every field optional. */
export interface RequestFields {
  type: RequestType;
  filedFor: 'self' | 'other';
  consentAt: number;
  personName: string;
  birthYear: number;
  condition: Condition;
  communeId: string;
  address: string;
  pickupAddress?: string;
  people?: number;
  phone: string;
  services: Service[];
  preferredDate: string;
  notes?: string;
  /** The session it is for: a ride to it, or a home visit on its day (none: a day the person chose). */
  sessionId?: string;
  /**
   * Filed by a relative far away (another province, abroad): `phone` is then the home contact,
   * this their own number (E.164, any country; '' when they gave none), their country (ISO
   * code) and time zone (IANA), for quiet hours and the times in their messages.
   */
  relativePhone?: string;
  relativeCountry?: string;
  timeZone?: string;
}

export interface CitizenRequest extends RequestFields {
  id: string;
  code: string;
  channel: ChannelId;
  chatId: string;
  userId: string;
  status: RequestStatus;
  consentVersion: string;
  createdAt: number;
  updatedAt: number;
  /** Set by the assignment engine. */
  teamId?: string;
  assignedAt?: number;
  round?: number;
  excludedTeams?: string[];
  outcome?: Outcome;
  /** Everything done on the visit (a CCCD taken and VNeID level 2 activated); `outcome` is the first. */
  outcomes?: Outcome[];
  reason?: string;
  closedAt?: number;
  /** Its personal data was erased (by the person or by retention): only the counts remain. */
  erasedAt?: number;
  /** When the officer who took it will come (a day, and a time window HH:MM–HH:MM). */
  visit?: Visit;
  /** Its session was full when it was filed: it waits for a place before it is assigned. */
  waitlisted?: boolean;
}

/** A request as the board lists it: no phone, no address (those are on its audited page). */
export type BoardRow = Pick<CitizenRequest, 'id' | 'code' | 'type' | 'status' | 'reason' | 'condition' | 'personName' | 'communeId' | 'preferredDate' | 'teamId' | 'createdAt'>;

export interface Visit {
  date: string;
  from: string;
  to: string;
}

export const OUTCOMES = ['cccd_taken', 'vneid_done', 'ride_done', 'not_needed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The main outcome, then what else was done, once each ("not needed" stands alone). */
export function outcomeList(first: Outcome, more: readonly string[] = []): [Outcome, ...Outcome[]] {
  if (first === 'not_needed') return [first];
  const rest = OUTCOMES.filter((o) => o !== first && o !== 'not_needed' && more.includes(o));
  return [first, ...rest];
}

export const HANDBACK_REASONS = ['out_of_area', 'no_capacity', 'no_vehicle', 'other'] as const;
export type HandbackReason = (typeof HANDBACK_REASONS)[number];

// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud over the phone and typed on small keyboards.
const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

/** e.g. "TB-7K3Q" (a request), "HD-4KQ9" (a question to the duty officers). Uniqueness is enforced by the database; callers retry on collision. */
export function newCode(prefix: CodePrefix): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${prefix}-${s}`;
}

export type CodePrefix = 'TB' | 'HD';

export function newRequestCode(): string {
  return newCode('TB');
}

/** Finds a code in free text, forgiving case, missing dash and spaces: "tb 7k3q" → "TB-7K3Q". */
export function findCode(prefix: CodePrefix, text: string): string | undefined {
  const m = new RegExp(`\\b${prefix}[\\s-]?([${CODE_ALPHABET}]{4})\\b`, 'i').exec(text.toUpperCase());
  return m ? `${prefix}-${m[1]}` : undefined;
}

export function findRequestCode(text: string): string | undefined {
  return findCode('TB', text);
}
