import { sql } from 'drizzle-orm';
import type { SettingsStore, StoredSetting } from '../../core/settings/service.js';
import type { Database } from '../database.js';

/** The unit's settings changed from the console: one row a setting, its value as JSON. */
export class SettingsRepository implements SettingsStore {
  constructor(private readonly d: Database) {}

  async all(): Promise<StoredSetting[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.settings);
    return rows.map((r) => ({ key: r.key, value: r.value, updatedBy: r.updatedBy, updatedAt: Number(r.updatedAt) }));
  }

  async put(rows: { key: string; value: string }[], by: string, now: number): Promise<void> {
    if (rows.length === 0) return;
    const { db, t } = this.d;
    await db
      .insert(t.settings)
      .values(rows.map((r) => ({ key: r.key, value: r.value, updatedBy: by, updatedAt: now })))
      .onConflictDoUpdate({ target: t.settings.key, set: { value: sql`excluded.value`, updatedBy: sql`excluded.updated_by`, updatedAt: sql`excluded.updated_at` } });
  }
}
