import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnection {
  host: string;
  port: number;
  password?: string;
  db?: number;
  /** BullMQ workers must wait for Redis forever rather than fail a command. */
  maxRetriesPerRequest: null;
}

export function redisConnection(url: string): RedisConnection {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}

export function newRedis(url: string, over: RedisOptions = {}): Redis {
  const r = new Redis({ ...redisConnection(url), lazyConnect: false, ...over });
  // Errors surface on the commands that fail; the connection itself reconnects on its own.
  r.on('error', () => undefined);
  return r;
}

/**
 * A connection for what must not wait on a Redis that is down (direct replies' pacing, locks
 * on the request path): commands fail at once while disconnected and give up after `timeoutMs`.
 * Its first connection, though, is waited for: commands sent before it is up wait for it (and
 * fail if that first attempt fails). A process that has just started must not take a Redis
 * still connecting for one that is down (its OA would spend no start-up token). No timeout runs
 * meanwhile: one that fired while a command still waited would not stop it being sent later,
 * and a lock taken then would be held by nobody who knows it.
 */
export function newFastFailRedis(url: string, timeoutMs: number): Redis {
  const r = newRedis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 0 });
  // ioredis reads both options per command: from here on nothing waits for Redis.
  const firstAttemptOver = () => {
    r.options.enableOfflineQueue = false;
    r.options.commandTimeout = timeoutMs;
    r.off('ready', firstAttemptOver);
    r.off('close', firstAttemptOver);
  };
  r.on('ready', firstAttemptOver);
  r.on('close', firstAttemptOver);
  return r;
}

export type LuaScript = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script run by its SHA (EVALSHA), loaded on first use: the body is not sent and hashed by
 * Redis on every call, as plain EVAL would.
 */
export function luaScript(redis: Redis, name: string, lua: string): LuaScript {
  redis.defineCommand(name, { lua });
  const command = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!.bind(redis);
  return (keys, args) => command(keys.length, ...keys, ...args);
}
