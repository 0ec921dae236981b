import { and, count, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { TeamAdminStore, TeamRecord } from '../../core/teams/admin.js';
import type { Address } from '../../domain/address.js';
import type { Capability, InviteKind, Team, TeamSeed } from '../../domain/team.js';
import type { Database } from '../database.js';

/** Teams change rarely (a file load, a group link) but are read for every job: cached briefly. */
const TEAM_CACHE_MS = 2000;

export class TeamRepository implements TeamAdminStore {
  private cache: { at: number; teams: Team[] } | undefined;

  constructor(private readonly d: Database) {}

  /** Forget the cached teams (after a change made here; other processes see it within 2 s). */
  invalidate(): void {
    this.cache = undefined;
  }

  /** Seeds an empty database from the teams file, and the console's import: upserts active teams, keeps their work chats. */
  async upsertAll(teams: TeamSeed[]): Promise<void> {
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
    const teams: Team[] = (await this.load(true)).map(({ active: _active, ...team }) => team);
    this.cache = { at: now, teams };
    return teams;
  }

  /** Every team, deactivated ones too (the console lists them; assignment reads `active`). */
  all(): Promise<TeamRecord[]> {
    return this.load(false);
  }

  async count(): Promise<number> {
    const { db, t } = this.d;
    const [r] = await db.select({ n: count() }).from(t.teams);
    return Number(r?.n ?? 0);
  }

  /** Creates or edits one team; its work chat and whether it is active stay as they are. */
  async save(team: TeamSeed): Promise<void> {
    const { db, t } = this.d;
    const values = { name: team.name, communes: JSON.stringify(team.communes), capabilities: JSON.stringify(team.capabilities), capacityPerDay: team.capacityPerDay };
    await db.insert(t.teams).values({ id: team.id, ...values }).onConflictDoUpdate({ target: t.teams.id, set: values });
    this.invalidate();
  }

  async setActive(id: string, active: boolean): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.teams).set({ active: active ? 1 : 0 }).where(eq(t.teams.id, id));
    this.invalidate();
  }

  async unlinkWorkChat(id: string): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.teams).set({ workChannel: null, chatId: null }).where(eq(t.teams.id, id));
    this.invalidate();
  }

  private async load(activeOnly: boolean): Promise<TeamRecord[]> {
    const { db, t } = this.d;
    const [rows, counts] = await Promise.all([
      db.select().from(t.teams).where(activeOnly ? eq(t.teams.active, 1) : undefined).orderBy(t.teams.name),
      db
        .select({ teamId: t.staff.teamId, n: count() })
        .from(t.staff)
        .where(and(isNotNull(t.staff.teamId), eq(t.staff.active, 1)))
        .groupBy(t.staff.teamId),
    ]);
    const officers = new Map(counts.map((c) => [c.teamId, Number(c.n)]));
    return rows.map(
      (r): TeamRecord => ({
        id: r.id,
        name: r.name,
        workChat: r.chatId && r.workChannel ? { channel: r.workChannel, chatId: r.chatId, kind: 'group' } : null,
        communes: JSON.parse(r.communes) as string[],
        capabilities: JSON.parse(r.capabilities) as Capability[],
        capacityPerDay: r.capacityPerDay,
        officerCount: officers.get(r.id) ?? 0,
        active: r.active === 1,
      }),
    );
  }

  async byId(id: string): Promise<Team | undefined> {
    return (await this.active()).find((team) => team.id === id);
  }

  /** The team whose work chat this is, if any. */
  async byWorkChat(a: Pick<Address, 'channel' | 'chatId'>): Promise<Team | undefined> {
    return (await this.active()).find((team) => team.workChat?.channel === a.channel && team.workChat.chatId === a.chatId);
  }

  async linkWorkChat(teamId: string, chat: Address): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.teams).set({ workChannel: chat.channel, chatId: chat.chatId }).where(eq(t.teams.id, teamId));
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
