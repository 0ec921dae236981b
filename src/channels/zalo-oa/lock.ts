import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { OaLock } from './client.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A lock shared by every process on one Redis: only its holder refreshes the OA's tokens. The
 * lease outlives a refresh (one HTTP call with its timeout, then the database write), so it
 * never lapses while a refresh token is being spent; a holder that died frees it when the lease
 * ends, and the others wait for that rather than give up.
 */
export function redisLock(redis: Redis, key: string, o: { leaseMs: number; pollMs?: number }): OaLock {
  const pollMs = o.pollMs ?? 50;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const token = randomBytes(12).toString('hex');
    const until = Date.now() + o.leaseMs * 2;
    while ((await redis.set(key, token, 'PX', o.leaseMs, 'NX')) !== 'OK') {
      if (Date.now() > until) throw new Error(`zalo-oa: the token lock ${key} stayed taken for ${o.leaseMs * 2} ms`);
      await sleep(pollMs);
    }
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  };
}
