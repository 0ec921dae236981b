import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Capability, Officer, Team } from '../../domain/team.js';
import type { Database } from '../database.js';

export type InviteKind = 'group' | 'officer' | 'zalo';

/** Teams and officers change rarely (a file load, a group link) but are read for every job: cached briefly. */
const TEAM_CACHE_MS = 2000;

export class TeamRepository {
  private cache: { at: number; teams: Team[] } | undefined;
  private zaloCache = new Map<string, { at: number; officers: Officer[] }>();

  constructor(private readonly d: Database) {}

  /** Forget the cached teams and officers (after a change made here; other processes see it within 2 s). */
  invalidate(): void {
    this.cache = undefined;
    this.zaloCache.clear();
  }

  /** Loads the unit's team file: upserts teams, keeps the group links made with /lienket. */
  async upsertAll(teams: Omit<Team, 'chatId'>[]): Promise<void> {
    const { db, t } = this.d;
    for (const team of teams) {
      const values = {
        name: team.name,
        communes: JSON.stringify(team.communes),
        capabilities: JSON.stringify(team.capabilities),
        capacityPerDay: team.capacityPerDay,
        active: 1,
      };
      await db.insert(t.teams).values({ id: team.id, ...values }).onConflictDoUpdate({ target: t.teams.id, set: values });
    }
    this.invalidate();
  }

  async active(): Promise<Team[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < TEAM_CACHE_MS) return this.cache.teams;
    const { db, t } = this.d;
    const rows = await db.select().from(t.teams).where(eq(t.teams.active, 1)).orderBy(t.teams.name);
    const teams = rows.map((r) => ({
      id: r.id,
      name: r.name,
      chatId: r.chatId,
      communes: JSON.parse(r.communes) as string[],
      capabilities: JSON.parse(r.capabilities) as Capability[],
      capacityPerDay: r.capacityPerDay,
    }));
    this.cache = { at: now, teams };
    return teams;
  }

  async byId(id: string): Promise<Team | undefined> {
    return (await this.active()).find((team) => team.id === id);
  }

  async linkChat(teamId: string, chatId: string): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.teams).set({ chatId }).where(eq(t.teams.id, teamId));
    this.invalidate();
  }

  async officerByTelegram(userId: string): Promise<Officer | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.officers).where(eq(t.officers.telegramUserId, userId)).limit(1);
    return rows[0] ? toOfficer(rows[0]) : undefined;
  }

  /** Officers of a team reachable on Zalo; read for every new card, so cached like the teams. */
  async officersWithZalo(teamId: string): Promise<Officer[]> {
    const now = Date.now();
    const cached = this.zaloCache.get(teamId);
    if (cached && now - cached.at < TEAM_CACHE_MS) return cached.officers;
    const { db, t } = this.d;
    const rows = await db.select().from(t.officers).where(and(eq(t.officers.teamId, teamId), isNotNull(t.officers.zaloUserId)));
    const officers = rows.map(toOfficer);
    this.zaloCache.set(teamId, { at: now, officers });
    return officers;
  }

  async officerById(id: string): Promise<Officer | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.officers).where(eq(t.officers.id, id)).limit(1);
    return rows[0] ? toOfficer(rows[0]) : undefined;
  }

  async linkOfficerZalo(officerId: string, zaloUserId: string): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.officers).set({ zaloUserId }).where(eq(t.officers.id, officerId));
    this.invalidate();
  }

  /** Registers (or moves) an officer: one Telegram account is one officer in one team. */
  async upsertOfficer(o: Officer, now: number): Promise<void> {
    const { db, t } = this.d;
    await db
      .insert(t.officers)
      .values({ ...o, createdAt: now })
      .onConflictDoUpdate({ target: t.officers.telegramUserId, set: { teamId: o.teamId, name: o.name } });
    this.invalidate();
  }

  async createInvite(code: string, kind: InviteKind, teamId: string, createdBy: string, now: number, ttlMs: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.invites).values({ code, kind, teamId, createdBy, createdAt: now, expiresAt: now + ttlMs });
  }

  /** Uses a one-time code: works once, for an unexpired code of that kind; never after. */
  async useInvite(code: string, kind: InviteKind, usedBy: string, now: number): Promise<{ teamId: string; createdBy: string } | undefined> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.invites)
      .set({ usedAt: now, usedBy })
      .where(and(eq(t.invites.code, code), eq(t.invites.kind, kind), isNull(t.invites.usedAt), gt(t.invites.expiresAt, now)))
      .returning({ teamId: t.invites.teamId, createdBy: t.invites.createdBy });
    return rows[0];
  }
}

function toOfficer(r: { id: string; teamId: string; telegramUserId: string; name: string; zaloUserId: string | null }): Officer {
  return { id: r.id, teamId: r.teamId, telegramUserId: r.telegramUserId, name: r.name, ...(r.zaloUserId ? { zaloUserId: r.zaloUserId } : {}) };
}
