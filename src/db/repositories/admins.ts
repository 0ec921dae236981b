import { eq } from 'drizzle-orm';
import type { Database } from '../database.js';

/** Admins added in chat by a configured admin (Telegram user ids). */
export class AdminRepository {
  constructor(private readonly d: Database) {}

  async add(userId: string, by: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.admins).values({ userId, addedBy: by, addedAt: now }).onConflictDoNothing();
  }

  async remove(userId: string): Promise<boolean> {
    const { db, t } = this.d;
    return (await db.delete(t.admins).where(eq(t.admins.userId, userId)).returning({ u: t.admins.userId })).length > 0;
  }

  async has(userId: string): Promise<boolean> {
    const { db, t } = this.d;
    return (await db.select({ u: t.admins.userId }).from(t.admins).where(eq(t.admins.userId, userId)).limit(1)).length > 0;
  }

  async all(): Promise<string[]> {
    const { db, t } = this.d;
    return (await db.select({ u: t.admins.userId }).from(t.admins)).map((r) => r.u);
  }
}
