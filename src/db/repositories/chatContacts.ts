import { and, eq, inArray, lt } from 'drizzle-orm';
import type { ChannelId } from '../../domain/address.js';
import type { Database } from '../database.js';

/**
 * When each chat last wrote to us. A platform that lets a bot answer freely only for a while
 * after the person's last message (Zalo OA: 7 days) reads it before sending, and the board flags
 * requests whose person is past it, so the commander calls instead.
 */
export class ChatContactRepository {
  constructor(private readonly d: Database) {}

  async touch(channel: ChannelId, chatId: string, at: number): Promise<void> {
    const { db, t } = this.d;
    const c = t.chatContacts;
    await db
      .insert(c)
      .values({ channel, chatId, lastInboundAt: at })
      .onConflictDoUpdate({ target: [c.channel, c.chatId], set: { lastInboundAt: at } });
  }

  async lastInbound(channel: ChannelId, chatId: string): Promise<number | undefined> {
    const { db, t } = this.d;
    const c = t.chatContacts;
    const rows = await db.select({ at: c.lastInboundAt }).from(c).where(and(eq(c.channel, channel), eq(c.chatId, chatId))).limit(1);
    return rows[0] ? Number(rows[0].at) : undefined;
  }

  /**
   * Of these requests, those whose chat is on one of `channels` and last wrote before `before`:
   * a notice to them cannot go out as a free message. One read for a page of the board.
   */
  async requestsSilentSince(requestIds: string[], channels: ChannelId[], before: number): Promise<Set<string>> {
    if (requestIds.length === 0 || channels.length === 0) return new Set();
    const { db, t } = this.d;
    const r = t.requests;
    const c = t.chatContacts;
    const rows = await db
      .select({ id: r.id })
      .from(r)
      .innerJoin(c, and(eq(c.channel, r.channel), eq(c.chatId, r.chatId)))
      .where(and(inArray(r.id, requestIds), inArray(r.channel, channels), lt(c.lastInboundAt, before)));
    return new Set(rows.map((x) => x.id));
  }

  /** Retention: chats silent since before the cutoff are forgotten. */
  async deleteOlderThan(cutoff: number): Promise<number> {
    const { db, t } = this.d;
    const c = t.chatContacts;
    const gone = await db.delete(c).where(lt(c.lastInboundAt, cutoff)).returning({ chatId: c.chatId });
    return gone.length;
  }

  /** Delete-my-data: the chat's last contact goes with the rest. */
  async forget(channel: ChannelId, chatId: string): Promise<void> {
    const { db, t } = this.d;
    const c = t.chatContacts;
    await db.delete(c).where(and(eq(c.channel, channel), eq(c.chatId, chatId)));
  }
}
