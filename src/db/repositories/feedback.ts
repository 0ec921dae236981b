import { and, desc, eq, gte, isNull } from 'drizzle-orm';
import type { FeedbackAnswer, FeedbackStore } from '../../core/ports.js';
import type { Database } from '../database.js';

/** Answers to "did the officer come?", kept for the reports (a comment is personal: erased with the request). */
export class FeedbackRepository implements FeedbackStore {
  constructor(private readonly d: Database) {}

  async ask(requestId: string, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db.insert(t.feedback).values({ requestId, askedAt: now }).onConflictDoNothing({ target: t.feedback.requestId }).returning({ id: t.feedback.requestId });
    return rows.length > 0;
  }

  async answer(requestId: string, answer: FeedbackAnswer, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.feedback)
      .set({ answer, answeredAt: now })
      .where(and(eq(t.feedback.requestId, requestId), isNull(t.feedback.answer)))
      .returning({ id: t.feedback.requestId });
    return rows.length > 0;
  }

  async comment(requestId: string, text: string): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.feedback).set({ comment: text }).where(eq(t.feedback.requestId, requestId));
  }

  async pendingFor(channel: string, chatId: string, since: number): Promise<{ requestId: string; code: string } | undefined> {
    const { db, t } = this.d;
    const [row] = await db
      .select({ requestId: t.feedback.requestId, code: t.requests.code })
      .from(t.feedback)
      .innerJoin(t.requests, eq(t.requests.id, t.feedback.requestId))
      .where(and(eq(t.requests.channel, channel), eq(t.requests.chatId, chatId), isNull(t.feedback.answer), gte(t.feedback.askedAt, since)))
      .orderBy(desc(t.feedback.askedAt))
      .limit(1);
    return row;
  }
}
