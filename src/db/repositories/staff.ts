import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/address.js';
import type { StaffMember } from '../../domain/team.js';
import { type Database, prepareOnce } from '../database.js';
import type { Tables } from '../schema/define.js';
import type { StaffAdminStore } from '../../core/teams/admin.js';

/** A team's officers are read for every new card (who to tell directly): cached briefly. */
const CACHE_MS = 2000;

export interface NewStaff {
  id: string;
  name: string;
  teamId: string | null;
  commander: boolean;
  root?: boolean;
}

/** The unit's people and who they are on each channel. */
export class StaffRepository implements StaffAdminStore {
  private readonly teamCache = new Map<string, { at: number; staff: StaffMember[] }>();

  // Every console page and every card press reads one person: prepared once.
  private readonly byIdStmt;
  private readonly identitiesStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.byIdStmt = prepareOnce(db.select().from(t.staff).where(and(eq(t.staff.id, sql.placeholder('id')), eq(t.staff.active, 1))), 'staff_by_id');
    this.identitiesStmt = prepareOnce(db.select().from(t.identities).where(eq(t.identities.staffId, sql.placeholder('id'))), 'staff_identities');
  }

  invalidate(): void {
    this.teamCache.clear();
  }

  /** The active staff member behind a channel account, if any. */
  async byIdentity(a: Actor): Promise<StaffMember | undefined> {
    const { db, t } = this.d;
    const rows = await db
      .select({ id: t.identities.staffId })
      .from(t.identities)
      .innerJoin(t.staff, eq(t.staff.id, t.identities.staffId))
      .where(and(eq(t.identities.channel, a.channel), eq(t.identities.userId, a.userId), eq(t.staff.active, 1)))
      .limit(1);
    return rows[0] ? this.byId(rows[0].id) : undefined;
  }

  async byId(id: string): Promise<StaffMember | undefined> {
    const [r] = await this.byIdStmt.execute({ id });
    return r ? toStaff(r, await this.identitiesStmt.execute({ id })) : undefined;
  }

  /** Active officers of a team. */
  async ofTeam(teamId: string): Promise<StaffMember[]> {
    const hit = this.teamCache.get(teamId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.staff;
    const staff = await this.load(eq(this.d.t.staff.teamId, teamId));
    this.teamCache.set(teamId, { at: Date.now(), staff });
    return staff;
  }

  async commanders(): Promise<StaffMember[]> {
    return this.load(eq(this.d.t.staff.commander, 1));
  }

  async create(s: NewStaff, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.staff).values({ id: s.id, name: s.name, teamId: s.teamId, commander: s.commander ? 1 : 0, root: s.root ? 1 : 0, createdAt: now }).onConflictDoNothing();
    this.invalidate();
  }

  async update(id: string, patch: Partial<Pick<StaffMember, 'name' | 'teamId' | 'commander' | 'root'>>): Promise<void> {
    const { db, t } = this.d;
    const { commander, root, ...rest } = patch;
    await db
      .update(t.staff)
      .set({ ...rest, ...(commander === undefined ? {} : { commander: commander ? 1 : 0 }), ...(root === undefined ? {} : { root: root ? 1 : 0 }) })
      .where(eq(t.staff.id, id));
    this.invalidate();
  }

  /** The communes a commander oversees (none: all). */
  async setCommunes(id: string, communes: string[]): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.staff).set({ communes: JSON.stringify(communes) }).where(eq(t.staff.id, id));
    this.invalidate();
  }

  /** Adds a channel account to a person; false if that account belongs to someone else. */
  async addIdentity(staffId: string, a: Actor, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db.insert(t.identities).values({ staffId, channel: a.channel, userId: a.userId, createdAt: now }).onConflictDoNothing().returning({ s: t.identities.staffId });
    this.invalidate();
    if (rows.length > 0) return true;
    return (await this.byIdentity(a))?.id === staffId;
  }

  async remove(id: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.staff).set({ active: 0, removedAt: now }).where(eq(t.staff.id, id));
    this.invalidate();
  }

  private async load(where: SQL): Promise<StaffMember[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.staff).where(and(where, eq(t.staff.active, 1)));
    if (rows.length === 0) return [];
    const ids = await db.select().from(t.identities).where(inArray(t.identities.staffId, rows.map((r) => r.id)));
    return rows.map((r) => toStaff(r, ids.filter((i) => i.staffId === r.id)));
  }
}

function toStaff(r: Tables['staff']['$inferSelect'], ids: { channel: string; userId: string }[]): StaffMember {
  return {
    id: r.id,
    name: r.name,
    teamId: r.teamId,
    commander: r.commander === 1,
    communes: JSON.parse(r.communes) as string[],
    root: r.root === 1,
    identities: ids.map((i) => ({ channel: i.channel, userId: i.userId })),
  };
}
