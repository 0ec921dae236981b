import { type CitizenRequest, HANDBACK_REASONS, type HandbackReason, OUTCOMES, type Outcome, priorityOf } from '../domain/request.js';
import { chooseTeam, type Officer, type Team } from '../domain/team.js';
import { addWorkingTime, endOfDayAfter, type WorkingHours } from '../domain/workingHours.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import type { Card, CardRepository } from '../db/repositories/cards.js';
import type { RequestRepository } from '../db/repositories/requests.js';
import type { TeamRepository } from '../db/repositories/teams.js';
import type { Clock } from './clock.js';

export type CitizenEvent = 'assigned' | 'claimed' | 'done' | 'returned' | 'unassigned';
export type AdminEvent = 'unassigned' | 'unclaimed' | 'overdue' | 'unreachable';
export type SlaKind = 'unclaimed' | 'escalate' | 'overdue';
export type OfficerEvent = 'new_work' | 'reminder';

/**
 * What assignment asks the outside world to do. Every call must be idempotent for the same
 * arguments (the jobs layer uses them as BullMQ job ids), because `assign` and the card
 * actions may run again after a crash and re-issue them.
 */
export interface AssignmentEffects {
  /** Post or edit the request's card in its team group, from the current database state. */
  syncCard(requestId: string, round: number, version: string): Promise<void>;
  /** `r` as the caller just read or wrote it: a notice needs no fresher state than that. */
  notifyCitizen(r: CitizenRequest, event: CitizenEvent, round: number): Promise<void>;
  notifyAdmin(requestId: string, event: AdminEvent, round: number): Promise<void>;
  /** A check that runs at `at`; runs once per (request, kind, round). */
  scheduleSla(requestId: string, kind: SlaKind, round: number, at: number): Promise<void>;
  /** Tell one officer of the team (on Zalo, where they linked it) that there is work. */
  notifyOfficer(requestId: string, round: number, officerId: string, event: OfficerEvent): Promise<void>;
  /** The request is new again (handed back): a new round of assignment. */
  enqueueAssignment(requestId: string, round: number, priority: number): Promise<void>;
}

export interface AssignmentOptions {
  slaUnclaimedMs: number;
  workingHours: WorkingHours;
  maxContactAttempts: number;
}

export type AssignResult = { kind: 'assigned'; teamId: string } | { kind: 'unassigned'; reason: string } | { kind: 'skipped' };

export type CardAction =
  | { kind: 'claim' }
  | { kind: 'ask_outcome' }
  | { kind: 'outcome'; outcome: Outcome }
  | { kind: 'unreachable' }
  | { kind: 'ask_handback' }
  | { kind: 'handback'; reason: HandbackReason }
  | { kind: 'show_actions' };

export type CardActionResult = 'ok' | 'not_officer' | 'other_team' | 'stale' | 'not_found';

/** Routes requests to teams and moves them through the team's work: claim, done, cannot reach, hand back. */
export class AssignmentService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly teams: TeamRepository,
    private readonly cards: CardRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly effects: AssignmentEffects,
    private readonly o: AssignmentOptions,
  ) {}

  /** The same service with other effects (the worker's, which may deliver without a job). */
  withEffects(effects: AssignmentEffects): AssignmentService {
    return new AssignmentService(this.requests, this.teams, this.cards, this.audit, this.clock, effects, this.o);
  }

  /** Safe to run any number of times: a request already assigned only gets its follow-ups re-issued. */
  async assign(requestId: string): Promise<AssignResult> {
    let r = await this.requests.byId(requestId);
    if (!r) return { kind: 'skipped' };
    const now = this.clock.now();
    if (r.status === 'new') {
      const teams = await this.activeTeams();
      let applied: CitizenRequest | undefined;
      // Another worker may fill the chosen team between our read of the loads and our write:
      // the database refuses that ('full'), and the choice is made again on fresh loads.
      for (let attempt = 0; attempt <= teams.length && !applied; attempt++) {
        const choice = chooseTeam(r, teams, await this.requests.loadOnDay(r.preferredDate), r.excludedTeams);
        if (!choice.ok) {
          if (await this.requests.setUnassigned(r.id, choice.reason, now)) {
            await this.audit.record('system', 'request_unassigned', r.id, now);
            applied = { ...r, status: 'unassigned', reason: choice.reason, teamId: undefined, updatedAt: now };
          }
          break;
        }
        const result = await this.requests.assignTo(r.id, choice.team.id, now);
        if (result === 'taken') break;
        if (result === 'assigned') {
          await this.audit.record('system', 'request_assigned', r.id, now);
          applied = { ...r, status: 'assigned', teamId: choice.team.id, assignedAt: now, updatedAt: now, reason: undefined };
        }
      }
      // What we wrote is what is stored; otherwise another worker moved it first: read what it did.
      r = applied ?? (await this.requests.byId(requestId))!;
    }
    const round = r.round ?? 0;
    if (r.status === 'assigned' && r.teamId) {
      const team = (await this.activeTeams()).find((t) => t.id === r!.teamId);
      if (!team?.chatId) return { kind: 'skipped' };
      await this.cards.ensure({ requestId: r.id, teamId: team.id, chatId: team.chatId, round }, now);
      await this.effects.syncCard(r.id, round, 'posted');
      await this.effects.notifyCitizen(r, 'assigned', round);
      await this.notifyOfficers(team.id, r.id, round, 'new_work');
      await this.effects.scheduleSla(r.id, 'unclaimed', round, addWorkingTime(r.assignedAt ?? now, this.o.slaUnclaimedMs, this.o.workingHours));
      return { kind: 'assigned', teamId: team.id };
    }
    if (r.status === 'unassigned') {
      await this.effects.notifyAdmin(r.id, 'unassigned', round);
      await this.effects.notifyCitizen(r, 'unassigned', round);
      return { kind: 'unassigned', reason: r.reason ?? '' };
    }
    return { kind: 'skipped' };
  }

  /**
   * A button pressed on a card. Checked here, not trusted from the button: the presser must be
   * a registered officer of the card's team, pressing in that team's group, on the current card.
   */
  async act(requestId: string, action: CardAction, pressedBy: { telegramUserId: string; chatId: string }): Promise<CardActionResult> {
    const officer = await this.teams.officerByTelegram(pressedBy.telegramUserId);
    if (!officer) return 'not_officer';
    const [r, card] = await Promise.all([this.requests.byId(requestId), this.cards.get(requestId)]);
    if (!r || !card) return 'not_found';
    if (officer.teamId !== card.teamId || pressedBy.chatId !== card.chatId) return 'other_team';
    if (r.teamId !== card.teamId || card.round !== (r.round ?? 0) || card.mode === 'closed') return 'stale';
    const now = this.clock.now();
    const round = r.round ?? 0;
    switch (action.kind) {
      case 'claim':
        return this.claim(r, card, officer, now);
      case 'ask_outcome':
      case 'ask_handback':
      case 'show_actions': {
        if (action.kind === 'ask_outcome' && r.status !== 'claimed') return 'stale';
        const mode = action.kind === 'ask_outcome' ? 'outcome' : action.kind === 'ask_handback' ? 'handback' : 'actions';
        await this.cards.update(card, { mode }, now);
        await this.effects.syncCard(r.id, round, `${mode}-${now}`);
        return 'ok';
      }
      case 'outcome': {
        if (card.claimedBy !== officer.id || !(await this.requests.setOutcome(r.id, action.outcome, now))) return 'stale';
        await this.cards.update(card, { mode: 'closed' }, now);
        await this.audit.record(`officer:${officer.id}`, 'request_done', r.id, now);
        await this.effects.syncCard(r.id, round, 'done');
        await this.effects.notifyCitizen(r, 'done', round);
        return 'ok';
      }
      case 'unreachable': {
        const attempts = card.attempts + 1;
        if (attempts < this.o.maxContactAttempts) {
          await this.cards.update(card, { attempts }, now);
          await this.effects.syncCard(r.id, round, `attempt-${attempts}`);
          return 'ok';
        }
        await this.cards.update(card, { attempts, mode: 'closed' }, now);
        await this.requests.setUnassigned(r.id, 'unreachable', now);
        await this.effects.syncCard(r.id, round, 'unreachable');
        await this.effects.notifyAdmin(r.id, 'unreachable', round);
        return 'ok';
      }
      case 'handback': {
        const next = await this.requests.handBack(r.id, card.teamId, now);
        if (next === undefined) return 'stale';
        await this.cards.update(card, { mode: 'closed' }, now);
        await this.audit.record(`officer:${officer.id}`, 'request_handed_back', r.id, now);
        await this.effects.syncCard(r.id, round, `handback-${action.reason}`);
        await this.effects.enqueueAssignment(r.id, next, priorityOf(r.condition));
        return 'ok';
      }
    }
  }

  private async claim(r: CitizenRequest, card: Card, officer: Officer, now: number): Promise<CardActionResult> {
    if (!(await this.requests.transition(r.id, ['assigned'], 'claimed', now))) return 'stale';
    await this.cards.update(card, { claimedBy: officer.id, claimedName: officer.name, mode: 'actions' }, now);
    await this.audit.record(`officer:${officer.id}`, 'request_claimed', r.id, now);
    const round = r.round ?? 0;
    await this.effects.syncCard(r.id, round, 'claimed');
    await this.effects.notifyCitizen(r, 'claimed', round);
    await this.effects.scheduleSla(r.id, 'overdue', round, endOfDayAfter(r.preferredDate));
    return 'ok';
  }

  private async notifyOfficers(teamId: string, requestId: string, round: number, event: OfficerEvent): Promise<void> {
    for (const o of await this.teams.officersWithZalo(teamId)) await this.effects.notifyOfficer(requestId, round, o.id, event);
  }

  /** A delayed SLA check fired. Does nothing when the request has moved on. */
  async checkSla(requestId: string, kind: SlaKind, round: number): Promise<void> {
    const r = await this.requests.byId(requestId);
    if (!r || (r.round ?? 0) !== round) return;
    const card = await this.cards.get(r.id, round);
    if (!card) return;
    const now = this.clock.now();
    if ((kind === 'unclaimed' || kind === 'escalate') && r.status === 'assigned') {
      if (kind === 'unclaimed') {
        // First: remind the team with a fresh card; then, one more SLA later, tell the admin.
        await this.cards.setMessage(card, null, now);
        await this.effects.syncCard(r.id, round, 'reposted');
        await this.notifyOfficers(card.teamId, r.id, round, 'reminder');
        await this.effects.scheduleSla(r.id, 'escalate', round, addWorkingTime(now, this.o.slaUnclaimedMs, this.o.workingHours));
      } else {
        await this.effects.notifyAdmin(r.id, 'unclaimed', round);
      }
    }
    if (kind === 'overdue' && r.status === 'claimed') {
      await this.cards.update(card, { flagged: true }, now);
      await this.effects.syncCard(r.id, round, 'overdue');
      await this.effects.notifyAdmin(r.id, 'overdue', round);
    }
  }

  /** The citizen cancelled: the card says so at once and loses its buttons. */
  async citizenCancelled(requestId: string): Promise<void> {
    const card = await this.cards.get(requestId);
    if (!card) return;
    await this.cards.update(card, { mode: 'closed' }, this.clock.now());
    await this.effects.syncCard(requestId, card.round, 'cancelled');
  }

  private activeTeams(): Promise<Team[]> {
    return this.teams.active();
  }

  invalidateTeams(): void {
    this.teams.invalidate();
  }
}

export function parseOutcome(s: string): Outcome | undefined {
  return OUTCOMES.find((o) => o === s);
}

export function parseHandbackReason(s: string): HandbackReason | undefined {
  return HANDBACK_REASONS.find((o) => o === s);
}
