/**
 * What the use cases need from the outside world, and nothing more: storage, the job queue and
 * the clock. The database repositories and the BullMQ producers implement these; tests may too.
 * No platform and no SQL appears here.
 */
import type { Actor, Address, ChannelId } from '../domain/address.js';
import type { Area } from '../domain/area.js';
import type { Audience, Broadcast, NewBroadcast, Recipient, RecipientStatus } from '../domain/broadcast.js';
import type { Card, CardMode } from '../domain/card.js';
import type { Handoff, NewHandoff } from '../domain/handoff.js';
import type { BoardRow, CitizenRequest, RequestStatus, Visit } from '../domain/request.js';
import type { Session, SessionPatch } from '../domain/session.js';
import type { InviteKind, StaffMember, Team, TeamSeed } from '../domain/team.js';

export type { Clock } from './clock.js';

export interface RequestStore {
  insertOnce(r: CitizenRequest): Promise<{ stored: CitizenRequest; created: boolean }>;
  byId(id: string): Promise<CitizenRequest | undefined>;
  byCode(code: string): Promise<CitizenRequest | undefined>;
  listByOwner(owner: Actor, onlyOpen?: boolean, limit?: number): Promise<CitizenRequest[]>;
  listByTeam(teamId: string, statuses: readonly RequestStatus[], limit?: number): Promise<CitizenRequest[]>;
  transition(id: string, from: readonly RequestStatus[], to: RequestStatus, now: number, o?: TransitionOptions): Promise<boolean>;
  assignByHand(id: string, teamId: string, expected: number, now: number): Promise<{ round: number } | 'full' | 'changed'>;
  requeue(id: string, expected: number, now: number): Promise<number | undefined>;
  setVisit(id: string, teamId: string, visit: Visit, now: number): Promise<boolean>;
  assignTo(id: string, teamId: string, now: number): Promise<'assigned' | 'taken' | 'full'>;
  /**
   * Requests each team holds on a day. `maxAgeMs`: a count this process read or changed that
   * recently will do (choosing a team; the database still refuses a full one); 0: read now.
   */
  loadOnDay(date: string, maxAgeMs?: number): Promise<Map<string, number>>;
  setUnassigned(id: string, reason: string, now: number): Promise<boolean>;
  handBack(id: string, teamId: string, now: number): Promise<number | undefined>;
  waitingIds(olderThan: number, limit?: number): Promise<{ id: string; round: number; priority: number }[]>;
  assignedWithoutCard(olderThan: number, limit?: number): Promise<string[]>;
  anonymiseClosedBefore(cutoff: number, now: number): Promise<number>;
  eraseOwner(owner: Actor, now: number): Promise<string[]>;
  /** Unassigned requests with these reasons become new again in a new round (not wait-listed ones). */
  reopenUnassigned(reasons: readonly string[], now: number, id?: string): Promise<CitizenRequest[]>;
  /** The oldest wait-listed open request of a session and type: off the list, new, a new round. */
  promoteWaitlisted(sessionId: string, type: string, now: number): Promise<CitizenRequest | undefined>;
  /** Requests bound to a session, of a type, that hold a place (open or done). */
  countForSession(sessionId: string, type: string): Promise<number>;
  /** Open requests filed from a chat, and open requests with a phone number (limits). */
  openCountForChat(channel: ChannelId, chatId: string): Promise<number>;
  openCountForPhone(phone: string): Promise<number>;
  /** Open requests for someone born that year in that commune: the caller compares the names. */
  openForPerson(birthYear: number, communeId: string): Promise<CitizenRequest[]>;
  /** Open requests whose day is before `date` are closed as expired (cancelled, reason "expired"). */
  expireBefore(date: string, now: number): Promise<CitizenRequest[]>;
  /** Open requests bound to a session. */
  boundToSession(sessionId: string): Promise<CitizenRequest[]>;
  /**
   * Its session moved to `date`: the request moves with it, keeping its team when the team has
   * room that day ('moved'), else back to the queue for that day ('requeued', a new round).
   */
  moveToDate(id: string, date: string, now: number): Promise<'moved' | 'requeued' | 'gone'>;
  /** Open, held requests whose visit (or, without one, requested day) is on `date`: tomorrow's reminders. */
  dueOn(date: string, limit?: number): Promise<CitizenRequest[]>;
  /** A new phone number given by the person while a request is open. */
  setPhone(id: string, phone: string, now: number): Promise<boolean>;
}

/** What else a state change writes, and the version it must still be at (a page's stale check). */
export interface TransitionOptions {
  expected?: number;
  /** Open again: no team, no outcome, not closed (retention must not erase it). */
  reopen?: boolean;
  outcome?: string;
  /** Everything done (its first is `outcome`); without it, `outcome` alone. */
  outcomes?: readonly string[];
  reason?: string;
  visit?: Visit;
}

/** What the console's board asks for: a commander's communes (empty: all) and the chosen filters. */
export interface BoardFilter {
  communes: string[];
  state?: 'new' | 'unassigned' | 'assigned' | 'claimed' | 'overdue' | 'done_today' | 'open' | 'all';
  communeId?: string;
  teamId?: string;
  type?: string;
  day?: string;
  condition?: string;
  /** A request code, or the last digits of a phone number. */
  search?: string;
  today: string;
  /** Start of today in Vietnam (epoch ms): "done today". */
  todayStart: number;
  limit: number;
  offset: number;
}

export interface BoardCounts {
  new: number;
  unassigned: number;
  assigned: number;
  claimed: number;
  overdue: number;
  done_today: number;
  /** Unassigned ones by their reason. */
  reasons: Record<string, number>;
}

export interface RequestBoard {
  board(f: BoardFilter): Promise<{ rows: BoardRow[]; total: number }>;
  counts(communes: string[], today: string, todayStart: number): Promise<BoardCounts>;
  /** Changes whenever a request in these communes changes: a page knows when to refresh. */
  version(communes: string[]): Promise<string>;
  /** Of these requests, those another open request may duplicate (same phone, or same name, year and commune). */
  possibleDuplicates(ids: string[]): Promise<Set<string>>;
  /** The same for one team's open work: it changes when a request arrives, moves or leaves. */
  teamVersion(teamId: string): Promise<string>;
}

export interface TeamStore {
  invalidate(): void;
  upsertAll(teams: TeamSeed[]): Promise<void>;
  active(): Promise<Team[]>;
  byId(id: string): Promise<Team | undefined>;
  byWorkChat(a: Pick<Address, 'channel' | 'chatId'>): Promise<Team | undefined>;
  linkWorkChat(teamId: string, chat: Address): Promise<void>;
  createInvite(code: string, kind: InviteKind, teamId: string, createdBy: string, now: number, ttlMs: number): Promise<void>;
  useInvite(code: string, kind: InviteKind, usedBy: string, now: number): Promise<{ teamId: string; createdBy: string } | undefined>;
}

export interface StaffStore {
  byIdentity(a: Actor): Promise<StaffMember | undefined>;
  byId(id: string): Promise<StaffMember | undefined>;
  ofTeam(teamId: string): Promise<StaffMember[]>;
  commanders(): Promise<StaffMember[]>;
  create(s: { id: string; name: string; teamId: string | null; commander: boolean; root?: boolean }, now: number): Promise<void>;
  update(id: string, patch: Partial<Pick<StaffMember, 'name' | 'teamId' | 'commander' | 'root'>>): Promise<void>;
  addIdentity(staffId: string, a: Actor, now: number): Promise<boolean>;
  remove(id: string, now: number): Promise<void>;
}

export interface CardStore {
  ensure(c: Pick<Card, 'requestId' | 'teamId' | 'chat' | 'round'>, now: number): Promise<Card>;
  get(requestId: string, round?: number): Promise<Card | undefined>;
  ofRequests(keys: { requestId: string; round: number }[]): Promise<Map<string, Card>>;
  setMessage(card: Pick<Card, 'requestId' | 'round'>, messageId: string | null, now: number): Promise<void>;
  update(card: Pick<Card, 'requestId' | 'round'>, patch: Partial<Pick<Card, 'claimedBy' | 'claimedName' | 'attempts'>> & { mode?: CardMode; flagged?: boolean }, now: number): Promise<void>;
}

export interface HandoffStore {
  /** False when the code or the source is taken. `source`: the update that reported it (see HandoffService.forward). */
  create(h: NewHandoff & { source?: string | null }): Promise<boolean>;
  bySource(source: string): Promise<Handoff | undefined>;
  recentEmergency(channel: ChannelId, chatId: string, after: number): Promise<Handoff | undefined>;
  answeredSince(channel: ChannelId, chatId: string, after: number): Promise<Handoff | undefined>;
  /** One more alarm merged in, unless `source` (the update) reported it or was merged already: the new count, else 0. */
  addRepeat(id: string, source?: string): Promise<number>;
  setLocation(id: string, location: { lat: number; lon: number }): Promise<void>;
  byId(id: string): Promise<Handoff | undefined>;
  byCode(code: string): Promise<Handoff | undefined>;
  byDutyMessage(chat: Pick<Address, 'channel' | 'chatId'>, messageId: string): Promise<Handoff | undefined>;
  setDutyMessage(id: string, chat: Address, messageId: string | undefined): Promise<void>;
  addAnswer(id: string, now: number): Promise<number>;
  unposted(createdAfter: number, createdBefore: number): Promise<string[]>;
  eraseChat(channel: ChannelId, chatId: string): Promise<number>;
  deleteBefore(cutoff: number): Promise<number>;
}

export interface BroadcastStore {
  countAudience(a: Audience): Promise<number>;
  create(b: NewBroadcast, now: number): Promise<boolean>;
  byId(id: string): Promise<Broadcast | undefined>;
  recipients(id: string, after: number, upTo: number): Promise<Recipient[]>;
  settle(id: string, outcomes: Map<RecipientStatus, number[]>): Promise<void>;
  pendingCount(id: string): Promise<number>;
  finish(id: string, status: 'done' | 'cancelled', now: number): Promise<boolean>;
  setReportMessage(id: string, messageId: string | undefined): Promise<void>;
  forgetChat(channel: ChannelId, chatId: string): Promise<void>;
  forgetRecipientsBefore(cutoff: number): Promise<void>;
  sendingIds(): Promise<string[]>;
  runningBy(createdBy: string): Promise<string | undefined>;
  latest(limit: number): Promise<Broadcast[]>;
  /** The platform's id of the message one recipient got (its receipts name it). */
  setMessageId(id: string, seq: number, messageId: string): Promise<void>;
}

export interface SessionStore {
  insert(s: Session, by: string, now: number): Promise<void>;
  byId(id: string): Promise<Session | undefined>;
  update(id: string, patch: SessionPatch, notify: boolean, now: number): Promise<Session | undefined>;
  upcoming(fromDate: string, communeId?: string, limit?: number): Promise<Session[]>;
  between(fromDate: string, toDate: string): Promise<Session[]>;
}

export interface SubscriptionStore {
  subscribe(channel: ChannelId, chatId: string, communeId: string, now: number): Promise<boolean>;
  unsubscribe(channel: ChannelId, chatId: string, communeId?: string): Promise<number>;
  communesOf(channel: ChannelId, chatId: string): Promise<string[]>;
}

export interface AreaStore {
  replaceAll(areas: Area[]): Promise<void>;
  communes(): Promise<Area[]>;
  hamlets(): Promise<Area[]>;
  /** Areas ever stored (deactivated ones too): the file seeds only an empty database. */
  count(): Promise<number>;
  upsert(areas: Area[]): Promise<void>;
  deactivate(ids: string[]): Promise<void>;
}

export interface LoginLink {
  tokenHash: string;
  staffId: string;
  createdAt: number;
  expiresAt: number;
}

export interface WebSession {
  idHash: string;
  staffId: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface AccessStore {
  addLink(l: LoginLink): Promise<void>;
  useLink(tokenHash: string, now: number): Promise<{ staffId: string } | 'expired' | 'used' | 'unknown'>;
  peekLink(tokenHash: string, now: number): Promise<'ok' | 'expired' | 'used' | 'unknown'>;
  addSession(s: WebSession): Promise<void>;
  session(idHash: string, seenAfter: number): Promise<WebSession | undefined>;
  touch(idHash: string, now: number): Promise<void>;
  revoke(idHash: string, now: number): Promise<void>;
  revokeAllOf(staffId: string, now: number): Promise<number>;
}

export interface Note {
  id: string;
  requestId: string;
  staffId: string;
  text: string;
  at: number;
}

export const FEEDBACK_ANSWERS = ['came_ok', 'came_bad', 'nobody'] as const;
export type FeedbackAnswer = (typeof FEEDBACK_ANSWERS)[number];

/** "Did the officer come?": asked once per request, answered once, a comment may follow. */
export interface FeedbackStore {
  /** Records the question; false when it was asked before (a retried job asks nothing twice). */
  ask(requestId: string, now: number): Promise<boolean>;
  answer(requestId: string, answer: FeedbackAnswer, now: number): Promise<boolean>;
  comment(requestId: string, text: string): Promise<void>;
  /** The newest question to this chat still unanswered since `since`: its request. */
  pendingFor(channel: ChannelId, chatId: string, since: number): Promise<{ requestId: string; code: string } | undefined>;
}

/** Erasing a request's personal data (RequestStore) erases its notes' text too. */
export interface NoteStore {
  add(n: Note): Promise<void>;
  of(requestId: string): Promise<Note[]>;
}

/** A chat's state and the version it was saved under. */
export interface VersionedState {
  state: string;
  version: number;
}

export interface StateStore {
  get(key: string): Promise<string | undefined>;
  load(key: string): Promise<VersionedState | undefined>;
  /** Saves if nobody saved since `version` was read (undefined: there was no row); false: someone did. */
  save(key: string, state: string, version: number | undefined, now: number): Promise<boolean>;
  put(key: string, state: string, now: number): Promise<void>;
  delete(key: string): Promise<void>;
  deleteOlderThan(cutoff: number): Promise<number>;
}

export interface UnreachableStore {
  mark(key: string, now: number): Promise<void>;
  isUnreachable(key: string): Promise<boolean>;
  clear(key: string): Promise<void>;
}

export const AUDIT_ACTIONS = [
  'consent_given',
  'request_created',
  'request_viewed',
  'request_cancelled',
  'data_erased',
  'handoff_answered',
  'broadcast_sent',
  'broadcast_cancelled',
  'session_changed',
  'subscribed',
  'unsubscribed',
  'admin_added',
  'admin_removed',
  'request_assigned',
  'request_unassigned',
  'request_claimed',
  'request_done',
  'request_handed_back',
  'request_unreachable',
  'retention_anonymised',
  'group_linked',
  'officer_registered',
  'identity_linked',
  'emergency_reported',
  'request_reassigned',
  'request_requeued',
  'visit_set',
  'note_added',
  'web_login',
  'web_logout',
  'feedback_given',
  'phone_changed',
  'request_expired',
  'request_reopened',
  'results_recorded',
  'target_changed',
  'report_exported',
  'handoff_handled',
  'inbox_viewed',
  'team_changed',
  'team_deactivated',
  'officer_removed',
  'admin_changed',
  'areas_changed',
  'setting_changed',
  'scope_refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who touched personal data and how, never the data itself. */
export interface AuditLog {
  record(actor: string, action: AuditAction, subject: string | null, now: number): Promise<void>;
  /** An erased person's account no longer names them in the log: the same pseudonym for all their entries. */
  pseudonymise(actor: string, pseudonym: string): Promise<number>;
  /** What happened to one subject (a request), oldest first: its timeline. */
  forSubject(subject: string): Promise<{ at: number; actor: string; action: string }[]>;
}

export type CitizenEvent =
  | 'assigned'
  | 'claimed'
  | 'done'
  | 'returned'
  | 'unassigned'
  | 'visit'
  | 'cancelled_by_unit'
  | 'contact_failed'
  | 'unreachable'
  | 'promoted'
  | 'waitlisted'
  | 'feedback'
  | 'expired'
  | 'phone_changed'
  | 'reminder_visit'
  | 'reminder_pickup';
export type AdminEvent = 'unassigned' | 'unclaimed' | 'overdue' | 'unreachable' | 'nobody_came';
/** Delayed checks on a request: the SLA clocks, and the question a day after it is done. */
export type SlaKind = 'unclaimed' | 'escalate' | 'overdue' | 'feedback';
export type OfficerEvent = 'new_work' | 'reminder';
export type TeamEvent = 'cancelled' | 'erased' | 'reassigned' | 'requeued' | 'phone_changed';

/**
 * Work done after a change, by the queue (or at once, where nothing is in the way). Every call is
 * idempotent for the same arguments (they make the job's id), because a change may be replayed
 * after a crash and re-issue them. None throws because Redis is down: what cannot be queued is
 * kept in the database and queued later.
 */
export interface FollowUps {
  /** Post or edit the request's card in its team's work chat, from the current database state. */
  syncCard(requestId: string, round: number, version: string): Promise<void>;
  /** `r` as the caller just read or wrote it: a notice needs no fresher state than that. */
  notifyCitizen(r: CitizenRequest, event: CitizenEvent, round: number, tag?: string): Promise<void>;
  notifyAdmin(requestId: string, event: AdminEvent, round: number): Promise<void>;
  /** Tell one officer directly, on the channels where the team has no work chat. */
  notifyOfficer(requestId: string, round: number, staffId: string, event: OfficerEvent): Promise<void>;
  /** Tell the team in its work chat (a cancellation, an erasure). */
  notifyTeam(requestId: string, round: number, event: TeamEvent): Promise<void>;
  scheduleSla(requestId: string, kind: SlaKind, round: number, at: number): Promise<void>;
  enqueueAssignment(requestId: string, round: number, priority: number): Promise<void>;
  postHandoff(id: string): Promise<void>;
  /** Shows a report's news (merged repeats, a location) in its duty-chat post, at most once per `tag`. */
  refreshHandoff(id: string, tag: string, delayMs: number): Promise<void>;
  /** `source` names the officer's message: the same reply delivered twice is sent once. */
  sendAnswer(id: string, source: string, text: string, officer: string): Promise<void>;
  startBroadcast(id: string): Promise<void>;
  stopBroadcast(id: string): Promise<void>;
}
