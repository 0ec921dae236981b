import { eq } from 'drizzle-orm';
import type { Database } from '../database.js';

export interface StoredTokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshedAt: number;
}

/**
 * A platform's OAuth pair, one row per platform account. Written before the pair is used:
 * the refresh token it replaced is spent, so this row is the only copy of a working one.
 */
export class PlatformTokenRepository {
  constructor(private readonly d: Database) {}

  async load(id: string): Promise<(StoredTokenPair & { error: string | null }) | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.platformTokens).where(eq(t.platformTokens.id, id)).limit(1);
    const r = rows[0];
    if (!r) return undefined;
    return { accessToken: r.accessToken, refreshToken: r.refreshToken, expiresAt: Number(r.expiresAt), refreshedAt: Number(r.refreshedAt), error: r.error };
  }

  async save(id: string, pair: StoredTokenPair): Promise<void> {
    const { db, t } = this.d;
    const p = t.platformTokens;
    const values = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt, refreshedAt: pair.refreshedAt, error: null };
    await db.insert(p).values({ id, ...values }).onConflictDoUpdate({ target: p.id, set: values });
  }

  /** Why the last refresh failed (shown to the commander), or null once one succeeded. */
  async setError(id: string, error: string | null): Promise<void> {
    const { db, t } = this.d;
    await db.update(t.platformTokens).set({ error }).where(eq(t.platformTokens.id, id));
  }
}
