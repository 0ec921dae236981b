import { randomUUID } from 'node:crypto';
import { asc, eq, gte, sql } from 'drizzle-orm';
import { Batcher } from '../batch.js';
import { type Database, prepareOnce } from '../database.js';
import type { AuditAction, AuditLog } from '../../core/ports.js';

type AuditRow = { id: string; at: number; actor: string; action: AuditAction; subject: string | null };

/** Records who touched personal data and how, never the data itself. */
export class AuditRepository implements AuditLog {
  private readonly insertStmt;
  // Records made at the same moment (many jobs at once) are written together; each caller
  // still waits until its own row is stored.
  private readonly rows = new Batcher<AuditRow>((rows) => this.insert(rows), 0, 200, 2);

  constructor(private readonly d: Database) {
    const { db, t } = d;
    const p = (name: string) => sql.placeholder(name);
    this.insertStmt = prepareOnce(
      db.insert(t.auditLog).values({ id: p('id'), at: p('at'), actor: p('actor'), action: p('action'), subject: p('subject') }),
      'audit_insert',
    );
  }

  record(actor: string, action: AuditAction, subject: string | null, now: number): Promise<void> {
    return this.rows.add({ id: randomUUID(), at: now, actor, action, subject });
  }

  private async insert(rows: AuditRow[]): Promise<void> {
    if (rows.length === 1) await this.insertStmt.execute(rows[0]!);
    else await this.d.db.insert(this.d.t.auditLog).values(rows);
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
