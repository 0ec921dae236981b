import { and, count, eq, inArray } from 'drizzle-orm';
import type { ChannelId } from '../../domain/address.js';
import type { Database } from '../database.js';
import type { SubscriptionStore } from '../../core/ports.js';

/** Who wants which commune's announcements. */
export class SubscriptionRepository implements SubscriptionStore {
  constructor(private readonly d: Database) {}

  /** False when it was already there. */
  async subscribe(channel: ChannelId, chatId: string, communeId: string, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db.insert(t.subscriptions).values({ channel, chatId, communeId, createdAt: now }).onConflictDoNothing().returning({ c: t.subscriptions.communeId });
    return rows.length > 0;
  }

  /** One commune, or all of this chat's subscriptions (blocked the bot, erased their data). */
  async unsubscribe(channel: ChannelId, chatId: string, communeId?: string): Promise<number> {
    const { db, t } = this.d;
    const s = t.subscriptions;
    const rows = await db
      .delete(s)
      .where(and(eq(s.channel, channel), eq(s.chatId, chatId), communeId ? eq(s.communeId, communeId) : undefined))
      .returning({ c: s.communeId });
    return rows.length;
  }

  async communesOf(channel: ChannelId, chatId: string): Promise<string[]> {
    const { db, t } = this.d;
    const s = t.subscriptions;
    const rows = await db.select({ c: s.communeId }).from(s).where(and(eq(s.channel, channel), eq(s.chatId, chatId)));
    return rows.map((r) => r.c);
  }

  async countFor(communeIds: string[]): Promise<number> {
    const { db, t } = this.d;
    const rows = await db.select({ n: count() }).from(t.subscriptions).where(inArray(t.subscriptions.communeId, communeIds));
    return Number(rows[0]?.n ?? 0);
  }
}
