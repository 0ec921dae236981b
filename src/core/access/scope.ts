import type { CitizenRequest } from '../../domain/request.js';
import type { StaffMember } from '../../domain/team.js';

/** A commander oversees the requests of their communes (none listed: all). */
export function oversees(s: StaffMember, communeId: string): boolean {
  return s.commander && (s.communes.length === 0 || s.communes.includes(communeId));
}

/** An officer works on what their team holds now, and nothing else. */
export function works(s: StaffMember, r: Pick<CitizenRequest, 'teamId'>): boolean {
  return s.teamId !== null && r.teamId === s.teamId;
}

/** Whether this person may see this request's personal data at all. */
export function maySee(s: StaffMember, r: Pick<CitizenRequest, 'teamId' | 'communeId'>): boolean {
  return oversees(s, r.communeId) || works(s, r);
}
