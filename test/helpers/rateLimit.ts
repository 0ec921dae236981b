/**
 * A platform's send limits, as the fake servers enforce them: an overall rate (token bucket with
 * a small burst, as Telegram tolerates) and a minimum interval per chat (1 s private, 3 s group,
 * with 10 % tolerance). Over the limit: the seconds to retry after, as a 429 says.
 */
export class PlatformLimits {
  rejected = 0;
  private tokens: number;
  private last = Date.now();
  private readonly burst: number;
  private readonly lastByChat = new Map<string, number>();

  constructor(readonly globalPerSecond: number) {
    this.burst = Math.max(3, Math.ceil(globalPerSecond / 20));
    this.tokens = this.burst;
  }

  /** undefined: allowed (and counted); a number: rejected, retry after that many seconds. */
  take(chatId: string): number | undefined {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.globalPerSecond);
    this.last = now;
    const interval = chatId.startsWith('-') ? 3000 : 1000;
    const prev = this.lastByChat.get(chatId);
    if (prev !== undefined && now - prev < interval * 0.9) return this.reject(Math.ceil((interval - (now - prev)) / 1000));
    if (this.tokens < 1) return this.reject(Math.max(1, Math.ceil((1 - this.tokens) / this.globalPerSecond)));
    this.tokens -= 1;
    this.lastByChat.set(chatId, now);
    return undefined;
  }

  private reject(retryAfter: number): number {
    this.rejected++;
    return retryAfter;
  }
}
