import { asc, eq } from 'drizzle-orm';
import type { Note, NoteStore } from '../../core/ports.js';
import type { Database } from '../database.js';

/** Staff's internal notes on requests (their text is erased with the request's personal data). */
export class NoteRepository implements NoteStore {
  constructor(private readonly d: Database) {}

  async add(n: Note): Promise<void> {
    const { db, t } = this.d;
    await db.insert(t.requestNotes).values(n);
  }

  async of(requestId: string): Promise<Note[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.requestNotes).where(eq(t.requestNotes.requestId, requestId)).orderBy(asc(t.requestNotes.at));
    return rows.map((r) => ({ id: r.id, requestId: r.requestId, staffId: r.staffId, text: r.text ?? '', at: Number(r.at) }));
  }
}
