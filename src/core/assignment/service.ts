import type { Actor, Address } from '../../domain/address.js';
import type { Card } from '../../domain/card.js';
import { type CitizenRequest, HANDBACK_REASONS, type HandbackReason, OUTCOMES, type Outcome, outcomeList, type Visit } from '../../domain/request.js';
import { chooseTeam, type StaffMember } from '../../domain/team.js';
import { addWorkingTime, type WorkingHours } from '../../domain/workingHours.js';
import type { CardStore, Clock, FollowUps, RequestStore, SlaKind, StaffStore, TeamStore } from '../ports.js';
import type { RequestService } from '../requests/service.js';

/** Why no team took a request, when a change of teams or a new day may help (not "unreachable": the commander decides). */
export const RETRY_REASONS = ['no_team_for_area', 'no_team_linked', 'no_capability', 'no_capacity'] as const;

/**
 * How old a view of the teams' loads may be when choosing: "least loaded" is a preference
 * (the database's count enforces capacity exactly), and a fresh read per request was a tenth
 * of an assignment's round trips.
 */
const LOADS_MAX_AGE_MS = 1000;

export interface AssignmentOptions {
  slaUnclaimedMs: number;
  workingHours: WorkingHours;
  maxContactAttempts: number;
}

/** `waitedMs`: from the request filed to this assignment (only when this call made it). */
export type AssignResult = { kind: 'assigned'; teamId: string; waitedMs?: number } | { kind: 'unassigned'; reason: string } | { kind: 'skipped' };

export type CardAction =
  /** `visit`: when they will come (from the work page); the citizen is told. */
  | { kind: 'claim'; visit?: Visit }
  | { kind: 'visit'; visit: Visit }
  | { kind: 'ask_outcome' }
  /** `more`: what else was done on the visit (a CCCD taken and VNeID activated). */
  | { kind: 'outcome'; outcome: Outcome; more?: readonly Outcome[] }
  | { kind: 'unreachable' }
  | { kind: 'ask_handback' }
  | { kind: 'handback'; reason: HandbackReason }
  | { kind: 'show_actions' };

/** `changed`: the page that acted showed an older version of the request. */
export type CardActionResult = 'ok' | 'not_officer' | 'other_team' | 'stale' | 'not_found' | 'changed';

/**
 * Who pressed, and where: a button on a card in a work chat (`chat` is that chat), the same
 * action from an officer's own chat (`chat` absent), or from the work page (`staffId`, signed
 * in; `expected`: the version of the request the page showed). Without a card's chat, the
 * officer's team must hold the request.
 */
export type Presser = { actor: Actor; chat?: Address } | { staffId: string; expected?: number };

/** Routes requests to teams and moves them through the team's work: claim, done, cannot reach, hand back. */
export class AssignmentService {
  constructor(
    private readonly requests: RequestService,
    private readonly store: RequestStore,
    private readonly teams: TeamStore,
    private readonly staff: StaffStore,
    private readonly cards: CardStore,
    private readonly clock: Clock,
    private readonly jobs: FollowUps,
    private readonly o: AssignmentOptions,
  ) {}

  /** Safe to run any number of times: a request already assigned only gets its follow-ups re-issued. */
  async assign(requestId: string): Promise<AssignResult> {
    let r = await this.store.byId(requestId);
    if (!r) return { kind: 'skipped' };
    if (r.status === 'new' && r.waitlisted) {
      // Its session was full: it waits for a place (the commander sees it, the person was told).
      await this.requests.markUnassigned(r, 'waitlist');
      return { kind: 'unassigned', reason: 'waitlist' };
    }
    if (r.status === 'new') {
      const teams = await this.teams.active();
      // The loads are this process's recent view: another worker may have filled the chosen
      // team since. The database refuses that ('full'), and the choice is made again on fresh
      // loads; "no team has room" is only said on fresh ones.
      for (let attempt = 0; attempt <= teams.length + 1; attempt++) {
        const fresh = attempt > 0;
        const choice = chooseTeam(r, teams, await this.store.loadOnDay(r.preferredDate, fresh ? 0 : LOADS_MAX_AGE_MS), r.excludedTeams);
        if (!choice.ok) {
          if (!fresh) continue;
          if (await this.requests.markUnassigned(r, choice.reason)) return { kind: 'unassigned', reason: choice.reason };
          break;
        }
        const result = await this.requests.assign(r, choice.team.id);
        if (result === 'assigned') return { kind: 'assigned', teamId: choice.team.id, waitedMs: Math.max(0, this.clock.now() - r.createdAt) };
        if (result === 'taken') break;
      }
      // Another worker moved it first: read what it did.
      r = (await this.store.byId(requestId))!;
    }
    // Already worked on (a retried job, a second worker): its follow-ups again, all idempotent.
    if (r.status === 'assigned' && r.teamId) {
      await this.requests.replay({ type: 'assigned', request: r, by: 'system' });
      return { kind: 'assigned', teamId: r.teamId };
    }
    if (r.status === 'unassigned') {
      await this.requests.replay({ type: 'unassigned', request: r, by: 'system' });
      return { kind: 'unassigned', reason: r.reason ?? '' };
    }
    return { kind: 'skipped' };
  }

  /**
   * A button pressed on a card, or the same action from an officer's own chat. Checked here,
   * not trusted from the button: the presser must be a registered officer of the team that holds
   * the request, pressing in that team's work chat (or in their own chat), on the current card.
   */
  async act(requestId: string, action: CardAction, by: Presser): Promise<CardActionResult> {
    const officer = 'staffId' in by ? await this.staff.byId(by.staffId) : await this.staff.byIdentity(by.actor);
    if (!officer?.teamId) return 'not_officer';
    const r = await this.store.byId(requestId);
    if (!r) return 'not_found';
    const card = await this.cards.get(requestId);
    const chat = 'chat' in by ? by.chat : undefined;
    if (chat) {
      // A card press: on the card's own chat, by an officer of the card's team.
      if (!card) return 'not_found';
      if (officer.teamId !== card.teamId || chat.channel !== card.chat.channel || chat.chatId !== card.chat.chatId) return 'other_team';
      if (card.round !== (r.round ?? 0) || card.mode === 'closed') return 'stale';
    } else if (officer.teamId !== r.teamId) {
      return r.teamId ? 'other_team' : 'stale';
    }
    if ('expected' in by && by.expected !== undefined && by.expected !== r.updatedAt) return 'changed';
    if (r.teamId !== officer.teamId || (r.status !== 'assigned' && r.status !== 'claimed')) return 'stale';
    const current = card && card.round === (r.round ?? 0) ? card : undefined;
    return this.apply(r, current, officer, action);
  }

  private async apply(r: CitizenRequest, card: Card | undefined, officer: StaffMember, action: CardAction): Promise<CardActionResult> {
    const now = this.clock.now();
    const round = r.round ?? 0;
    switch (action.kind) {
      case 'claim':
        return (await this.requests.claim(r, officer, action.visit)) ? 'ok' : 'stale';
      case 'visit':
        if (card?.claimedBy && card.claimedBy !== officer.id) return 'stale';
        return (await this.requests.setVisit(r, action.visit, officer)) ? 'ok' : 'stale';
      case 'ask_outcome':
      case 'ask_handback':
      case 'show_actions': {
        if (action.kind === 'ask_outcome' && r.status !== 'claimed') return 'stale';
        if (!card) return 'ok';
        const mode = action.kind === 'ask_outcome' ? 'outcome' : action.kind === 'ask_handback' ? 'handback' : 'actions';
        await this.cards.update(card, { mode }, now);
        await this.jobs.syncCard(r.id, round, `${mode}-${now}`);
        return 'ok';
      }
      case 'outcome': {
        // Only the officer who claimed it closes it (on a card; from their own chat, they hold it).
        if (card?.claimedBy && card.claimedBy !== officer.id) return 'stale';
        return (await this.requests.complete(r, outcomeList(action.outcome, action.more), officer)) ? 'ok' : 'stale';
      }
      case 'unreachable': {
        const attempts = (card?.attempts ?? 0) + 1;
        if (card && attempts < this.o.maxContactAttempts) {
          await this.cards.update(card, { attempts }, now);
          await this.jobs.syncCard(r.id, round, `attempt-${attempts}`);
          await this.requests.contactFailed(r, attempts, officer);
          return 'ok';
        }
        if (card) await this.cards.update(card, { attempts }, now);
        return (await this.requests.markUnassigned(r, 'unreachable', `staff:${officer.id}`)) ? 'ok' : 'stale';
      }
      case 'handback': {
        return (await this.requests.handBack(r, officer.teamId!, officer)) ? 'ok' : 'stale';
      }
    }
  }

  /**
   * The person's open request an officer could not reach them about (a card that counts
   * tries, or sent back as unreachable): a number they type now is its new phone.
   */
  async awaitingContact(owner: Actor): Promise<CitizenRequest | undefined> {
    for (const r of await this.store.listByOwner(owner, true)) {
      if (r.status === 'unassigned' && r.reason === 'unreachable') return r;
      if (r.status === 'assigned' || r.status === 'claimed') {
        const card = await this.cards.get(r.id, r.round ?? 0);
        if (card && card.attempts > 0) return r;
      }
    }
    return undefined;
  }

  /** A delayed SLA check fired. Does nothing when the request has moved on. */
  async checkSla(requestId: string, kind: SlaKind, round: number): Promise<void> {
    const r = await this.store.byId(requestId);
    if (!r || (r.round ?? 0) !== round) return;
    const card = await this.cards.get(r.id, round);
    const now = this.clock.now();
    if ((kind === 'unclaimed' || kind === 'escalate') && r.status === 'assigned') {
      if (kind === 'unclaimed') {
        // First: remind the team with a fresh card; then, one more SLA later, tell the commander.
        if (card) {
          await this.cards.setMessage(card, null, now);
          await this.jobs.syncCard(r.id, round, 'reposted');
        }
        if (r.teamId) for (const o of await this.staff.ofTeam(r.teamId)) await this.jobs.notifyOfficer(r.id, round, o.id, 'reminder');
        await this.jobs.scheduleSla(r.id, 'escalate', round, addWorkingTime(now, this.o.slaUnclaimedMs, this.o.workingHours));
      } else {
        await this.jobs.notifyAdmin(r.id, 'unclaimed', round);
      }
    }
    if (kind === 'overdue' && r.status === 'claimed') {
      if (card) {
        await this.cards.update(card, { flagged: true }, now);
        await this.jobs.syncCard(r.id, round, 'overdue');
      }
      await this.jobs.notifyAdmin(r.id, 'overdue', round);
    }
  }

  /**
   * Teams changed (a group linked, an officer registered, the teams file loaded, a new day):
   * the cached ones are forgotten, and every request no team could take tries again.
   */
  async teamsChanged(): Promise<number> {
    this.teams.invalidate();
    return this.requests.retryUnassigned(RETRY_REASONS);
  }
}

export function parseOutcome(s: string): Outcome | undefined {
  return OUTCOMES.find((o) => o === s);
}

export function parseHandbackReason(s: string): HandbackReason | undefined {
  return HANDBACK_REASONS.find((o) => o === s);
}
