import { randomUUID } from 'node:crypto';
import { type Actor, actorKey, type Address } from '../../domain/address.js';
import { CONSENT_VERSION, type CitizenRequest, newRequestCode, OPEN_STATUSES, type Outcome, type RequestFields, type RequestStatus, type Visit } from '../../domain/request.js';
import type { StaffMember } from '../../domain/team.js';
import type { AuditLog, Clock, RequestStore } from '../ports.js';
import { type Draft, missingFields } from './fields.js';

export class IncompleteRequestError extends Error {}

/** A request code is taken by another request: the store says so, the service draws again. */
export class CodeTakenError extends Error {
  constructor(code: string) {
    super(`request code ${code} is taken`);
  }
}

/**
 * Everything that happens to a request, whoever made it happen (the citizen, an officer, a
 * commander, retention). `request` is the request as it is after the change, except for
 * `cancelled` and `returned`, where it still names the team that held it. `by` is the actor key.
 */
export type RequestEvent =
  | { type: 'filed' | 'assigned' | 'done' | 'unreachable'; request: CitizenRequest; by: string }
  /** `repeat`: tried again and still no team, for the same reason (nobody is told twice). */
  | { type: 'unassigned'; request: CitizenRequest; by: string; repeat?: boolean }
  /** An officer could not reach the person (not yet the last try): they are asked to check their phone. */
  | { type: 'contact_failed'; request: CitizenRequest; attempt: number; by: string }
  /** A wait-listed request got its place in the session. */
  | { type: 'promoted'; request: CitizenRequest; by: string }
  /** The person said nobody came: open again (unassigned), the commander is told. */
  | { type: 'nobody_came'; request: CitizenRequest; by: string }
  | { type: 'phone_changed'; request: CitizenRequest; by: string }
  /** Moved with its session to another day (`requeued`: its team had no room that day). */
  | { type: 'moved'; request: CitizenRequest; before: CitizenRequest; requeued: boolean; by: string }
  /** Still open long after its day: closed (cancelled, reason "expired"). */
  | { type: 'expired'; request: CitizenRequest; by: string }
  /** Its session was cancelled; `request` as it was (naming the team that held it). */
  | { type: 'session_cancelled'; request: CitizenRequest; by: string }
  | { type: 'claimed'; request: CitizenRequest; officer: Pick<StaffMember, 'id' | 'name'>; by: string }
  | { type: 'returned'; request: CitizenRequest; nextRound: number; by: string }
  /** `byUnit`: the unit cancelled it (the citizen is told why), not the person. */
  | { type: 'cancelled'; request: CitizenRequest; by: string; byUnit?: boolean }
  /** Given to a team by hand; `from`: the team and round that held it before. */
  | { type: 'reassigned'; request: CitizenRequest; from?: { teamId: string; round: number }; by: string }
  /** Back to the queue by a commander; `request` still names the team that held it. */
  | { type: 'requeued'; request: CitizenRequest; nextRound: number; by: string }
  /** The officer who holds it set or changed when they will come. */
  | { type: 'visit'; request: CitizenRequest; by: string }
  /** Its personal data is gone; `wasOpen`: it was cancelled by the erasure (the team must not come). */
  | { type: 'erased'; request: CitizenRequest; wasOpen: boolean; by: string };

export type RequestListener = (e: RequestEvent) => Promise<void>;

const SYSTEM = 'system';

/**
 * The one place a request changes. Each change is a conditional write (only from the states it
 * may come from, so a stale or repeated action changes nothing), audited, and then told to the
 * listeners, which edit the card, tell the team and tell the citizen the same way for every
 * caller. A request is committed before anyone is told it was accepted.
 */
export class RequestService {
  constructor(
    private readonly requests: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly listeners: RequestListener[],
    /** Draws a request code; random in use, chosen by a test that needs a collision. */
    private readonly drawCode: () => string = newRequestCode,
  ) {}

  newRequestId(): string {
    return randomUUID();
  }

  byId(id: string): Promise<CitizenRequest | undefined> {
    return this.requests.byId(id);
  }

  byCode(code: string): Promise<CitizenRequest | undefined> {
    return this.requests.byCode(code);
  }

  list(owner: Actor): Promise<CitizenRequest[]> {
    return this.requests.listByOwner(owner);
  }

  listOpen(owner: Actor): Promise<CitizenRequest[]> {
    return this.requests.listByOwner(owner, true);
  }

  /** The open work of a team (an officer's list); the caller checks the officer belongs to it. */
  teamWork(teamId: string): Promise<CitizenRequest[]> {
    return this.requests.listByTeam(teamId, ['assigned', 'claimed']);
  }

  /** A view of a request's personal data by staff: the law asks that each one is recorded. */
  async viewed(id: string, by: string): Promise<void> {
    await this.audit.record(by, 'request_viewed', id, this.clock.now());
  }

  /** Only the owner's own request is found: a code guessed by someone else reveals nothing. */
  async findOwned(owner: Actor, code: string): Promise<CitizenRequest | undefined> {
    const r = await this.requests.byCode(code);
    return r && r.channel === owner.channel && r.userId === owner.userId ? r : undefined;
  }

  /**
   * Files a citizen's request. Idempotent: the draft carries its request id from the summary on,
   * so a redelivered "confirm" or a retry after a crash returns the same request and code.
   */
  /** `o.waitlisted`: its session was full (it waits for a place before a team is chosen). */
  async submit(id: string, draft: Draft, owner: Actor, chat: Address, o: { waitlisted?: boolean } = {}): Promise<CitizenRequest> {
    const missing = missingFields(draft);
    if (missing.length > 0) throw new IncompleteRequestError(`missing: ${missing.join(', ')}`);
    const fields = draft as RequestFields;
    const now = this.clock.now();
    let stored: CitizenRequest | undefined;
    for (let attempt = 0; !stored; attempt++) {
      try {
        const result = await this.requests.insertOnce({
          ...fields,
          id,
          code: this.drawCode(),
          channel: owner.channel,
          chatId: chat.chatId,
          userId: owner.userId,
          status: 'new',
          consentVersion: CONSENT_VERSION,
          createdAt: now,
          updatedAt: now,
          ...(o.waitlisted ? { waitlisted: true } : {}),
        });
        // Submitted before (a retry after a crash): the request as it was stored, told once.
        if (!result.created) return result.stored;
        stored = result.stored;
      } catch (e) {
        // The code is taken (390,625 codes; more likely the more requests are filed): draw again.
        if (attempt > 20 || !(e instanceof CodeTakenError)) throw e;
      }
    }
    await this.audit.record(actorKey(owner), 'request_created', stored.id, now);
    await this.emit({ type: 'filed', request: stored, by: actorKey(owner) });
    return stored;
  }

  async cancelByOwner(owner: Actor, requestId: string): Promise<'cancelled' | 'too_late' | 'not_found'> {
    const r = await this.requests.byId(requestId);
    if (!r || r.channel !== owner.channel || r.userId !== owner.userId) return 'not_found';
    return (await this.cancel(r, actorKey(owner))) ? 'cancelled' : 'too_late';
  }

  /**
   * Delete-my-data for the requests: open ones are cancelled first (the card is closed and the
   * team told, like any cancellation), then the personal fields of all of them are erased.
   */
  async eraseOwner(owner: Actor): Promise<string[]> {
    const by = actorKey(owner);
    const cancelled = new Set<string>();
    for (const r of await this.requests.listByOwner(owner, true, 1000)) if (await this.cancel(r, by, false)) cancelled.add(r.id);
    const ids = await this.requests.eraseOwner(owner, this.clock.now());
    // Told after the erasure, so what the card shows then holds no personal data.
    for (const id of ids) {
      const r = await this.requests.byId(id);
      if (r) await this.emit({ type: 'erased', request: r, wasOpen: cancelled.has(id), by });
    }
    return ids;
  }

  // ---- the team's work (called by the assignment engine, which checks who may do what) ----

  /** Gives a new request to a team, unless another worker did or the team is full that day. */
  async assign(r: CitizenRequest, teamId: string): Promise<'assigned' | 'taken' | 'full'> {
    const now = this.clock.now();
    const result = await this.requests.assignTo(r.id, teamId, now);
    if (result !== 'assigned') return result;
    await this.audit.record(SYSTEM, 'request_assigned', r.id, now);
    await this.emit({ type: 'assigned', request: { ...r, status: 'assigned', teamId, assignedAt: now, updatedAt: now, reason: undefined }, by: SYSTEM });
    return 'assigned';
  }

  async markUnassigned(r: CitizenRequest, reason: string, by = SYSTEM): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.requests.setUnassigned(r.id, reason, now))) return false;
    // Tried again (a retry keeps the last reason while the request is new) and the same answer:
    // recorded, but nobody is told again.
    const repeat = r.status === 'new' && r.reason === reason;
    await this.audit.record(by, reason === 'unreachable' ? 'request_unreachable' : 'request_unassigned', r.id, now);
    const after: CitizenRequest = { ...r, status: 'unassigned', reason, teamId: undefined, updatedAt: now };
    if (reason === 'unreachable') await this.emit({ type: 'unreachable', request: after, by });
    else await this.emit({ type: 'unassigned', request: after, by, repeat });
    return true;
  }

  /**
   * Requests no team could take, for these reasons, go back to the queue (a new round): a team
   * was linked, a place freed, a day began. The reason stays while they wait, so a second "no"
   * for the same reason is not told again.
   */
  async retryUnassigned(reasons: readonly string[]): Promise<number> {
    const reopened = await this.requests.reopenUnassigned(reasons, this.clock.now());
    for (const r of reopened) await this.emit({ type: 'filed', request: r, by: SYSTEM });
    return reopened.length;
  }

  /** The first wait-listed request of a session and type gets the place that freed. */
  async promoteWaitlisted(sessionId: string, type: string): Promise<CitizenRequest | undefined> {
    const r = await this.requests.promoteWaitlisted(sessionId, type, this.clock.now());
    if (!r) return undefined;
    await this.emit({ type: 'promoted', request: r, by: SYSTEM });
    await this.emit({ type: 'filed', request: r, by: SYSTEM });
    return r;
  }

  /**
   * Requests still open `days` after their day are closed as expired (the person is told, a team
   * that held one hears it), and then erased on the normal retention schedule.
   */
  async expireOlderThan(today: string, days: number): Promise<number> {
    const now = this.clock.now();
    const cutoff = new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
    const expired = await this.requests.expireBefore(cutoff, now);
    for (const r of expired) {
      await this.audit.record(SYSTEM, 'request_expired', r.id, now);
      await this.emit({ type: 'expired', request: r, by: SYSTEM });
    }
    return expired.length;
  }

  /** Its session moved: the request (and its card) moves with it, or back to the queue when its team is full that day. */
  async sessionMoved(sessionId: string, date: string, by: string): Promise<number> {
    let n = 0;
    for (const r of await this.requests.boundToSession(sessionId)) {
      if (r.preferredDate === date) continue;
      const result = await this.requests.moveToDate(r.id, date, this.clock.now());
      if (result === 'gone') continue;
      n++;
      const after = (await this.requests.byId(r.id))!;
      await this.emit({ type: 'moved', request: after, before: r, requeued: result === 'requeued', by });
    }
    return n;
  }

  /** Its session was cancelled: the commander arranges each request again (the families heard it from the notice). */
  async sessionCancelled(sessionId: string, by: string): Promise<number> {
    let n = 0;
    for (const r of await this.requests.boundToSession(sessionId)) {
      if (!(await this.requests.setUnassigned(r.id, 'session_cancelled', this.clock.now()))) continue;
      n++;
      await this.audit.record(by, 'request_unassigned', r.id, this.clock.now());
      await this.emit({ type: 'session_cancelled', request: r, by });
    }
    return n;
  }

  /** "Nobody came" a day after it was done: open again, for the commander to arrange. */
  async reopenNobodyCame(r: CitizenRequest): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.requests.transition(r.id, ['done'], 'unassigned', now, { reason: 'nobody_came', reopen: true }))) return false;
    await this.audit.record(`${r.channel}:${r.userId}`, 'request_reopened', r.id, now);
    await this.emit({ type: 'nobody_came', request: { ...r, status: 'unassigned', reason: 'nobody_came', teamId: undefined, outcome: undefined, closedAt: undefined, updatedAt: now }, by: `${r.channel}:${r.userId}` });
    return true;
  }

  /** The person gives another number after the officer could not reach them: the card shows it. */
  async changePhone(owner: Actor, r: CitizenRequest, phone: string): Promise<boolean> {
    if (r.channel !== owner.channel || r.userId !== owner.userId) return false;
    const now = this.clock.now();
    if (!(await this.requests.setPhone(r.id, phone, now))) return false;
    await this.audit.record(actorKey(owner), 'phone_changed', r.id, now);
    await this.emit({ type: 'phone_changed', request: { ...r, phone, updatedAt: now }, by: actorKey(owner) });
    // Sent back after nobody answered: with a number to call, it goes to a team again.
    if (r.status === 'unassigned' && r.reason === 'unreachable') {
      for (const again of await this.requests.reopenUnassigned(['unreachable'], now, r.id)) await this.emit({ type: 'filed', request: again, by: SYSTEM });
    }
    return true;
  }

  /** Told to the citizen: the officer tried to call and could not (the card counts the tries). */
  async contactFailed(r: CitizenRequest, attempt: number, officer: StaffMember): Promise<void> {
    await this.audit.record(`staff:${officer.id}`, 'request_unreachable', r.id, this.clock.now());
    await this.emit({ type: 'contact_failed', request: r, attempt, by: `staff:${officer.id}` });
  }

  /** `visit`: when the officer will come, set with the claim (the citizen's notice says so). */
  async claim(r: CitizenRequest, officer: StaffMember, visit?: Visit): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.requests.transition(r.id, ['assigned'], 'claimed', now, { visit }))) return false;
    await this.audit.record(`staff:${officer.id}`, 'request_claimed', r.id, now);
    await this.emit({ type: 'claimed', request: { ...r, status: 'claimed', updatedAt: now, visit: visit ?? r.visit }, officer, by: `staff:${officer.id}` });
    return true;
  }

  async setVisit(r: CitizenRequest, visit: Visit, officer: StaffMember): Promise<boolean> {
    const now = this.clock.now();
    if (!r.teamId || !(await this.requests.setVisit(r.id, r.teamId, visit, now))) return false;
    await this.audit.record(`staff:${officer.id}`, 'visit_set', r.id, now);
    await this.emit({ type: 'visit', request: { ...r, visit, updatedAt: now }, by: `staff:${officer.id}` });
    return true;
  }

  /** Done, with what was done: by the officer who claimed it, or a commander from any open state. */
  async complete(r: CitizenRequest, outcomes: readonly [Outcome, ...Outcome[]], by: StaffMember, o: { from?: readonly RequestStatus[]; expected?: number } = {}): Promise<boolean> {
    const now = this.clock.now();
    const outcome = outcomes[0];
    if (!(await this.requests.transition(r.id, o.from ?? ['claimed'], 'done', now, { outcomes, expected: o.expected }))) return false;
    await this.audit.record(`staff:${by.id}`, 'request_done', r.id, now);
    await this.emit({ type: 'done', request: { ...r, status: 'done', outcome, outcomes: outcomes.length > 1 ? [...outcomes] : undefined, closedAt: now, updatedAt: now }, by: `staff:${by.id}` });
    return true;
  }

  /** The team gives it back: new again for the next round, without that team. */
  async handBack(r: CitizenRequest, teamId: string, officer: StaffMember): Promise<boolean> {
    const now = this.clock.now();
    const next = await this.requests.handBack(r.id, teamId, now);
    if (next === undefined) return false;
    await this.audit.record(`staff:${officer.id}`, 'request_handed_back', r.id, now);
    await this.emit({ type: 'returned', request: r, nextRound: next, by: `staff:${officer.id}` });
    return true;
  }

  /** Any open request, by its owner or on their behalf; false when it had already closed. */
  private async cancel(r: CitizenRequest, by: string, tell = true): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.requests.transition(r.id, OPEN_STATUSES, 'cancelled', now))) return false;
    await this.audit.record(by, 'request_cancelled', r.id, now);
    if (tell) await this.emit({ type: 'cancelled', request: { ...r, status: 'cancelled', closedAt: now, updatedAt: now }, by });
    return true;
  }

  // ---- a commander's hand (the console checks who may; `expected`: the version they saw) ----

  /** Given to a team by hand: capacity is checked by the database, the old team told. */
  async assignByHand(r: CitizenRequest, teamId: string, by: StaffMember, expected: number): Promise<'assigned' | 'full' | 'changed'> {
    const now = this.clock.now();
    const result = await this.requests.assignByHand(r.id, teamId, expected, now);
    if (typeof result === 'string') return result;
    await this.audit.record(`staff:${by.id}`, r.teamId ? 'request_reassigned' : 'request_assigned', r.id, now);
    const held = r.teamId && (r.status === 'assigned' || r.status === 'claimed') ? { teamId: r.teamId, round: r.round ?? 0 } : undefined;
    const after: CitizenRequest = { ...r, status: 'assigned', teamId, assignedAt: now, updatedAt: now, reason: undefined, round: result.round, excludedTeams: [], visit: r.visit };
    await this.emit({ type: 'reassigned', request: after, from: held, by: `staff:${by.id}` });
    return 'assigned';
  }

  /** Back to the queue: the automatic assignment chooses again, any team may take it. */
  async requeue(r: CitizenRequest, by: StaffMember, expected: number): Promise<boolean> {
    const now = this.clock.now();
    const next = await this.requests.requeue(r.id, expected, now);
    if (next === undefined) return false;
    await this.audit.record(`staff:${by.id}`, 'request_requeued', r.id, now);
    await this.emit({ type: 'requeued', request: r, nextRound: next, by: `staff:${by.id}` });
    return true;
  }

  /** The unit cancels it, for a reason the citizen is told; the team that held it hears of it. */
  async cancelByUnit(r: CitizenRequest, reason: string, by: StaffMember, expected: number): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.requests.transition(r.id, OPEN_STATUSES, 'cancelled', now, { reason, expected }))) return false;
    await this.audit.record(`staff:${by.id}`, 'request_cancelled', r.id, now);
    await this.emit({ type: 'cancelled', request: { ...r, status: 'cancelled', reason, closedAt: now, updatedAt: now }, by: `staff:${by.id}`, byUnit: true });
    return true;
  }

  /**
   * Tells the listeners of a change again, as it is stored now (a retried job found the work
   * done but cannot know its follow-ups were): they are idempotent, so this repeats nothing.
   */
  replay(e: RequestEvent): Promise<void> {
    return this.emit(e);
  }

  private async emit(e: RequestEvent): Promise<void> {
    for (const l of this.listeners) await l(e);
  }
}
