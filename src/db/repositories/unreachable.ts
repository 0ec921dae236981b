import { eq, inArray } from 'drizzle-orm';
import { BatchedReader } from '../batch.js';
import { type Database, filledRows, placeholderList, preparedBySize } from '../database.js';
import type { UnreachableStore } from '../../core/ports.js';

/**
 * A chat found reachable is not asked about again for this long. Only that answer is kept: a
 * stale "reachable" costs one send that gets 403 (and marks the chat), while a stale
 * "unreachable" would drop a message to someone who has written to the bot again.
 */
const REACHABLE_CACHE_MS = 5000;

/** Chats that answered 403 (blocked the bot): sending to them again is pointless until they write. */
export class UnreachableRepository implements UnreachableStore {
  private readonly reachable = new Map<string, number>();
  // Deliveries at the same moment (a broadcast, many jobs) ask in one query.
  private readonly marks = new BatchedReader<string, true>(async (keys) => {
    const rows = await this.getMany(keys.length).execute(filledRows(keys.map((key) => ({ key }))));
    return new Map(rows.map((r) => [r.key, true as const]));
  });
  private readonly getMany;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.getMany = preparedBySize('unreachable_get', (n) => db.select({ key: t.unreachableChats.key }).from(t.unreachableChats).where(inArray(t.unreachableChats.key, placeholderList('key', n))));
  }

  async mark(key: string, now: number): Promise<void> {
    this.reachable.delete(key);
    const { db, t } = this.d;
    await db.insert(t.unreachableChats).values({ key, at: now }).onConflictDoUpdate({ target: t.unreachableChats.key, set: { at: now } });
  }

  async isUnreachable(key: string): Promise<boolean> {
    const checked = this.reachable.get(key);
    if (checked !== undefined && Date.now() - checked < REACHABLE_CACHE_MS) return false;
    const unreachable = (await this.marks.read(key)) === true;
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
