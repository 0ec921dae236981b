import { eq, lt } from 'drizzle-orm';
import type { Database } from '../database.js';

export class DialogStateRepository {
  constructor(private readonly d: Database) {}

  async get(key: string): Promise<string | undefined> {
    const { db, t } = this.d;
    const rows = await db.select({ state: t.dialogStates.state }).from(t.dialogStates).where(eq(t.dialogStates.key, key)).limit(1);
    return rows[0]?.state;
  }

  async put(key: string, state: string, now: number): Promise<void> {
    const { db, t } = this.d;
    await db
      .insert(t.dialogStates)
      .values({ key, state, updatedAt: now })
      .onConflictDoUpdate({ target: t.dialogStates.key, set: { state, updatedAt: now } });
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
