import type { Redis } from 'ioredis';

/**
 * Send pacing shared by every process through Redis. Each key is a lane with a minimum interval
 * between sends (a chat: 1 s; a group: 3 s, i.e. 20/min; the whole bot: 1/30 s). A send reserves
 * the next free slot on all its lanes at once and is told how long to wait for it, so limits
 * hold across workers and processes without anyone polling.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local onlyIfFree = ARGV[2] == '1'
local start = now
for i, key in ipairs(KEYS) do
  local nextFree = tonumber(redis.call('GET', key) or '0')
  if nextFree > start then start = nextFree end
end
if onlyIfFree and start > now then return start - now end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[i + 2])
  redis.call('SET', key, start + interval, 'PX', start + interval - now + 60000)
end
return start - now
`;

export interface Lane {
  key: string;
  intervalMs: number;
}

export class Pacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Milliseconds to wait before the reserved send. */
  reserve(lanes: Lane[]): Promise<number> {
    return this.run(lanes, false);
  }

  /** Reserves only a slot that is free right now: 0 = reserved, go; more = nothing reserved. */
  reserveIfFree(lanes: Lane[]): Promise<number> {
    return this.run(lanes, true);
  }

  private async run(lanes: Lane[], onlyIfFree: boolean): Promise<number> {
    const keys = lanes.map((l) => `${this.prefix}:pace:${l.key}`);
    const intervals = lanes.map((l) => Math.max(0, Math.round(l.intervalMs)));
    const wait = (await this.redis.eval(RESERVE, keys.length, ...keys, Date.now(), onlyIfFree ? '1' : '0', ...intervals)) as number;
    return Math.max(0, wait);
  }
}
