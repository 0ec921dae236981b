import { randomUUID } from 'node:crypto';
import { NOTES_MAX, OPEN_STATUSES, type CitizenRequest, type Outcome, outcomeList } from '../../domain/request.js';
import { canWork, type StaffMember } from '../../domain/team.js';
import { oversees } from '../access/scope.js';
import type { AuditLog, Clock, NoteStore, TeamStore } from '../ports.js';
import type { RequestService } from '../requests/service.js';
import { cleanInput } from '../../domain/text.js';

/** Why the unit cancels a request: the citizen is told this, in plain words. */
export const UNIT_CANCEL_REASONS = ['duplicate', 'came_to_session', 'not_eligible', 'asked_by_family', 'other'] as const;
export type UnitCancelReason = (typeof UNIT_CANCEL_REASONS)[number];

export type ByHandResult =
  | { ok: true }
  | { ok: false; reason: 'forbidden' | 'changed' | 'closed' | 'unknown_team' | 'same_team' | 'team_cannot_work' | 'empty' | 'too_long' }
  | { ok: false; reason: 'full'; team: string; capacity: number };

const refused = (reason: Exclude<Extract<ByHandResult, { ok: false }>['reason'], 'full'>): ByHandResult => ({ ok: false, reason });

/**
 * What a commander does to a request by hand, under the same rules as everything else: only in
 * their communes, only on the version they saw (else "it changed, here is the latest"), through
 * the request service, so the card, the team and the citizen are told exactly as when the
 * queue or an officer does it.
 */
export class CommanderActions {
  constructor(
    private readonly requests: RequestService,
    private readonly teams: TeamStore,
    private readonly notes: NoteStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  private check(r: CitizenRequest, by: StaffMember, expected: number, open = true): ByHandResult | undefined {
    if (!oversees(by, r.communeId)) return refused('forbidden');
    if (r.updatedAt !== expected) return refused('changed');
    if (open && !OPEN_STATUSES.includes(r.status)) return refused('closed');
    return undefined;
  }

  async assign(r: CitizenRequest, teamId: string, by: StaffMember, expected: number): Promise<ByHandResult> {
    const no = this.check(r, by, expected);
    if (no) return no;
    const team = await this.teams.byId(teamId);
    if (!team) return refused('unknown_team');
    if (!canWork(team)) return refused('team_cannot_work');
    if (team.id === r.teamId && (r.status === 'assigned' || r.status === 'claimed')) return refused('same_team');
    const result = await this.requests.assignByHand(r, team.id, by, expected);
    if (result === 'full') return { ok: false, reason: 'full', team: team.name, capacity: team.capacityPerDay };
    return result === 'assigned' ? { ok: true } : refused('changed');
  }

  async requeue(r: CitizenRequest, by: StaffMember, expected: number): Promise<ByHandResult> {
    const no = this.check(r, by, expected);
    if (no) return no;
    if (r.status === 'new') return refused('closed');
    return (await this.requests.requeue(r, by, expected)) ? { ok: true } : refused('changed');
  }

  async cancel(r: CitizenRequest, reason: UnitCancelReason, by: StaffMember, expected: number): Promise<ByHandResult> {
    const no = this.check(r, by, expected);
    if (no) return no;
    return (await this.requests.cancelByUnit(r, reason, by, expected)) ? { ok: true } : refused('changed');
  }

  async close(r: CitizenRequest, outcome: Outcome, by: StaffMember, expected: number, more: readonly Outcome[] = []): Promise<ByHandResult> {
    const no = this.check(r, by, expected);
    if (no) return no;
    return (await this.requests.complete(r, outcomeList(outcome, more), by, { from: OPEN_STATUSES, expected })) ? { ok: true } : refused('changed');
  }

  /** An internal note: never shown to the citizen, erased with the request's personal data. */
  async note(r: CitizenRequest, text: string, by: StaffMember): Promise<ByHandResult> {
    if (!oversees(by, r.communeId) && !(by.teamId && by.teamId === r.teamId)) return refused('forbidden');
    if (r.erasedAt !== undefined) return refused('closed');
    // Cleaned like every stored text (invisible and bidi characters out) before it is judged.
    const body = cleanInput(text, { lines: true });
    if (!body) return refused('empty');
    if (body.length > NOTES_MAX) return refused('too_long');
    const now = this.clock.now();
    await this.notes.add({ id: randomUUID(), requestId: r.id, staffId: by.id, text: body, at: now });
    await this.audit.record(`staff:${by.id}`, 'note_added', r.id, now);
    return { ok: true };
  }
}
