import { createHash } from 'node:crypto';
import { foldText } from '../domain/text.js';
import { msg, type Msg } from '../domain/message.js';

/** Counts hits on a key within a window that starts at its first hit (Redis across processes). */
export interface RateCounter {
  hit(key: string, windowMs: number): Promise<number>;
}

/** This process's own count: what a single process uses when Redis does not answer. */
export class MemoryCounter implements RateCounter {
  private readonly windows = new Map<string, { n: number; until: number }>();

  async hit(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      // Old windows go when new ones open: the map holds only chats seen lately.
      if (this.windows.size > 10_000) for (const [k, v] of this.windows) if (v.until <= now) this.windows.delete(k);
      w = { n: 0, until: now + windowMs };
      this.windows.set(key, w);
    }
    return ++w.n;
  }
}

/** The shared count while Redis answers; this process's own while it does not. */
export function fallbackCounter(shared: RateCounter | undefined, onError: (e: unknown) => void = () => undefined): RateCounter {
  const local = new MemoryCounter();
  if (!shared) return local;
  return {
    hit: (key, windowMs) =>
      shared.hit(key, windowMs).catch((e: unknown) => {
        onError(e);
        return local.hit(key, windowMs);
      }),
  };
}

export interface FloodLimits {
  /** Messages a private chat may send a minute; a group may send five times as many. */
  perChatPerMinute: number;
  /** Code commands (/dangky, /lienket, /dangnhap) one chat may send in `codeWindowMs`. */
  codeTriesPerChat: number;
  /** Times one code may be tried, from any chats, in `codeWindowMs`. */
  codeTriesPerCode: number;
  codeWindowMs: number;
}

export const MINUTE = 60_000;

/**
 * Fair under floods. A chat past its rate gets one kind "please slow down" and what it sends
 * beyond is dropped at once, before any lock or queue: it costs one counter, delays no other
 * chat and leaves nothing to send later. Guessable codes are counted per chat and per code.
 */
export class FloodGate {
  constructor(
    private readonly counter: RateCounter,
    private readonly limits: FloodLimits,
  ) {}

  /** 'ok', 'warn' (the first message past the rate: tell them once), or 'drop'. */
  async admit(chatKey: string, group: boolean): Promise<'ok' | 'warn' | 'drop'> {
    const limit = this.limits.perChatPerMinute * (group ? 5 : 1);
    const n = await this.counter.hit(`flood:${chatKey}`, MINUTE);
    if (n <= limit) return 'ok';
    return n === limit + 1 && !group ? 'warn' : 'drop';
  }

  /** A refusal when this chat, or anyone with this code, tried too often lately; else undefined. */
  async codeTry(chatKey: string, code: string): Promise<Msg | undefined> {
    const { codeTriesPerChat, codeTriesPerCode, codeWindowMs } = this.limits;
    const minutes = Math.ceil(codeWindowMs / MINUTE);
    if ((await this.counter.hit(`code:chat:${chatKey}`, codeWindowMs)) > codeTriesPerChat) return msg('flood:code_tries', { minutes });
    const folded = foldText(code).replace(/\s/g, '');
    if (folded === '') return undefined;
    // Counted under a hash: a live code is not written out in Redis.
    const id = createHash('sha256').update(folded).digest('hex').slice(0, 20);
    if ((await this.counter.hit(`code:value:${id}`, codeWindowMs)) > codeTriesPerCode) return msg('flood:code_tries', { minutes });
    return undefined;
  }
}
