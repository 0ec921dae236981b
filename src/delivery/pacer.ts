import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ChannelAdapter } from '../channels/adapter.js';
import type { Address } from '../domain/address.js';
import { type LuaScript, luaScript } from '../db/redis.js';

/**
 * Send pacing shared by every process through Redis. Each key is a lane with a minimum interval
 * between sends (a chat: 1 s; a group: 3 s, i.e. 20/min; the whole bot: 1/30 s). A send reserves
 * the next free slot on all its lanes at once and is told how long to wait for it, so limits
 * hold across workers and processes without anyone polling.
 */
// A lane with a burst of b may lag up to b slots behind now: senders that woke late use the
// slots they missed (so the long-run rate reaches the limit) but never more than b at once.
const RESERVE = `
local now = tonumber(ARGV[1])
local onlyIfFree = ARGV[2] == '1'
local n = #KEYS
if ARGV[3] == '1' then
  if redis.call('EXISTS', KEYS[n]) == 1 then return -1 end
  n = n - 1
end
local start = nil
for i = 1, n do
  local key = KEYS[i]
  local interval = tonumber(ARGV[i + 3])
  local burst = tonumber(ARGV[n + i + 3])
  local nextFree = math.max(tonumber(redis.call('GET', key) or '0'), now - burst * interval)
  if start == nil or nextFree > start then start = nextFree end
end
-- The clock counts whole milliseconds: a slot less than one away is free now (and is reserved);
-- a later one is rounded up, as Redis would truncate 1.5 to 1 and 0.5 to "free".
if onlyIfFree and start - now >= 1 then return math.ceil(start - now) end
for i = 1, n do
  local key = KEYS[i]
  local interval = tonumber(ARGV[i + 3])
  redis.call('SET', key, start + interval, 'PX', math.floor(math.max(1, start + interval - now)) + 60000)
end
if onlyIfFree then return 0 end
return math.max(0, start - now)
`;

export interface Lane {
  key: string;
  intervalMs: number;
  /** Missed slots a late sender may still use (the platform tolerates a short burst). */
  burst?: number;
}

/** The lanes one send to a chat uses: the chat's own, then the platform's overall lane (last). */
export function lanesFor(adapter: Pick<ChannelAdapter, 'id' | 'limits'>, to: Address): Lane[] {
  const perSecond = adapter.limits.globalPerSecond;
  return [
    { key: `${adapter.id}:${to.chatId}`, intervalMs: adapter.limits.intervalMs(to.kind) },
    // 20 ms of catch-up: a fake or real platform counting over a second never sees more than the limit and a sliver.
    { key: `${adapter.id}:all`, intervalMs: 1000 / perSecond, burst: Math.max(1, Math.floor(perSecond / 50)) },
  ];
}

export class Pacer {
  private readonly reserve: LuaScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.reserve = luaScript(redis, 'paceReserve', RESERVE);
  }

  /**
   * Waits for a send slot. The chat's own lanes first, the shared overall lane (the last) only
   * once the chat's slot has come: reserving a group's slot 3 s ahead on the overall lane too
   * would hold every other chat's sends back for those 3 s. A chat wait longer than
   * `maxInlineMs` is not waited here: the chat's slot is reserved and its wait returned, and the
   * caller comes back then and calls `waitShared`.
   */
  async wait(lanes: Lane[], maxInlineMs = Infinity): Promise<number> {
    const own = lanes.slice(0, -1);
    if (own.length > 0) {
      const w = await this.run(own, false);
      if (w > maxInlineMs) return w;
      if (w > 0) await sleep(w);
    }
    await this.waitShared(lanes);
    return 0;
  }

  /** The overall lane only (the last of `lanes`): after a parked job's chat slot has come. */
  async waitShared(lanes: Lane[]): Promise<void> {
    const w = await this.run(lanes.slice(-1), false);
    if (w > 0) await sleep(w);
  }

  /**
   * Reserves only a slot that is free right now: 0 = reserved, go; more = nothing reserved.
   * With `unlessKey`: -1, nothing reserved, when that key exists (the message was sent before),
   * checked in the same round trip.
   */
  async reserveIfFree(lanes: Lane[], unlessKey?: string): Promise<number> {
    return this.run(lanes, true, unlessKey);
  }

  private async run(lanes: Lane[], onlyIfFree: boolean, unlessKey?: string): Promise<number> {
    const keys = lanes.map((l) => `${this.prefix}:pace:${l.key}`);
    const intervals = lanes.map((l) => Math.max(0, l.intervalMs));
    const bursts = lanes.map((l) => l.burst ?? 0);
    const guard = unlessKey === undefined ? [] : [unlessKey];
    const wait = Number(await this.reserve([...keys, ...guard], [Date.now(), onlyIfFree ? '1' : '0', guard.length, ...intervals, ...bursts]));
    return wait;
  }
}
