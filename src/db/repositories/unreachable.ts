import { eq, sql } from 'drizzle-orm';
import { type Database, prepareOnce } from '../database.js';
import type { UnreachableStore } from '../../core/ports.js';

/**
 * A chat found reachable is not asked about again for this long. Only that answer is kept: a
 * stale "reachable" costs one send that gets 403 (and marks the chat), while a stale
 * "unreachable" would drop a message to someone who has written to the bot again.
 */
const REACHABLE_CACHE_MS = 5000;

/** Chats that answered 403 (blocked the bot): sending to them again is pointless until they write. */
export class UnreachableRepository implements UnreachableStore {
  private readonly getStmt;
  private readonly reachable = new Map<string, number>();

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.getStmt = prepareOnce(db.select().from(t.unreachableChats).where(eq(t.unreachableChats.key, sql.placeholder('key'))).limit(1), 'unreachable_get');
  }

  async mark(key: string, now: number): Promise<void> {
    this.reachable.delete(key);
    const { db, t } = this.d;
    await db.insert(t.unreachableChats).values({ key, at: now }).onConflictDoUpdate({ target: t.unreachableChats.key, set: { at: now } });
  }

  async isUnreachable(key: string): Promise<boolean> {
    const checked = this.reachable.get(key);
    if (checked !== undefined && Date.now() - checked < REACHABLE_CACHE_MS) return false;
    const unreachable = (await this.getStmt.execute({ key })).length > 0;
    if (!unreachable) {
      if (this.reachable.size >= 50_000) this.reachable.clear();
      this.reachable.set(key, Date.now());
    }
    return unreachable;
  }

  async clear(key: string): Promise<void> {
    const { db, t } = this.d;
    await db.delete(t.unreachableChats).where(eq(t.unreachableChats.key, key));
  }
}
