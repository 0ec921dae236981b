import { eq } from 'drizzle-orm';
import type { Database } from '../database.js';

/** Chats that answered 403 (blocked the bot): sending to them again is pointless until they write. */
export class UnreachableRepository {
  constructor(private readonly d: Database) {}

  async mark(key: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.unreachableChats).values({ key, at: now }).onConflictDoUpdate({ target: t.unreachableChats.key, set: { at: now } });
  }

  async isUnreachable(key: string): Promise<boolean> {
    const { db, t } = this.d;
    return (await db.select().from(t.unreachableChats).where(eq(t.unreachableChats.key, key)).limit(1)).length > 0;
  }

  async clear(key: string): Promise<void> {
    const { db, t } = this.d;
    await db.delete(t.unreachableChats).where(eq(t.unreachableChats.key, key));
  }
}
