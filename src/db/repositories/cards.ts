import { desc, eq, sql } from 'drizzle-orm';
import { type Database, prepareOnce } from '../database.js';

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
  private readonly byIdStmt;
  private readonly latestStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.byIdStmt = prepareOnce(db.select().from(t.cards).where(eq(t.cards.id, sql.placeholder('id'))).limit(1), 'card_by_id');
    this.latestStmt = prepareOnce(
      db.select().from(t.cards).where(eq(t.cards.requestId, sql.placeholder('requestId'))).orderBy(desc(t.cards.round)).limit(1),
      'card_latest',
    );
  }

  /** One card per request and round: a retried assignment finds the card it already made. */
  async ensure(c: Pick<Card, 'requestId' | 'teamId' | 'chatId' | 'round'>, now: number): Promise<Card> {
    const { db, t } = this.d;
    const fresh = { id: cardId(c.requestId, c.round), ...c, messageId: null, claimedBy: null, claimedName: null, attempts: 0, mode: 'actions', flagged: 0, updatedAt: now };
    await db.insert(t.cards).values(fresh).onConflictDoNothing({ target: t.cards.id });
    return (await this.get(c.requestId, c.round))!;
  }

  /** The card of a round, or the latest card of the request. */
  async get(requestId: string, round?: number): Promise<Card | undefined> {
    const rows = round === undefined ? await this.latestStmt.execute({ requestId }) : await this.byIdStmt.execute({ id: cardId(requestId, round) });
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

  async update(card: Pick<Card, 'requestId' | 'round'>, patch: Partial<Omit<Card, 'requestId' | 'round' | 'flagged'>> & { flagged?: boolean }, now: number): Promise<void> {
    const { db, t } = this.d;
    const { flagged, ...rest } = patch;
    await db
      .update(t.cards)
      .set({ ...rest, ...(flagged === undefined ? {} : { flagged: flagged ? 1 : 0 }), updatedAt: now })
      .where(eq(t.cards.id, cardId(card.requestId, card.round)));
  }
}

function cardId(requestId: string, round: number): string {
  return `${requestId}.${round}`;
}
