import type { StaffMember, Team } from '../../domain/team.js';

/** What a commander may do with a team: change it, only see it, or neither. */
export type TeamReach = 'change' | 'see' | 'none';

/** Why a change to a team is not made: no such team, theirs only to see, or not theirs at all. */
export type TeamRefusal = 'unknown' | 'not_yours' | 'hidden';

/**
 * A commander of some communes changes only the teams that serve none but theirs. A team that
 * also serves another commune is shared with that commune: its name, its work, its size, its
 * officers and whether it runs all change the other commune's visits too, so its commander could
 * be left without a team by someone who does not answer for that commune. Such a team is shown
 * (they should know who works in their communes) and changed only by a commander of the whole
 * unit. A commander without a list of communes changes every team. The console and the chat
 * commands both ask this.
 */
export function reachOf(by: Pick<StaffMember, 'communes'>, t: Pick<Team, 'communes'>): TeamReach {
  if (by.communes.length === 0) return 'change';
  const theirs = t.communes.filter((c) => by.communes.includes(c)).length;
  if (theirs === 0) return 'none';
  return theirs === t.communes.length ? 'change' : 'see';
}
