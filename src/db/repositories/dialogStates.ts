import { and, eq, lt, sql } from 'drizzle-orm';
import { type Database, prepareOnce } from '../database.js';
import type { StateStore, VersionedState } from '../../core/ports.js';

/**
 * Read and written once per message: the statements are prepared once. A save names the
 * version it read and succeeds only if nobody saved since (compare-and-set), so two replicas
 * handling one chat never write over each other's answer.
 */
export class DialogStateRepository implements StateStore {
  private readonly loadStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly putStmt;

  constructor(private readonly d: Database) {
    const { db, t } = d;
    const key = sql.placeholder('key');
    const state = sql.placeholder('state');
    const now = sql.placeholder('now');
    const version = sql.placeholder('version');
    this.loadStmt = prepareOnce(
      db.select({ state: t.dialogStates.state, version: t.dialogStates.version }).from(t.dialogStates).where(eq(t.dialogStates.key, key)).limit(1),
      'dialog_state_load',
    );
    // A first save: only if no other process created the row meanwhile.
    this.insertStmt = prepareOnce(
      db.insert(t.dialogStates).values({ key, state, updatedAt: now, version: 1 }).onConflictDoNothing().returning({ key: t.dialogStates.key }),
      'dialog_state_insert',
    );
    this.updateStmt = prepareOnce(
      db
        .update(t.dialogStates)
        .set({ state: sql`${state}`, updatedAt: sql`${now}`, version: sql`${t.dialogStates.version} + 1` })
        .where(and(eq(t.dialogStates.key, key), eq(t.dialogStates.version, version)))
        .returning({ key: t.dialogStates.key }),
      'dialog_state_update',
    );
    this.putStmt = prepareOnce(
      db
        .insert(t.dialogStates)
        .values({ key, state, updatedAt: now, version: 1 })
        .onConflictDoUpdate({ target: t.dialogStates.key, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at`, version: sql`${t.dialogStates.version} + 1` } }),
      'dialog_state_put',
    );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.load(key))?.state;
  }

  async load(key: string): Promise<VersionedState | undefined> {
    const rows = await this.loadStmt.execute({ key });
    return rows[0];
  }

  async save(key: string, state: string, version: number | undefined, now: number): Promise<boolean> {
    if (version !== undefined && (await this.updateStmt.execute({ key, state, now, version })).length > 0) return true;
    // No row (a first save, or the chat's data was erased while this message was handled, by
    // this very message: "delete my data"): created, unless another process created it first.
    return (await this.insertStmt.execute({ key, state, now })).length > 0;
  }

  /** Whatever was there (an admin tool, a test): still raises the version, so a save in flight elsewhere retries. */
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
