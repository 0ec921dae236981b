import { asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../database.js';

/** A job as it is queued: which queue, its name, its data and options (its id among them). */
export interface JobSpec {
  queue: string;
  name: string;
  data: unknown;
  opts: { jobId: string } & Record<string, unknown>;
}

/** Follow-ups kept in the database while they cannot be queued; the reconciler moves them on. */
export class OutboxRepository {
  constructor(private readonly d: Database) {}

  async add(job: JobSpec, now: number): Promise<void> {
    const { db, t } = this.d;
    await db
      .insert(t.outbox)
      .values({ id: `${job.queue}:${job.opts.jobId}`, queue: job.queue, name: job.name, data: JSON.stringify(job.data), opts: JSON.stringify(job.opts), createdAt: now })
      .onConflictDoNothing();
  }

  async oldest(limit: number): Promise<(JobSpec & { id: string })[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.outbox).orderBy(asc(t.outbox.createdAt)).limit(limit);
    return rows.map((r) => ({ id: r.id, queue: r.queue, name: r.name, data: JSON.parse(r.data) as unknown, opts: JSON.parse(r.opts) as JobSpec['opts'] }));
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { db, t } = this.d;
    await db.delete(t.outbox).where(inArray(t.outbox.id, ids));
  }

  async has(id: string): Promise<boolean> {
    const { db, t } = this.d;
    return (await db.select({ id: t.outbox.id }).from(t.outbox).where(eq(t.outbox.id, id)).limit(1)).length > 0;
  }
}
