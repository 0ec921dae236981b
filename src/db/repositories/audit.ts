import { randomUUID } from 'node:crypto';
import { asc, eq, gte } from 'drizzle-orm';
import { BATCH_MAX, Batcher } from '../batch.js';
import { type Database, filledRows, placeholderRows, preparedBySize } from '../database.js';
import type { AuditAction, AuditLog } from '../../core/ports.js';

type AuditRow = { id: string; at: number; actor: string; action: AuditAction; subject: string | null };
const AUDIT_COLUMNS = ['id', 'at', 'actor', 'action', 'subject'] as const;

/** Records who touched personal data and how, never the data itself. */
export class AuditRepository implements AuditLog {
  private readonly insertRows;
  // Records made at the same moment (many jobs at once) are written together; each caller
  // still waits until its own row is stored.
  private readonly rows = new Batcher<AuditRow>(async (rows) => void (await this.insertRows(rows.length).execute(filledRows(rows))), 0, BATCH_MAX, 2);

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.insertRows = preparedBySize('audit_insert', (n) => db.insert(t.auditLog).values(placeholderRows(AUDIT_COLUMNS, n) as unknown as AuditRow[]));
  }

  record(actor: string, action: AuditAction, subject: string | null, now: number): Promise<void> {
    return this.rows.add({ id: randomUUID(), at: now, actor, action, subject });
  }

  async pseudonymise(actor: string, pseudonym: string): Promise<number> {
    const { db, t } = this.d;
    const rows = await db.update(t.auditLog).set({ actor: pseudonym }).where(eq(t.auditLog.actor, actor)).returning({ id: t.auditLog.id });
    return rows.length;
  }

  async forSubject(subject: string): Promise<{ at: number; actor: string; action: string }[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.auditLog).where(eq(t.auditLog.subject, subject)).orderBy(asc(t.auditLog.at));
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, action: r.action }));
  }

  async since(at: number) {
    const { db, t } = this.d;
    return db.select().from(t.auditLog).where(gte(t.auditLog.at, at)).orderBy(t.auditLog.at);
  }
}
