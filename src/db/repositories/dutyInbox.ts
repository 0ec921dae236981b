import { and, count, desc, eq, isNull, max, sql } from 'drizzle-orm';
import type { InboxItem, InboxStore } from '../../core/handoff/inbox.js';
import type { Database } from '../database.js';
import { toHandoff } from './handoffs.js';

/** The duty inbox's reads: the handoffs, waiting ones first. */
export class DutyInboxRepository implements InboxStore {
  constructor(private readonly d: Database) {}

  async list(limit: number): Promise<InboxItem[]> {
    const { db, t } = this.d;
    const h = t.handoffs;
    const rows = await db
      .select()
      .from(h)
      .orderBy(sql`case when ${h.answers} = 0 and ${h.handledAt} is null then 0 else 1 end`, desc(h.createdAt))
      .limit(limit);
    return rows.map((r) => ({ ...toHandoff(r), handledAt: r.handledAt === null ? null : Number(r.handledAt) }));
  }

  async markHandled(id: string, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db.update(t.handoffs).set({ handledAt: now }).where(and(eq(t.handoffs.id, id), isNull(t.handoffs.handledAt))).returning({ id: t.handoffs.id });
    return rows.length > 0;
  }

  async version(): Promise<string> {
    const { db, t } = this.d;
    const h = t.handoffs;
    const [row] = await db.select({ n: count(), created: max(h.createdAt), answered: max(h.answeredAt), handled: max(h.handledAt), repeats: sql<number>`coalesce(sum(${h.repeats}), 0)` }).from(h);
    return [row?.n, row?.created, row?.answered, row?.handled, row?.repeats].map((x) => String(x ?? 0)).join('.');
  }
}
