import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Card, CardMode } from '../../domain/card.js';
import type { CardStore } from '../../core/ports.js';
import { BatchedReader } from '../batch.js';
import { type Database, prepareOnce } from '../database.js';
import type { Tables } from '../schema/define.js';

export class CardRepository implements CardStore {
  private readonly byIdStmt;
  private readonly latestStmt;
  private readonly insertStmt;
  private readonly setMessageStmt;
  private readonly byIds = new BatchedReader<string, Card>(async (ids) => {
    const rows = ids.length === 1 ? await this.byIdStmt.execute({ id: ids[0]! }) : await this.d.db.select().from(this.d.t.cards).where(inArray(this.d.t.cards.id, ids));
    return new Map(rows.map((r) => [r.id, toCard(r)]));
  });

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.byIdStmt = prepareOnce(db.select().from(t.cards).where(eq(t.cards.id, sql.placeholder('id'))).limit(1), 'card_by_id');
    this.latestStmt = prepareOnce(
      db.select().from(t.cards).where(eq(t.cards.requestId, sql.placeholder('requestId'))).orderBy(desc(t.cards.round)).limit(1),
      'card_latest',
    );
    const p = (name: string) => sql.placeholder(name);
    this.insertStmt = prepareOnce(
      db
        .insert(t.cards)
        .values({ id: p('id'), requestId: p('requestId'), teamId: p('teamId'), channel: p('channel'), chatId: p('chatId'), round: p('round'), mode: 'actions', updatedAt: p('now') })
        .onConflictDoNothing({ target: t.cards.id })
        .returning(),
      'card_insert',
    );
    this.setMessageStmt = prepareOnce(
      db
        .update(t.cards)
        .set({ messageId: sql`${p('messageId')}`, updatedAt: sql`${p('now')}` })
        .where(eq(t.cards.id, p('id'))),
      'card_set_message',
    );
  }

  /** One card per request and round: a retried assignment finds the card it already made. */
  async ensure(c: Pick<Card, 'requestId' | 'teamId' | 'chat' | 'round'>, now: number): Promise<Card> {
    const [made] = await this.insertStmt.execute({ id: cardId(c.requestId, c.round), requestId: c.requestId, teamId: c.teamId, channel: c.chat.channel, chatId: c.chat.chatId, round: c.round, now });
    return made ? toCard(made) : (await this.get(c.requestId, c.round))!;
  }

  /** The card of a round, or the latest card of the request. */
  async get(requestId: string, round?: number): Promise<Card | undefined> {
    if (round !== undefined) return this.byIds.read(cardId(requestId, round));
    const rows = await this.latestStmt.execute({ requestId });
    return rows[0] ? toCard(rows[0]) : undefined;
  }

  /** The cards of these requests in their current rounds, in one read (a work page's list). */
  async ofRequests(keys: { requestId: string; round: number }[]): Promise<Map<string, Card>> {
    if (keys.length === 0) return new Map();
    const { db, t } = this.d;
    const rows = await db.select().from(t.cards).where(inArray(t.cards.id, keys.map((k) => cardId(k.requestId, k.round))));
    return new Map(rows.map((r) => [r.requestId, toCard(r)]));
  }

  /** The card's message in the group: set once posted, cleared to post it again. */
  async setMessage(card: Pick<Card, 'requestId' | 'round'>, messageId: string | null, now: number): Promise<void> {
    await this.setMessageStmt.execute({ id: cardId(card.requestId, card.round), messageId, now });
  }

  async update(
    card: Pick<Card, 'requestId' | 'round'>,
    patch: Partial<Pick<Card, 'claimedBy' | 'claimedName' | 'attempts' | 'mode'>> & { flagged?: boolean },
    now: number,
  ): Promise<void> {
    const { db, t } = this.d;
    const { flagged, ...rest } = patch;
    await db
      .update(t.cards)
      .set({ ...rest, ...(flagged === undefined ? {} : { flagged: flagged ? 1 : 0 }), updatedAt: now })
      .where(eq(t.cards.id, cardId(card.requestId, card.round)));
  }
}

type CardRow = Tables['cards']['$inferSelect'];

function toCard(r: CardRow): Card {
  return {
    requestId: r.requestId,
    teamId: r.teamId,
    chat: { channel: r.channel, chatId: r.chatId, kind: 'group' },
    messageId: r.messageId,
    round: r.round,
    claimedBy: r.claimedBy,
    claimedName: r.claimedName,
    attempts: r.attempts,
    mode: r.mode as CardMode,
    flagged: r.flagged === 1,
  };
}

function cardId(requestId: string, round: number): string {
  return `${requestId}.${round}`;
}
