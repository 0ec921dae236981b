import { eq } from 'drizzle-orm';
import type { Database } from '../database.js';

export type CardMode = 'actions' | 'outcome' | 'handback' | 'closed';

export interface Card {
  requestId: string;
  teamId: string;
  chatId: string;
  messageId: number | null;
  round: number;
  claimedBy: string | null;
  claimedName: string | null;
  attempts: number;
  mode: CardMode;
  flagged: boolean;
}

export class CardRepository {
  constructor(private readonly d: Database) {}

  /** One card per request and round: a retried assignment finds the card it already made. */
  async ensure(c: Pick<Card, 'requestId' | 'teamId' | 'chatId' | 'round'>, now: number): Promise<Card> {
    const { db, t } = this.d;
    const existing = await this.get(c.requestId);
    if (existing && existing.round === c.round) return existing;
    const fresh = { ...c, messageId: null, claimedBy: null, claimedName: null, attempts: 0, mode: 'actions', flagged: 0, updatedAt: now };
    await db.insert(t.cards).values(fresh).onConflictDoUpdate({ target: t.cards.requestId, set: fresh });
    return (await this.get(c.requestId))!;
  }

  async get(requestId: string): Promise<Card | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.cards).where(eq(t.cards.requestId, requestId)).limit(1);
    const r = rows[0];
    return r
      ? {
          requestId: r.requestId,
          teamId: r.teamId,
          chatId: r.chatId,
          messageId: r.messageId,
          round: r.round,
          claimedBy: r.claimedBy,
          claimedName: r.claimedName,
          attempts: r.attempts,
          mode: r.mode as CardMode,
          flagged: r.flagged === 1,
        }
      : undefined;
  }

  async update(requestId: string, patch: Partial<Omit<Card, 'requestId' | 'flagged'>> & { flagged?: boolean }, now: number): Promise<void> {
    const { db, t } = this.d;
    const { flagged, ...rest } = patch;
    await db
      .update(t.cards)
      .set({ ...rest, ...(flagged === undefined ? {} : { flagged: flagged ? 1 : 0 }), updatedAt: now })
      .where(eq(t.cards.requestId, requestId));
  }
}
