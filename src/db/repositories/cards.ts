import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Card, CardMode } from '../../domain/card.js';
import type { CardStore } from '../../core/ports.js';
import { Batch, BATCH_MAX, BatchedReader } from '../batch.js';
import { caseById, type Database, filledRows, placeholderList, placeholderRows, preparedBySize, prepareOnce } from '../database.js';
import type { Tables } from '../schema/define.js';

export class CardRepository implements CardStore {
  private readonly latestStmt;
  private readonly byIdMany;
  private readonly insertMany;
  private readonly setMessageMany;
  private readonly byIds = new BatchedReader<string, Card>(async (ids) => {
    const rows = await this.byIdMany(ids.length).execute(filledRows(ids.map((id) => ({ id }))));
    return new Map(rows.map((r) => [r.id, toCard(r)]));
  });
  // Cards made, and posted, at the same moment (many assignments at once) are written together.
  private readonly inserts = new Batch<CardRow, CardRow | undefined>(async (rows) => {
    const made = new Map((await this.insertMany(rows.length).execute(filledRows(rows))).map((m) => [m.id, m]));
    return rows.map((row) => made.get(row.id));
  }, { windowMs: 0, maxItems: BATCH_MAX, maxInFlight: 2 });
  private readonly messages = new Batch<{ id: string; messageId: string | null; now: number }, void>(async (items) => {
    // One card twice in a batch: the later call wins, as two statements in a row would have it.
    const last = [...new Map(items.map((i) => [i.id, i])).values()];
    await this.setMessageMany(last.length).execute(filledRows(last));
    return [];
  }, { windowMs: 0, maxItems: BATCH_MAX, maxInFlight: 2 });

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.byIdMany = preparedBySize('card_by_ids', (n) => db.select().from(t.cards).where(inArray(t.cards.id, placeholderList('id', n))));
    this.latestStmt = prepareOnce(
      db.select().from(t.cards).where(eq(t.cards.requestId, sql.placeholder('requestId'))).orderBy(desc(t.cards.round)).limit(1),
      'card_latest',
    );
    this.insertMany = preparedBySize('card_insert', (n) =>
      db.insert(t.cards).values(placeholderRows(CARD_COLUMNS, n) as unknown as CardRow[]).onConflictDoNothing({ target: t.cards.id }).returning(),
    );
    this.setMessageMany = preparedBySize('card_set_message', (n) =>
      db
        .update(t.cards)
        .set({ messageId: caseById(t.cards.id, n, 'messageId', 'text'), updatedAt: caseById(t.cards.id, n, 'now', 'bigint') })
        .where(inArray(t.cards.id, placeholderList('id', n))),
    );
  }

  /** One card per request and round: a retried assignment finds the card it already made. */
  async ensure(c: Pick<Card, 'requestId' | 'teamId' | 'chat' | 'round'>, now: number): Promise<Card> {
    const row: CardRow = { id: cardId(c.requestId, c.round), requestId: c.requestId, teamId: c.teamId, channel: c.chat.channel, chatId: c.chat.chatId, messageId: null, round: c.round, claimedBy: null, claimedName: null, attempts: 0, mode: 'actions', flagged: 0, updatedAt: now };
    const made = await this.inserts.call(row);
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
  setMessage(card: Pick<Card, 'requestId' | 'round'>, messageId: string | null, now: number): Promise<void> {
    return this.messages.call({ id: cardId(card.requestId, card.round), messageId, now });
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
const CARD_COLUMNS = ['id', 'requestId', 'teamId', 'channel', 'chatId', 'messageId', 'round', 'claimedBy', 'claimedName', 'attempts', 'mode', 'flagged', 'updatedAt'] as const satisfies readonly (keyof CardRow)[];

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
