import { and, desc, eq, gt, isNotNull, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Address, ChannelId } from '../../domain/address.js';
import type { Handoff, HandoffKind, NewHandoff } from '../../domain/handoff.js';
import type { HandoffStore } from '../../core/ports.js';
import type { Database } from '../database.js';
import type { Tables } from '../schema/define.js';

type Row = Tables['handoffs']['$inferSelect'];

export function toHandoff(r: Row): Handoff {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind as HandoffKind,
    channel: r.channel,
    chatId: r.chatId,
    question: r.question,
    duty: r.dutyChatId && r.dutyChannel ? { chat: { channel: r.dutyChannel, chatId: r.dutyChatId, kind: 'group' }, messageId: r.dutyMessageId } : null,
    answers: r.answers,
    createdAt: Number(r.createdAt),
    answeredAt: r.answeredAt === null ? null : Number(r.answeredAt),
    calls: r.calls ? (JSON.parse(r.calls) as Handoff['calls']) : [],
    repeats: r.repeats,
    threadOf: r.threadOf,
    location: r.location ? (JSON.parse(r.location) as Handoff['location']) : null,
  };
}

export class HandoffRepository implements HandoffStore {
  constructor(private readonly d: Database) {}

  /** False when the code is taken (the caller draws another) or the update that reports it already did. */
  async create(h: NewHandoff & { source?: string | null }): Promise<boolean> {
    const { db, t } = this.d;
    const { calls, ...rest } = h;
    const rows = await db
      .insert(t.handoffs)
      .values({ ...rest, answers: 0, calls: calls && calls.length > 0 ? JSON.stringify(calls) : null })
      .onConflictDoNothing()
      .returning({ id: t.handoffs.id });
    return rows.length > 0;
  }

  /** The chat's latest emergency report since `after`: a new alarm within minutes is merged into it. */
  async recentEmergency(channel: ChannelId, chatId: string, after: number): Promise<Handoff | undefined> {
    const h = this.d.t.handoffs;
    const { db } = this.d;
    const rows = await db.select().from(h).where(and(eq(h.channel, channel), eq(h.chatId, chatId), eq(h.kind, 'emergency'), gt(h.createdAt, after))).orderBy(desc(h.createdAt)).limit(1);
    return rows[0] ? toHandoff(rows[0]) : undefined;
  }

  /** The chat's question that an officer answered most recently, since `after` (a reply continues it). */
  async answeredSince(channel: ChannelId, chatId: string, after: number): Promise<Handoff | undefined> {
    const h = this.d.t.handoffs;
    const { db } = this.d;
    const rows = await db.select().from(h).where(and(eq(h.channel, channel), eq(h.chatId, chatId), eq(h.kind, 'question'), gt(h.answeredAt, after))).orderBy(desc(h.answeredAt)).limit(1);
    return rows[0] ? toHandoff(rows[0]) : undefined;
  }

  /**
   * One more alarm merged in; returns the new count. With the update's `source`, in one
   * statement: not when that update is the report itself or was merged last (it is being
   * handled again), then 0. Merged updates of one chat come in order, so the last one is enough.
   */
  async addRepeat(id: string, source?: string): Promise<number> {
    const { db, t } = this.d;
    const h = t.handoffs;
    const fresh = source === undefined ? undefined : and(or(isNull(h.source), ne(h.source, source)), or(isNull(h.repeatSource), ne(h.repeatSource, source)));
    const rows = await db
      .update(h)
      .set({ repeats: sql`${h.repeats} + 1`, ...(source === undefined ? {} : { repeatSource: source }) })
      .where(fresh ? and(eq(h.id, id), fresh) : eq(h.id, id))
      .returning({ n: h.repeats });
    return rows[0]?.n ?? 0;
  }

  async bySource(source: string): Promise<Handoff | undefined> {
    return this.first(eq(this.d.t.handoffs.source, source));
  }

  async setLocation(id: string, location: { lat: number; lon: number }): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.handoffs).set({ location: JSON.stringify(location) }).where(eq(t.handoffs.id, id));
  }

  async byId(id: string): Promise<Handoff | undefined> {
    return this.first(eq(this.d.t.handoffs.id, id));
  }

  async byCode(code: string): Promise<Handoff | undefined> {
    return this.first(eq(this.d.t.handoffs.code, code));
  }

  async byDutyMessage(chat: Pick<Address, 'channel' | 'chatId'>, messageId: string): Promise<Handoff | undefined> {
    const h = this.d.t.handoffs;
    return this.first(and(eq(h.dutyChannel, chat.channel), eq(h.dutyChatId, chat.chatId), eq(h.dutyMessageId, messageId))!);
  }

  async setDutyMessage(id: string, chat: Address, messageId: string | undefined): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.handoffs).set({ dutyChannel: chat.channel, dutyChatId: chat.chatId, dutyMessageId: messageId ?? null }).where(eq(t.handoffs.id, id));
  }

  /** Counts one more answer and returns its number: the answer's job id, so a retried reply is sent once. */
  async addAnswer(id: string, now: number): Promise<number> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.handoffs)
      .set({ answers: sql`${t.handoffs.answers} + 1`, answeredAt: now })
      .where(eq(t.handoffs.id, id))
      .returning({ answers: t.handoffs.answers });
    return rows[0]?.answers ?? 0;
  }

  /** Questions saved but never posted to the duty chat (the queue was down): the outbox. */
  async unposted(createdAfter: number, createdBefore: number): Promise<string[]> {
    const { db, t } = this.d;
    const h = t.handoffs;
    const rows = await db
      .select({ id: h.id })
      .from(h)
      .where(and(isNull(h.dutyChatId), isNotNull(h.chatId), gt(h.createdAt, createdAfter), lt(h.createdAt, createdBefore)));
    return rows.map((r) => r.id);
  }

  /** Delete-my-data: the questions and the chat they came from. */
  async eraseChat(channel: ChannelId, chatId: string): Promise<number> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.handoffs)
      .set({ chatId: null, question: null, location: null, source: null, repeatSource: null })
      .where(and(eq(t.handoffs.channel, channel), eq(t.handoffs.chatId, chatId)))
      .returning({ id: t.handoffs.id });
    return rows.length;
  }

  /** Retention: questions older than the cutoff are deleted; nothing in them is reported on. */
  async deleteBefore(cutoff: number): Promise<number> {
    const { db, t } = this.d;
    const rows = await db.delete(t.handoffs).where(lt(t.handoffs.createdAt, cutoff)).returning({ id: t.handoffs.id });
    return rows.length;
  }

  private async first(where: SQL): Promise<Handoff | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.handoffs).where(where).limit(1);
    return rows[0] ? toHandoff(rows[0]) : undefined;
  }
}
