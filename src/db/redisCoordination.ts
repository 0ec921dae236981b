import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { type LuaScript, luaScript } from './redis.js';

/**
 * What bot processes agree on through Redis: who handles a chat right now, how many messages a
 * chat sent lately, and which process polls a bot token. Each works on a fast-fail connection
 * and says so by throwing when Redis does not answer; the callers decide what is safe then.
 */

// Deletes or extends a key only while it still holds our token (another process may own it now).
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const HOLD = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

// A chat's waiters queue by arrival (a sequence number drawn when they come). The lock goes to the
// head of the queue only; a head whose process died stops renewing its "still waiting" key and is
// skipped. KEYS: lock, queue, sequence, waiting-key prefix. ARGV: token, lock ms, waiting ms.
const ENQUEUE = `
local seq = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[4] .. ARGV[1], '1', 'PX', ARGV[3])
return seq
`;
const TAKE = `
redis.call('SET', KEYS[4] .. ARGV[1], '1', 'PX', ARGV[3])
-- Dropped meanwhile (taken for dead after a long stall, or the queue expired): it came earlier
-- than anyone queued now, so it goes first.
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head then return 0 end
  if head == ARGV[1] then
    if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('DEL', KEYS[4] .. ARGV[1])
      return 1
    end
    return 0
  end
  if redis.call('EXISTS', KEYS[4] .. head) == 1 then return 0 end
  redis.call('ZREM', KEYS[2], head)
end
`;
const LEAVE = `
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[4] .. ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A per-chat lock across processes, first come first served: a message waits behind those of its
 * chat that reached Redis before it, whichever replica they reached. (A plain SET NX polled with
 * back-off let a later message on the other replica overtake one still pausing: a year answered
 * before the name sent 100 ms earlier.) It keeps two replicas from handling one chat at once;
 * the state row's version is the fence when a lock lapses (a process stalled past the expiry).
 */
export class RedisChatLock {
  private readonly enqueue: LuaScript;
  private readonly take: LuaScript;
  private readonly leave: LuaScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
    /** How long a waiter that stopped asking (its process died) keeps its place. */
    private readonly waitingMs = 2_000,
  ) {
    this.enqueue = luaScript(redis, 'chatLockEnqueue', ENQUEUE);
    this.take = luaScript(redis, 'chatLockTake', TAKE);
    this.leave = luaScript(redis, 'chatLockLeave', LEAVE);
  }

  /**
   * Runs `work` holding the chat's lock. It waits at most the lock's lifetime, and not at all
   * while Redis does not answer: then `work` runs unlocked and the version check keeps it right.
   */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const base = `${this.prefix}:chat:${key}`;
    const keys = [base, `${base}:q`, `${base}:seq`, `${base}:w:`];
    const token = randomUUID();
    const args = [token, this.ttlMs, this.waitingMs];
    const deadline = Date.now() + this.ttlMs;
    let queued = false;
    try {
      await this.enqueue(keys, args);
      queued = true;
      for (let pause = 1; ; pause = Math.min(pause * 2, 8)) {
        const held = Number(await this.take(keys, args)) === 1;
        if (held || Date.now() >= deadline) break;
        await sleep(pause);
      }
    } catch (e) {
      this.onError(e);
    }
    try {
      return await work();
    } finally {
      if (queued) await this.leave(keys, args).catch(() => undefined);
    }
  }
}

/**
 * Short locks on keys (SET NX PX) that only their holder frees: each take draws a random token,
 * and release deletes the key only while it still holds that token. A holder that ran past the
 * lock's lifetime must not free the lock the next holder has taken since (a plain DEL would).
 */
export class RedisLocks {
  private readonly release_: LuaScript;

  constructor(private readonly redis: Redis) {
    this.release_ = luaScript(redis, 'lockRelease', RELEASE);
  }

  /** The token that now holds `key` for `ttlMs`; undefined while another holds it. Throws when Redis does not answer. */
  async take(key: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    try {
      return (await this.redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
    } catch (e) {
      // A timed-out SET may still have run: freed at once (sent after it on the same connection),
      // or the key would stay taken, by nobody, for the whole lock.
      void this.release(key, token).catch(() => undefined);
      throw e;
    }
  }

  /** Frees `key` if `token` still holds it; false when it had lapsed (and maybe went to another). */
  async release(key: string, token: string): Promise<boolean> {
    return Number(await this.release_([key], [token])) === 1;
  }
}

/** Counts hits on a key within a window that starts at its first hit. */
export class RedisCounter {
  private readonly hit_: LuaScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.hit_ = luaScript(redis, 'rateHit', HIT);
  }

  async hit(key: string, windowMs: number): Promise<number> {
    return Number(await this.hit_([`${this.prefix}:rate:${key}`], [windowMs]));
  }
}

/**
 * One holder per name (a bot token's long poll): held while renewed, free for another process
 * once its holder stops renewing for `ttlMs`. Renewed every quarter of it, so a standby takes
 * over within 1¼ × ttlMs of the holder's death, and at once after a clean stop.
 */
export class RedisLease {
  private readonly hold: LuaScript;
  private readonly locks: RedisLocks;
  // The process id first: whoever looks at Redis sees which process polls.
  private readonly me = `${process.pid}.${randomUUID()}`;
  private holding = false;
  private answeredAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {
    this.hold = luaScript(redis, 'leaseHold', HOLD);
    this.locks = new RedisLocks(redis);
  }

  /** Resolves once this process holds the lease (or the signal aborts). */
  async until(signal: AbortSignal): Promise<void> {
    if (!this.timer) {
      // Just started, the connection may still be opening: the first answer decides, not its absence.
      // (`once` also rejects on a connection error: that, too, only ends the wait.)
      if (this.redis.status !== 'ready') await Promise.race([once(this.redis, 'ready').catch(() => undefined), sleep(this.ttlMs, undefined, { signal }).catch(() => undefined)]);
      await this.tick();
      this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.ttlMs / 4)));
      this.timer.unref();
    }
    if (this.holding || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => (signal.removeEventListener('abort', done), resolve());
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async tick(): Promise<void> {
    try {
      this.holding = Number(await this.hold([this.key], [this.me, this.ttlMs])) === 1;
      this.answeredAt = Date.now();
    } catch (e) {
      // Redis does not answer (or not yet: the connection is still opening). A holder keeps
      // polling; a standby starts once Redis was silent for a whole lease, since nobody could
      // have renewed it meanwhile: a process alone with a dead Redis still serves. When Redis is
      // back, the one that does not hold the lease stops.
      this.onError(e);
      if (Date.now() - this.answeredAt >= this.ttlMs) this.holding = true;
    }
    if (this.holding) for (const w of this.waiters.splice(0)) w();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w();
    if (this.holding) await this.locks.release(this.key, this.me).catch(() => undefined);
    this.holding = false;
  }
}
