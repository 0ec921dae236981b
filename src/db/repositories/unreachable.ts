import { eq, sql } from 'drizzle-orm';
import { type Database, prepareOnce } from '../database.js';

/** Chats that answered 403 (blocked the bot): sending to them again is pointless until they write. */
export class UnreachableRepository {
  private readonly getStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.getStmt = prepareOnce(db.select().from(t.unreachableChats).where(eq(t.unreachableChats.key, sql.placeholder('key'))).limit(1), 'unreachable_get');
  }

  async mark(key: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.unreachableChats).values({ key, at: now }).onConflictDoUpdate({ target: t.unreachableChats.key, set: { at: now } });
  }

  async isUnreachable(key: string): Promise<boolean> {
    return (await this.getStmt.execute({ key })).length > 0;
  }

  async clear(key: string): Promise<void> {
    const { db, t } = this.d;
    await db.delete(t.unreachableChats).where(eq(t.unreachableChats.key, key));
  }
}
