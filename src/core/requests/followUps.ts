import { type CitizenRequest, priorityOf } from '../../domain/request.js';
import { addWorkingTime, endOfDayAfter, type WorkingHours } from '../../domain/workingHours.js';
import type { CardStore, Clock, FollowUps, StaffStore, TeamStore } from '../ports.js';
import type { RequestEvent } from './service.js';

/** "Did the officer come?" is asked this long after a request is done. */
export const FEEDBACK_AFTER_MS = 24 * 3600_000;

export interface FollowUpPolicy {
  slaUnclaimedMs: number;
  workingHours: WorkingHours;
}

/**
 * What follows each change to a request, the same for every caller: the card is posted or
 * edited, the team, the citizen and (when nobody can take it) the commander are told, and the
 * SLA clocks start. Every follow-up is idempotent, so a change replayed after a crash re-issues
 * them harmlessly.
 */
export function requestFollowUps(d: { jobs: FollowUps; cards: CardStore; teams: TeamStore; staff: StaffStore; clock: Clock; policy: FollowUpPolicy }) {
  /** A card whose request has left the team's hands keeps no buttons; it shows why. */
  const closeCard = async (requestId: string, round: number, version: string) => {
    const card = await d.cards.get(requestId, round);
    if (!card) return;
    await d.cards.update(card, { mode: 'closed' }, d.clock.now());
    await d.jobs.syncCard(requestId, round, version);
  };

  /** Given to a team: its card, its officers and the citizen told, the SLA clock started. */
  const assigned = async (r: CitizenRequest) => {
    const round = r.round ?? 0;
    const team = r.teamId ? await d.teams.byId(r.teamId) : undefined;
    if (!team) return;
    if (team.workChat) {
      await d.cards.ensure({ requestId: r.id, teamId: team.id, chat: team.workChat, round }, d.clock.now());
      await d.jobs.syncCard(r.id, round, 'posted');
    }
    await d.jobs.notifyCitizen(r, 'assigned', round);
    for (const o of await d.staff.ofTeam(team.id)) await d.jobs.notifyOfficer(r.id, round, o.id, 'new_work');
    const at = addWorkingTime(r.assignedAt ?? d.clock.now(), d.policy.slaUnclaimedMs, d.policy.workingHours);
    return d.jobs.scheduleSla(r.id, 'unclaimed', round, at);
  };

  return async (e: RequestEvent): Promise<void> => {
    const r = e.request;
    const round = r.round ?? 0;
    switch (e.type) {
      case 'filed':
        return d.jobs.enqueueAssignment(r.id, round, priorityOf(r.condition));
      case 'assigned':
        return assigned(r);
      case 'reassigned':
        // The team that held it hears it moved, and its card closes; then as any assignment.
        if (e.from) {
          await closeCard(r.id, e.from.round, `moved-${round}`);
          if (e.from.teamId !== r.teamId || e.from.round !== round) await d.jobs.notifyTeam(r.id, e.from.round, 'reassigned');
        }
        return assigned(r);
      case 'requeued':
        await closeCard(r.id, round, 'requeued');
        if (r.teamId && (r.status === 'assigned' || r.status === 'claimed')) await d.jobs.notifyTeam(r.id, round, 'requeued');
        return d.jobs.enqueueAssignment(r.id, e.nextRound, priorityOf(r.condition));
      case 'visit':
        await d.jobs.syncCard(r.id, round, `visit-${visitTag(r)}`);
        return d.jobs.notifyCitizen(r, 'visit', round, visitTag(r));
      case 'unassigned':
        if (e.repeat) return;
        await d.jobs.notifyAdmin(r.id, 'unassigned', round);
        return d.jobs.notifyCitizen(r, r.reason === 'waitlist' ? 'waitlisted' : 'unassigned', round);
      case 'contact_failed':
        // "The officer called and could not reach you": check the phone, or give another number.
        return d.jobs.notifyCitizen(r, 'contact_failed', round, `try${e.attempt}`);
      case 'promoted':
        return d.jobs.notifyCitizen(r, 'promoted', round);
      case 'moved': {
        const before = e.before.round ?? 0;
        if (!e.requeued) return d.jobs.syncCard(r.id, round, `date-${r.preferredDate}`);
        await closeCard(r.id, before, `moved-${r.preferredDate}`);
        if (e.before.teamId) await d.jobs.notifyTeam(r.id, before, 'requeued');
        return d.jobs.enqueueAssignment(r.id, round, priorityOf(r.condition));
      }
      case 'expired':
        await closeCard(r.id, round, 'expired');
        if (r.teamId) await d.jobs.notifyTeam(r.id, round, 'cancelled');
        return d.jobs.notifyCitizen(r, 'expired', round);
      case 'session_cancelled':
        await closeCard(r.id, round, 'session_cancelled');
        if (r.teamId && (r.status === 'assigned' || r.status === 'claimed')) await d.jobs.notifyTeam(r.id, round, 'cancelled');
        return d.jobs.notifyAdmin(r.id, 'unassigned', round);
      case 'nobody_came':
        return d.jobs.notifyAdmin(r.id, 'nobody_came', round);
      case 'phone_changed': {
        // The team sees the new number on its card (and hears of it where there is no card).
        const card = await d.cards.get(r.id, round);
        if (card) await d.jobs.syncCard(r.id, round, `phone-${r.updatedAt}`);
        else if (r.teamId) await d.jobs.notifyTeam(r.id, round, 'phone_changed');
        return;
      }
      case 'claimed': {
        const card = await d.cards.get(r.id, round);
        if (card) await d.cards.update(card, { claimedBy: e.officer.id, claimedName: e.officer.name, mode: 'actions' }, d.clock.now());
        await d.jobs.syncCard(r.id, round, 'claimed');
        await d.jobs.notifyCitizen(r, 'claimed', round);
        return d.jobs.scheduleSla(r.id, 'overdue', round, endOfDayAfter(r.preferredDate));
      }
      case 'done':
        await closeCard(r.id, round, 'done');
        await d.jobs.notifyCitizen(r, 'done', round);
        // A day later: "did the officer come?"
        return d.jobs.scheduleSla(r.id, 'feedback', round, (r.closedAt ?? d.clock.now()) + FEEDBACK_AFTER_MS);
      case 'unreachable':
        await closeCard(r.id, round, 'unreachable');
        await d.jobs.notifyAdmin(r.id, 'unreachable', round);
        return d.jobs.notifyCitizen(r, 'unreachable', round);
      case 'returned':
        await closeCard(r.id, round, 'returned');
        // Being passed on: the person hears it, not silence.
        await d.jobs.notifyCitizen(r, 'returned', round);
        return d.jobs.enqueueAssignment(r.id, e.nextRound, priorityOf(r.condition));
      case 'cancelled':
      case 'erased': {
        // The card closes (with no personal data left on it once erased), and a team that held
        // the open request hears of it: nobody must go to a home that cancelled.
        await closeCard(r.id, round, e.type);
        if (r.teamId !== undefined && (e.type === 'cancelled' || e.wasOpen)) await d.jobs.notifyTeam(r.id, round, e.type);
        if (e.type === 'cancelled' && e.byUnit) await d.jobs.notifyCitizen(r, 'cancelled_by_unit', round);
        return;
      }
    }
  };
}

/** A visit time as a job-id-safe tag: a changed time is a new notice, the same one is not. */
export function visitTag(r: Pick<CitizenRequest, 'visit'>): string {
  return r.visit ? `${r.visit.date}_${r.visit.from}-${r.visit.to}`.replaceAll(':', '') : 'none';
}
