import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { ResultField, ResultStore, SessionResult, Target, TargetStore } from '../../core/reports/ports.js';
import type { Database } from '../database.js';
import type { Tables } from '../schema/define.js';

type ResultRow = Tables['sessionResults']['$inferSelect'];

function toResult(r: ResultRow): SessionResult {
  return { ...r, recordedAt: Number(r.recordedAt) };
}

/** Session results: one row per team, day and commune (recording again replaces the numbers). */
export class ResultRepository implements ResultStore {
  constructor(private readonly d: Database) {}

  async save(r: SessionResult): Promise<void> {
    const { db, t } = this.d;
    await db
      .insert(t.sessionResults)
      .values(r)
      .onConflictDoUpdate({ target: [t.sessionResults.teamId, t.sessionResults.day, t.sessionResults.communeId], set: r });
  }

  async of(teamId: string, day: string, communeId: string): Promise<SessionResult | undefined> {
    const { db, t } = this.d;
    const s = t.sessionResults;
    const rows = await db.select().from(s).where(and(eq(s.teamId, teamId), eq(s.day, day), eq(s.communeId, communeId))).limit(1);
    return rows[0] ? toResult(rows[0]) : undefined;
  }

  async between(from: string, to: string, communes: readonly string[]): Promise<SessionResult[]> {
    const { db, t } = this.d;
    const s = t.sessionResults;
    const rows = await db
      .select()
      .from(s)
      .where(and(gte(s.day, from), lte(s.day, to), communes.length > 0 ? inArray(s.communeId, [...communes]) : undefined))
      .orderBy(asc(s.day), asc(s.communeId), asc(s.teamId));
    return rows.map(toResult);
  }
}

type TargetRow = Tables['targets']['$inferSelect'];

function toTarget(r: TargetRow): Target {
  return { ...r, metric: r.metric as ResultField, updatedAt: Number(r.updatedAt) };
}

export class TargetRepository implements TargetStore {
  constructor(private readonly d: Database) {}

  async all(): Promise<Target[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.targets).orderBy(asc(t.targets.periodStart), asc(t.targets.metric));
    return rows.map(toTarget);
  }

  async byId(id: string): Promise<Target | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.targets).where(eq(t.targets.id, id)).limit(1);
    return rows[0] ? toTarget(rows[0]) : undefined;
  }

  async save(target: Target): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.targets).values(target).onConflictDoUpdate({ target: t.targets.id, set: target });
  }

  async remove(id: string): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db.delete(t.targets).where(eq(t.targets.id, id)).returning({ id: t.targets.id });
    return rows.length > 0;
  }
}
