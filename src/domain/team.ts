import type { CitizenRequest, Service } from './request.js';

export const CAPABILITIES = ['home_kit', 'vehicle', 'vneid'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Team {
  id: string;
  name: string;
  chatId: string | null;
  communes: string[];
  capabilities: Capability[];
  capacityPerDay: number;
}

export interface Officer {
  id: string;
  teamId: string;
  telegramUserId: string;
  name: string;
  zaloUserId?: string;
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

// One collator: localeCompare with a locale builds a new one on every call.
const byName = new Intl.Collator('vi');

export type TeamChoice =
  | { ok: true; team: Team }
  | { ok: false; reason: 'no_team_for_area' | 'no_capability' | 'no_capacity' };

/**
 * The team for a request: covers its commune, can do what it needs, has room on its day
 * (and a group to work in); among those the least loaded that day, then by name so the choice
 * is stable. Teams that handed the request back are not chosen again.
 */
export function chooseTeam(
  r: Pick<CitizenRequest, 'type' | 'services' | 'communeId'>,
  teams: Team[],
  loadOnDay: ReadonlyMap<string, number>,
  excluded: readonly string[] = [],
): TeamChoice {
  const inArea = teams.filter((t) => t.chatId && t.communes.includes(r.communeId) && !excluded.includes(t.id));
  if (inArea.length === 0) return { ok: false, reason: 'no_team_for_area' };
  const needs = requiredCapabilities(r);
  const able = inArea.filter((t) => needs.every((c) => t.capabilities.includes(c)));
  if (able.length === 0) return { ok: false, reason: 'no_capability' };
  const withRoom = able.filter((t) => (loadOnDay.get(t.id) ?? 0) < t.capacityPerDay);
  if (withRoom.length === 0) return { ok: false, reason: 'no_capacity' };
  withRoom.sort((a, b) => (loadOnDay.get(a.id) ?? 0) - (loadOnDay.get(b.id) ?? 0) || byName.compare(a.name, b.name));
  return { ok: true, team: withRoom[0]! };
}
