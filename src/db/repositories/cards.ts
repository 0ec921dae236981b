import { desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Card, CardMode } from '../../domain/card.js';
import type { CardStore } from '../../core/ports.js';
import { Batch, BatchedReader } from '../batch.js';
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

  // Cards made, and posted, at the same moment (many assignments at once) are written together.
  private readonly inserts = new Batch<CardRow, CardRow | undefined>((rows) => this.insertMany(rows), { windowMs: 0, maxItems: 200, maxInFlight: 2 });
  private readonly messages = new Batch<{ id: string; messageId: string | null; now: number }, void>(async (items) => {
    await this.setMessages(items);
    return [];
  }, { windowMs: 0, maxItems: 200, maxInFlight: 2 });

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
    const row: CardRow = { id: cardId(c.requestId, c.round), requestId: c.requestId, teamId: c.teamId, channel: c.chat.channel, chatId: c.chat.chatId, messageId: null, round: c.round, claimedBy: null, claimedName: null, attempts: 0, mode: 'actions', flagged: 0, updatedAt: now };
    const made = await this.inserts.call(row);
    return made ? toCard(made) : (await this.get(c.requestId, c.round))!;
  }

  /** The rows inserted, each where it was asked (undefined: that card was there already). */
  private async insertMany(rows: CardRow[]): Promise<(CardRow | undefined)[]> {
    const { db, t } = this.d;
    const r = rows[0]!;
    const made =
      rows.length === 1
        ? await this.insertStmt.execute({ id: r.id, requestId: r.requestId, teamId: r.teamId, channel: r.channel, chatId: r.chatId, round: r.round, now: r.updatedAt })
        : await db.insert(t.cards).values(rows).onConflictDoNothing({ target: t.cards.id }).returning();
    const byId = new Map(made.map((m) => [m.id, m]));
    return rows.map((row) => byId.get(row.id));
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

  private async setMessages(items: { id: string; messageId: string | null; now: number }[]): Promise<void> {
    if (items.length === 1) return void (await this.setMessageStmt.execute(items[0]!));
    // One card twice in a batch: the later call wins, as two statements in a row would have it.
    const last = [...new Map(items.map((i) => [i.id, i])).values()];
    const { db, t } = this.d;
    const pick = (value: (i: (typeof last)[number]) => SQL) => sql.join([sql`case ${t.cards.id}`, ...last.map((i) => sql`when ${i.id} then ${value(i)}`), sql`end`], sql` `);
    await db
      .update(t.cards)
      // Typed: PostgreSQL reads a bare parameter in a CASE as text.
      .set({ messageId: pick((i) => sql`cast(${i.messageId} as text)`), updatedAt: pick((i) => sql`cast(${i.now} as bigint)`) })
      .where(inArray(t.cards.id, last.map((i) => i.id)));
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
