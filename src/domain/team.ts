import type { Actor, Address } from './address.js';
import type { CitizenRequest, Service } from './request.js';

export const CAPABILITIES = ['home_kit', 'vehicle', 'vneid'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Team {
  id: string;
  name: string;
  /** The group the team works in (cards live there), on any channel with groups; or none. */
  workChat: Address | null;
  communes: string[];
  capabilities: Capability[];
  capacityPerDay: number;
  /** Registered officers: a team without a work chat still works from their own chats. */
  officerCount: number;
}

/** A team as the unit's file (or the console) describes it, before any work chat is linked. */
export type TeamSeed = Pick<Team, 'id' | 'name' | 'communes' | 'capabilities' | 'capacityPerDay'>;

/** One-time codes: link a work chat, register an officer or a commander, add a channel to a person. */
export type InviteKind = 'group' | 'officer' | 'commander' | 'identity';

/** A person of the unit: an officer of a team, a commander, or both; known on several channels. */
export interface StaffMember {
  id: string;
  name: string;
  teamId: string | null;
  commander: boolean;
  /** Communes a commander oversees; empty: all. */
  communes: string[];
  /** Seeded from the settings: may add and remove other commanders. */
  root: boolean;
  identities: Actor[];
}

/** What a team must be able to do for this request. */
export function requiredCapabilities(r: Pick<CitizenRequest, 'type' | 'services'>): Capability[] {
  const needs = new Set<Capability>([r.type === 'ride' ? 'vehicle' : 'home_kit']);
  const vneidOnly = r.services.length > 0 && r.services.every((s: Service) => s === 'vneid_l2');
  // A home visit only for VNeID level 2 needs VNeID support, not the CCCD kit.
  if (r.type === 'home' && vneidOnly) {
    needs.delete('home_kit');
    needs.add('vneid');
  }
  return [...needs];
}

/** A team can be given work when someone will see it: a work chat, or officers of its own. */
export function canWork(t: Pick<Team, 'workChat' | 'officerCount'>): boolean {
  return t.workChat !== null || t.officerCount > 0;
}

// One collator: localeCompare with a locale builds a new one on every call.
const byName = new Intl.Collator('vi');

export type UnassignedReason = 'no_team_for_area' | 'no_team_linked' | 'no_capability' | 'no_capacity';

export type TeamChoice = { ok: true; team: Team } | { ok: false; reason: UnassignedReason };

/**
 * The team for a request: covers its commune, can be reached, can do what it needs, has room
 * on its day; among those the least loaded that day, then by name so the choice is stable.
 * Teams that handed the request back are not chosen again. The reason names the first rule no
 * team passed, so the commander is told what to fix.
 */
export function chooseTeam(
  r: Pick<CitizenRequest, 'type' | 'services' | 'communeId'>,
  teams: Team[],
  loadOnDay: ReadonlyMap<string, number>,
  excluded: readonly string[] = [],
): TeamChoice {
  const covering = teams.filter((t) => t.communes.includes(r.communeId) && !excluded.includes(t.id));
  if (covering.length === 0) return { ok: false, reason: 'no_team_for_area' };
  const reachable = covering.filter(canWork);
  if (reachable.length === 0) return { ok: false, reason: 'no_team_linked' };
  const needs = requiredCapabilities(r);
  const able = reachable.filter((t) => needs.every((c) => t.capabilities.includes(c)));
  if (able.length === 0) return { ok: false, reason: 'no_capability' };
  const withRoom = able.filter((t) => (loadOnDay.get(t.id) ?? 0) < t.capacityPerDay);
  if (withRoom.length === 0) return { ok: false, reason: 'no_capacity' };
  withRoom.sort((a, b) => (loadOnDay.get(a.id) ?? 0) - (loadOnDay.get(b.id) ?? 0) || byName.compare(a.name, b.name));
  return { ok: true, team: withRoom[0]! };
}
