import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { AccessStore, LoginLink, WebSession } from '../../core/ports.js';
import { type Database, prepareOnce } from '../database.js';

/** Login links and browser sessions of the web console: only hashes of their secrets are stored. */
export class AccessRepository implements AccessStore {
  // Read on every page of the console: prepared once.
  private readonly sessionStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.sessionStmt = prepareOnce(
      db
        .select()
        .from(t.webSessions)
        .where(and(eq(t.webSessions.idHash, sql.placeholder('idHash')), isNull(t.webSessions.revokedAt), gt(t.webSessions.lastSeenAt, sql.placeholder('seenAfter'))))
        .limit(1),
      'web_session',
    );
  }

  async addLink(l: LoginLink): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.loginLinks).values(l);
  }

  /** Uses a link once: only an unused, unexpired one; the staff member it was for, or why not. */
  async useLink(tokenHash: string, now: number): Promise<{ staffId: string } | 'expired' | 'used' | 'unknown'> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.loginLinks)
      .set({ usedAt: now })
      .where(and(eq(t.loginLinks.tokenHash, tokenHash), isNull(t.loginLinks.usedAt), gt(t.loginLinks.expiresAt, now)))
      .returning({ staffId: t.loginLinks.staffId });
    if (rows[0]) return rows[0];
    const [link] = await db.select().from(t.loginLinks).where(eq(t.loginLinks.tokenHash, tokenHash)).limit(1);
    if (!link) return 'unknown';
    return link.usedAt !== null ? 'used' : 'expired';
  }

  async peekLink(tokenHash: string, now: number): Promise<'ok' | 'expired' | 'used' | 'unknown'> {
    const { db, t } = this.d;
    const [link] = await db.select().from(t.loginLinks).where(eq(t.loginLinks.tokenHash, tokenHash)).limit(1);
    if (!link) return 'unknown';
    if (link.usedAt !== null) return 'used';
    return Number(link.expiresAt) > now ? 'ok' : 'expired';
  }

  async addSession(s: WebSession): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.webSessions).values({ ...s, revokedAt: null });
  }

  /** A live session: not revoked, seen within the idle limit. */
  async session(idHash: string, seenAfter: number): Promise<WebSession | undefined> {
    const [s] = await this.sessionStmt.execute({ idHash, seenAfter });
    return s ? { idHash: s.idHash, staffId: s.staffId, csrf: s.csrf, createdAt: Number(s.createdAt), lastSeenAt: Number(s.lastSeenAt) } : undefined;
  }

  async touch(idHash: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.webSessions).set({ lastSeenAt: now }).where(eq(t.webSessions.idHash, idHash));
  }

  async revoke(idHash: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.webSessions).set({ revokedAt: now }).where(eq(t.webSessions.idHash, idHash));
  }

  async revokeAllOf(staffId: string, now: number): Promise<number> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.webSessions)
      .set({ revokedAt: now })
      .where(and(eq(t.webSessions.staffId, staffId), isNull(t.webSessions.revokedAt)))
      .returning({ id: t.webSessions.idHash });
    return rows.length;
  }

  /** Old links and ended sessions are removed (retention). */
  async forgetBefore(cutoff: number): Promise<void> {
    const { db, t } = this.d;
    await db.delete(t.loginLinks).where(lt(t.loginLinks.expiresAt, cutoff));
    await db.delete(t.webSessions).where(or(lt(t.webSessions.lastSeenAt, cutoff), lt(t.webSessions.revokedAt, cutoff)));
  }
}
