import { eq, lt, sql } from 'drizzle-orm';
import { type Database, prepareOnce } from '../database.js';
import type { StateStore } from '../../core/ports.js';

/** Read and written once per message: both statements are prepared once. */
export class DialogStateRepository implements StateStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    const key = sql.placeholder('key');
    const state = sql.placeholder('state');
    const now = sql.placeholder('now');
    this.getStmt = prepareOnce(
      db.select({ state: t.dialogStates.state }).from(t.dialogStates).where(eq(t.dialogStates.key, key)).limit(1),
      'dialog_state_get',
    );
    this.putStmt = prepareOnce(
      db
        .insert(t.dialogStates)
        .values({ key, state, updatedAt: now })
        .onConflictDoUpdate({ target: t.dialogStates.key, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` } }),
      'dialog_state_put',
    );
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.getStmt.execute({ key });
    return rows[0]?.state;
  }

  async put(key: string, state: string, now: number): Promise<void> {
    await this.putStmt.execute({ key, state, now });
  }

  async delete(key: string): Promise<void> {
    const { db, t } = this.d;
    await db.delete(t.dialogStates).where(eq(t.dialogStates.key, key));
  }

  /** Drafts hold personal data too: abandoned conversations are removed after a while. */
  async deleteOlderThan(cutoff: number): Promise<number> {
    const { db, t } = this.d;
    const rows = await db.delete(t.dialogStates).where(lt(t.dialogStates.updatedAt, cutoff)).returning({ key: t.dialogStates.key });
    return rows.length;
  }
}
