import { setTimeout as sleep } from 'node:timers/promises';
import { type OaLock, OaLockUnavailable } from './client.js';

/** Short locks on keys shared by every process (main gives the Redis ones, `RedisLocks`). */
export interface KeyLocks {
  /** The token that now holds `key` for `ttlMs`; undefined while another holds it. Throws when the store does not answer. */
  take(key: string, ttlMs: number): Promise<string | undefined>;
  /** Frees `key` if `token` still holds it. */
  release(key: string, token: string): Promise<unknown>;
}

/**
 * A lock shared by every process: only its holder refreshes the OA's tokens. The lease outlives
 * a refresh (one HTTP call with its timeout, then the database write), so it never lapses while
 * a refresh token is being spent; a holder that died frees it when the lease ends, and the
 * others wait for that rather than give up. While the locks' store does not answer, the lock is
 * not had (OaLockUnavailable) rather than waited for: the keeper goes on with the token it has.
 */
export function sharedLock(locks: KeyLocks, key: string, o: { leaseMs: number; pollMs?: number }): OaLock {
  const pollMs = o.pollMs ?? 50;
  const take = async (): Promise<string | undefined> => {
    try {
      return await locks.take(key, o.leaseMs);
    } catch (e) {
      throw new OaLockUnavailable(`zalo-oa: the token lock ${key} cannot be had: its store does not answer`, { cause: e });
    }
  };
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const until = Date.now() + o.leaseMs * 2;
    let token = await take();
    while (!token) {
      if (Date.now() > until) throw new OaLockUnavailable(`zalo-oa: the token lock ${key} stayed taken for ${o.leaseMs * 2} ms`);
      await sleep(pollMs);
      token = await take();
    }
    try {
      return await fn();
    } finally {
      await locks.release(key, token).catch(() => undefined);
    }
  };
}
