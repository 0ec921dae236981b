import { priorityOf } from '../../domain/request.js';
import { addWorkingTime, endOfDayAfter, type WorkingHours } from '../../domain/workingHours.js';
import type { CardStore, Clock, FollowUps, StaffStore, TeamStore } from '../ports.js';
import type { RequestEvent } from './service.js';

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

  return async (e: RequestEvent): Promise<void> => {
    const r = e.request;
    const round = r.round ?? 0;
    switch (e.type) {
      case 'filed':
        return d.jobs.enqueueAssignment(r.id, round, priorityOf(r.condition));
      case 'assigned': {
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
      }
      case 'unassigned':
        await d.jobs.notifyAdmin(r.id, 'unassigned', round);
        return d.jobs.notifyCitizen(r, 'unassigned', round);
      case 'claimed': {
        const card = await d.cards.get(r.id, round);
        if (card) await d.cards.update(card, { claimedBy: e.officer.id, claimedName: e.officer.name, mode: 'actions' }, d.clock.now());
        await d.jobs.syncCard(r.id, round, 'claimed');
        await d.jobs.notifyCitizen(r, 'claimed', round);
        return d.jobs.scheduleSla(r.id, 'overdue', round, endOfDayAfter(r.preferredDate));
      }
      case 'done':
        await closeCard(r.id, round, 'done');
        return d.jobs.notifyCitizen(r, 'done', round);
      case 'unreachable':
        await closeCard(r.id, round, 'unreachable');
        return d.jobs.notifyAdmin(r.id, 'unreachable', round);
      case 'returned':
        await closeCard(r.id, round, 'returned');
        return d.jobs.enqueueAssignment(r.id, e.nextRound, priorityOf(r.condition));
      case 'cancelled':
      case 'erased': {
        // The card closes (with no personal data left on it once erased), and a team that held
        // the open request hears of it: nobody must go to a home that cancelled.
        await closeCard(r.id, round, e.type);
        if (r.teamId !== undefined && (e.type === 'cancelled' || e.wasOpen)) await d.jobs.notifyTeam(r.id, round, e.type);
        return;
      }
    }
  };
}
