import { and, count, eq, gt, inArray, isNull, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import { OPEN_STATUSES } from '../../domain/request.js';
import type { Audience, Broadcast, BroadcastContent, BroadcastKind, BroadcastStatus, NewBroadcast, Recipient, RecipientStatus } from '../../domain/broadcast.js';
import type { BroadcastStore } from '../../core/ports.js';
import type { ChannelId } from '../../domain/address.js';
import type { Database } from '../database.js';
import type { Tables } from '../schema/define.js';

type Row = Tables['broadcasts']['$inferSelect'];

function toBroadcast(r: Row): Broadcast {
  return {
    id: r.id,
    kind: r.kind as BroadcastKind,
    createdBy: r.createdBy,
    content: JSON.parse(r.text) as BroadcastContent,
    photo: r.photo,
    audience: JSON.parse(r.audience) as Audience,
    status: r.status as BroadcastStatus,
    total: r.total,
    sent: r.sent,
    failed: r.failed,
    blocked: r.blocked,
    report: r.reportChannel && r.reportChatId ? { channel: r.reportChannel, chatId: r.reportChatId, messageId: r.reportMessageId } : null,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** Announcements and their recipient lists. Every count is derived from recipient rows changing state once. */
export class BroadcastRepository implements BroadcastStore {
  constructor(private readonly d: Database) {}

  /** The audience as one query: distinct chats, never loaded into memory as a whole. */
  private audienceQuery(a: Audience) {
    const { db, t } = this.d;
    const s = t.subscriptions;
    const r = t.requests;
    const openRequest = and(inArray(r.status, [...OPEN_STATUSES]), isNull(r.erasedAt));
    const subs = db.selectDistinct({ channel: s.channel, chatId: s.chatId }).from(s);
    const reqs = db.selectDistinct({ channel: r.channel, chatId: r.chatId }).from(r);
    switch (a.kind) {
      case 'all':
        return subs.union(reqs.where(openRequest));
      case 'communes':
        return subs.where(inArray(s.communeId, a.communeIds)).union(reqs.where(and(openRequest, inArray(r.communeId, a.communeIds))));
      case 'open_requests':
        return reqs.where(and(openRequest, a.communeIds ? inArray(r.communeId, a.communeIds) : undefined));
      case 'session': {
        const forIt = and(openRequest, or(and(eq(r.communeId, a.communeId), eq(r.preferredDate, a.date)), a.sessionId ? eq(r.sessionId, a.sessionId) : undefined));
        if (!a.subscribersOnly) return subs.where(eq(s.communeId, a.communeId)).union(reqs.where(forIt));
        const withRequest = db.select({ chatId: r.chatId }).from(r).where(and(forIt, eq(r.channel, s.channel)));
        return subs.where(and(eq(s.communeId, a.communeId), notInArray(s.chatId, withRequest)));
      }
    }
  }

  /** How many chats an audience reaches now (the admin's preview). */
  async countAudience(a: Audience): Promise<number> {
    const { db } = this.d;
    const rows = await db.select({ n: count() }).from(this.audienceQuery(a).as('audience'));
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Creates the announcement and fixes its recipients, once per id: a second call (a retried
   * confirm, a reminder tick running twice) finds it and changes nothing. False if it existed.
   * It is "preparing" until its recipient list is complete, so nothing starts sending a half
   * list; one left preparing by a crash is filled again by the retried call.
   */
  async create(b: NewBroadcast, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const existing = await db.select({ status: t.broadcasts.status }).from(t.broadcasts).where(eq(t.broadcasts.id, b.id)).limit(1);
    if (existing[0] && existing[0].status !== 'preparing') return false;
    if (existing[0]) await db.delete(t.broadcastRecipients).where(eq(t.broadcastRecipients.broadcastId, b.id));
    const inserted = existing[0] ? [{ id: b.id }] : await db
      .insert(t.broadcasts)
      .values({
        id: b.id,
        kind: b.kind,
        createdBy: b.createdBy,
        text: JSON.stringify(b.content),
        photo: b.photo ?? null,
        audience: JSON.stringify(b.audience),
        status: 'preparing',
        reportChannel: b.report?.channel ?? null,
        reportChatId: b.report?.chatId ?? null,
        createdAt: now,
        startedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: t.broadcasts.id });
    if (inserted.length === 0) return false;
    const a = this.audienceQuery(b.audience).as('a');
    await db.insert(t.broadcastRecipients).select(
      db
        .select({
          broadcastId: sql<string>`${b.id}`.as('broadcast_id'),
          seq: sql<number>`row_number() over (order by ${a.channel}, ${a.chatId})`.as('seq'),
          channel: a.channel,
          chatId: a.chatId,
          status: sql<string>`'pending'`.as('status'),
          // Drizzle's insert…select wants every column, in the table's order.
          messageId: sql<string | null>`null`.as('message_id'),
          deliveredAt: sql<null>`null`.as('delivered_at'),
          seenAt: sql<null>`null`.as('seen_at'),
        })
        .from(a),
    );
    const total = await db.select({ n: count() }).from(t.broadcastRecipients).where(eq(t.broadcastRecipients.broadcastId, b.id));
    await db.update(t.broadcasts).set({ total: Number(total[0]?.n ?? 0), status: 'sending' }).where(eq(t.broadcasts.id, b.id));
    return true;
  }

  async byId(id: string): Promise<Broadcast | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.broadcasts).where(eq(t.broadcasts.id, id)).limit(1);
    return rows[0] ? toBroadcast(rows[0]) : undefined;
  }

  /** Recipients with seq in (after, upTo]. */
  async recipients(id: string, after: number, upTo: number): Promise<Recipient[]> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    const rows = await db
      .select({ seq: r.seq, channel: r.channel, chatId: r.chatId, status: r.status })
      .from(r)
      .where(and(eq(r.broadcastId, id), gt(r.seq, after), lte(r.seq, upTo)))
      .orderBy(r.seq);
    return rows.map((x) => ({ seq: x.seq, channel: x.channel, chatId: x.chatId, status: x.status as RecipientStatus }));
  }

  /**
   * Records what became of some recipients. Only rows still pending change, and only those are
   * counted, so a retried batch never counts anyone twice.
   */
  async settle(id: string, outcomes: Map<RecipientStatus, number[]>): Promise<void> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    const inc = { sent: 0, failed: 0, blocked: 0 };
    for (const [status, seqs] of outcomes) {
      if (seqs.length === 0 || status === 'pending') continue;
      const changed = await db
        .update(r)
        .set({ status })
        .where(and(eq(r.broadcastId, id), inArray(r.seq, seqs), eq(r.status, 'pending')))
        .returning({ seq: r.seq });
      if (status === 'sent') inc.sent += changed.length;
      else if (status === 'blocked') inc.blocked += changed.length;
      else inc.failed += changed.length;
    }
    const b = t.broadcasts;
    await db
      .update(b)
      .set({ sent: sql`${b.sent} + ${inc.sent}`, failed: sql`${b.failed} + ${inc.failed}`, blocked: sql`${b.blocked} + ${inc.blocked}` })
      .where(eq(b.id, id));
  }

  async pendingCount(id: string): Promise<number> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    const rows = await db.select({ n: count() }).from(r).where(and(eq(r.broadcastId, id), eq(r.status, 'pending')));
    return Number(rows[0]?.n ?? 0);
  }

  /** sending → done or cancelled, once. */
  async finish(id: string, status: 'done' | 'cancelled', now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.broadcasts)
      .set({ status, finishedAt: now })
      .where(and(eq(t.broadcasts.id, id), eq(t.broadcasts.status, 'sending')))
      .returning({ id: t.broadcasts.id });
    return rows.length > 0;
  }

  async setReportMessage(id: string, messageId: string | undefined): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.broadcasts).set({ reportMessageId: messageId ?? null }).where(eq(t.broadcasts.id, id));
  }

  /** Delete-my-data: this chat leaves every recipient list (the counts stay). */
  async forgetChat(channel: ChannelId, chatId: string): Promise<void> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    await db.delete(r).where(and(eq(r.channel, channel), eq(r.chatId, chatId)));
  }

  /** Retention: recipient lists of announcements older than the cutoff (the record and counts stay). */
  async forgetRecipientsBefore(cutoff: number): Promise<void> {
    const { db, t } = this.d;
    const old = db.select({ id: t.broadcasts.id }).from(t.broadcasts).where(and(lt(t.broadcasts.createdAt, cutoff), inArray(t.broadcasts.status, ['done', 'cancelled'])));
    await db.delete(t.broadcastRecipients).where(inArray(t.broadcastRecipients.broadcastId, old));
  }

  /** Announcements still sending: after a restart the reconciler starts them again. */
  async sendingIds(): Promise<string[]> {
    const { db, t } = this.d;
    const rows = await db.select({ id: t.broadcasts.id }).from(t.broadcasts).where(eq(t.broadcasts.status, 'sending'));
    return rows.map((r) => r.id);
  }

  /** The newest announcement this person started that is still sending. */
  async runningBy(createdBy: string): Promise<string | undefined> {
    const { db, t } = this.d;
    const b = t.broadcasts;
    const rows = await db.select({ id: b.id }).from(b).where(and(eq(b.createdBy, createdBy), eq(b.status, 'sending'))).orderBy(sql`${b.createdAt} desc`).limit(1);
    return rows[0]?.id;
  }

  /** The record: the latest announcements, newest first. */
  async latest(limit: number): Promise<Broadcast[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.broadcasts).orderBy(sql`${t.broadcasts.createdAt} desc`).limit(limit);
    return Promise.all(
      rows.map(async (r) => {
        const receipts = await this.receiptCounts(r.id);
        return receipts.delivered > 0 ? { ...toBroadcast(r), receipts } : toBroadcast(r);
      }),
    );
  }

  async setMessageId(id: string, seq: number, messageId: string): Promise<void> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    await db.update(r).set({ messageId }).where(and(eq(r.broadcastId, id), eq(r.seq, seq)));
  }

  /**
   * The platform says these messages reached the phone (or were opened: that implies reached).
   * Only the first report of each counts. Resolves to how many recipients the ids named.
   */
  async markReceipts(channel: ChannelId, messageIds: string[], kind: 'received' | 'seen', at: number): Promise<number> {
    if (messageIds.length === 0) return 0;
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    const named = and(eq(r.channel, channel), inArray(r.messageId, messageIds));
    // Most reports are of ordinary replies, in no announcement: one indexed read says so.
    const rows = await db.select({ n: count() }).from(r).where(named);
    const n = Number(rows[0]?.n ?? 0);
    if (n === 0) return 0;
    await db.update(r).set({ deliveredAt: at }).where(and(named, isNull(r.deliveredAt)));
    if (kind === 'seen') await db.update(r).set({ seenAt: at }).where(and(named, isNull(r.seenAt)));
    return n;
  }

  async receiptCounts(id: string): Promise<{ delivered: number; seen: number }> {
    const { db, t } = this.d;
    const r = t.broadcastRecipients;
    const rows = await db.select({ delivered: count(r.deliveredAt), seen: count(r.seenAt) }).from(r).where(eq(r.broadcastId, id));
    return { delivered: Number(rows[0]?.delivered ?? 0), seen: Number(rows[0]?.seen ?? 0) };
  }
}
