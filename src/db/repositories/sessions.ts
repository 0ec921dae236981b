import { and, asc, eq, gte, lte, ne, sql } from 'drizzle-orm';
import type { Session, SessionPatch, SessionService, SessionStatus } from '../../domain/session.js';
import type { SessionStore } from '../../core/ports.js';
import { type Database, prepareOnce } from '../database.js';
import type { Tables } from '../schema/define.js';

type Row = Tables['sessions']['$inferSelect'];

function toSession(r: Row): Session {
  return {
    id: r.id,
    communeId: r.communeId,
    placeName: r.placeName,
    address: r.address,
    mapUrl: r.mapUrl,
    date: r.date,
    startTime: r.startTime,
    endTime: r.endTime,
    services: JSON.parse(r.services) as SessionService[],
    homeCapacity: r.homeCapacity,
    rideCapacity: r.rideCapacity,
    notes: r.notes,
    status: r.status as SessionStatus,
    previous: r.previous ? (JSON.parse(r.previous) as Session['previous']) : null,
    version: r.version,
  };
}

export class SessionRepository implements SessionStore {
  // The intake's date question asks for the commune's sessions on every prompt: prepared once.
  private readonly upcomingInStmt;
  private readonly upcomingAllStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    const s = t.sessions;
    const from = and(gte(s.date, sql.placeholder('from')), ne(s.status, 'cancelled'));
    const soonest = [asc(s.date), asc(s.startTime)];
    this.upcomingInStmt = prepareOnce(
      db.select().from(s).where(and(from, eq(s.communeId, sql.placeholder('commune')))).orderBy(...soonest).limit(sql.placeholder('limit')),
      'sessions_upcoming_in',
    );
    this.upcomingAllStmt = prepareOnce(db.select().from(s).where(from).orderBy(...soonest).limit(sql.placeholder('limit')), 'sessions_upcoming_all');
  }

  async insert(s: Session, by: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db
      .insert(t.sessions)
      .values({ ...s, services: JSON.stringify(s.services), previous: s.previous ? JSON.stringify(s.previous) : null, createdBy: by, createdAt: now, updatedAt: now })
      .onConflictDoNothing();
  }

  async byId(id: string): Promise<Session | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.sessions).where(eq(t.sessions.id, id)).limit(1);
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  /**
   * Applies the change; `notify` bumps the version (the id of the notice people get about it).
   * Undefined if the session is gone or another change got there first (nothing applied).
   */
  async update(id: string, patch: SessionPatch, notify: boolean, now: number): Promise<Session | undefined> {
    const { db, t } = this.d;
    const current = await this.byId(id);
    if (!current) return undefined;
    const { services, previous, ...rest } = patch;
    const changed = await db
      .update(t.sessions)
      .set({
        ...rest,
        ...(services ? { services: JSON.stringify(services) } : {}),
        ...(previous !== undefined ? { previous: previous ? JSON.stringify(previous) : null } : {}),
        version: current.version + (notify ? 1 : 0),
        updatedAt: now,
      })
      .where(and(eq(t.sessions.id, id), eq(t.sessions.version, current.version)))
      .returning({ id: t.sessions.id });
    return changed.length > 0 ? this.byId(id) : undefined;
  }

  /** Sessions from `fromDate` on (not cancelled), soonest first; one commune's when given. */
  async upcoming(fromDate: string, communeId?: string, limit = 10): Promise<Session[]> {
    const rows = communeId
      ? await this.upcomingInStmt.execute({ from: fromDate, commune: communeId, limit })
      : await this.upcomingAllStmt.execute({ from: fromDate, limit });
    return rows.map(toSession);
  }

  /** Every session (cancelled ones too) between two dates, for the admin's list. */
  async between(fromDate: string, toDate: string): Promise<Session[]> {
    const { db, t } = this.d;
    const s = t.sessions;
    const rows = await db.select().from(s).where(and(gte(s.date, fromDate), lte(s.date, toDate))).orderBy(asc(s.date), asc(s.startTime));
    return rows.map(toSession);
  }
}
