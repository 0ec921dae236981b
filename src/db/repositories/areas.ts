import { and, count, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Area } from '../../domain/area.js';
import type { Database } from '../database.js';
import type { AreaStore } from '../../core/ports.js';

export class AreaRepository implements AreaStore {
  constructor(private readonly d: Database) {}

  /** Loads the unit's area file: upserts every area and deactivates those no longer listed. */
  async replaceAll(areas: Area[]): Promise<void> {
    const { db, t } = this.d;
    for (const a of areas) {
      const values = { name: a.name, kind: a.kind, parentId: a.parentId, aliases: JSON.stringify(a.aliases), active: 1 };
      await db
        .insert(t.areas)
        .values({ id: a.id, ...values })
        .onConflictDoUpdate({ target: t.areas.id, set: values });
    }
    const ids = areas.map((a) => a.id);
    if (ids.length > 0) await db.update(t.areas).set({ active: 0 }).where(notInArray(t.areas.id, ids));
  }

  async count(): Promise<number> {
    const { db, t } = this.d;
    const [r] = await db.select({ n: count() }).from(t.areas);
    return Number(r?.n ?? 0);
  }

  /** Creates or edits areas in one statement: all of them or none. */
  async upsert(areas: Area[]): Promise<void> {
    if (areas.length === 0) return;
    const { db, t } = this.d;
    await db
      .insert(t.areas)
      .values(areas.map((a) => ({ id: a.id, name: a.name, kind: a.kind, parentId: a.parentId, aliases: JSON.stringify(a.aliases), active: 1 })))
      .onConflictDoUpdate({
        target: t.areas.id,
        set: { name: sql`excluded.name`, kind: sql`excluded.kind`, parentId: sql`excluded.parent_id`, aliases: sql`excluded.aliases`, active: sql`excluded.active` },
      });
  }

  async deactivate(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { db, t } = this.d;
    await db.update(t.areas).set({ active: 0 }).where(inArray(t.areas.id, ids));
  }

  async communes(): Promise<Area[]> {
    return this.active('commune');
  }

  /** Hamlets are matched too: a typed "Ấp Bình Lợi" means its commune. */
  async hamlets(): Promise<Area[]> {
    return this.active('hamlet');
  }

  private async active(kind: Area['kind']): Promise<Area[]> {
    const { db, t } = this.d;
    const rows = await db
      .select()
      .from(t.areas)
      .where(and(eq(t.areas.kind, kind), eq(t.areas.active, 1)))
      .orderBy(t.areas.name);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind,
      parentId: r.parentId,
      aliases: JSON.parse(r.aliases) as string[],
    }));
  }
}
