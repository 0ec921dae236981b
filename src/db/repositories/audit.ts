import { randomUUID } from 'node:crypto';
import { gte } from 'drizzle-orm';
import type { Database } from '../database.js';

export type AuditAction =
  | 'consent_given'
  | 'request_created'
  | 'request_cancelled'
  | 'data_erased'
  | 'request_assigned'
  | 'request_unassigned'
  | 'request_claimed'
  | 'request_done'
  | 'request_handed_back'
  | 'retention_anonymised'
  | 'group_linked'
  | 'officer_registered';

/** Records who touched personal data and how, never the data itself. */
export class AuditRepository {
  constructor(private readonly d: Database) {}

  async record(actor: string, action: AuditAction, subject: string | null, now: number): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.auditLog).values({ id: randomUUID(), at: now, actor, action, subject });
  }

  async since(at: number) {
    const { db, t } = this.d;
    return db.select().from(t.auditLog).where(gte(t.auditLog.at, at)).orderBy(t.auditLog.at);
  }
}
