import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from './loopbackServer.js';
import { PlatformLimits } from './rateLimit.js';

export const ZALO_TOKEN = '1234567890:zalo-fake-token';

export interface ZaloSent {
  chat_id: string;
  text: string;
  at: number;
}

/**
 * A fake Zalo Bot Platform server over real HTTP, as documented: getUpdates returns ONE update
 * per call and answers 408 when the long poll times out; sendMessage refuses text over 2,000
 * characters; faults (429, 5xx) can be injected.
 */
export class FakeZalo extends LoopbackServer {
  readonly sent: ZaloSent[] = [];
  readonly calls: { method: string; at: number; status: number }[] = [];
  webhook: { url: string; secret: string } | undefined;

  private queue: Record<string, unknown>[] = [];
  private pollCount = 0;
  private deliveredIn = new Map<string, number>();
  private handledWaiters: { id: string; resolve: () => void }[] = [];
  private pollWaiters: (() => void)[] = [];
  private faults: { method: string; remaining: number; status: number; body: Record<string, unknown> }[] = [];

  /** Users who blocked the bot: sends to them answer 403. */
  readonly blockedUsers = new Set<string>();
  readonly limits: PlatformLimits | undefined;

  constructor(
    private readonly maxPollMs = 300,
    globalPerSecond?: number,
  ) {
    super();
    this.limits = globalPerSecond ? new PlatformLimits(globalPerSecond) : undefined;
  }

  protected wakeAll(): void {
    for (const w of this.pollWaiters.splice(0)) w();
  }

  fail(method: string, times: number, status: number, body: Record<string, unknown> = {}): void {
    this.faults.push({ method, remaining: times, status, body });
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  to(userId: string): ZaloSent[] {
    return this.sent.filter((m) => m.chat_id === userId);
  }

  /** Everything sent to the user since index `from`, joined as one text. */
  textTo(userId: string, from = 0): string {
    return this.to(userId).slice(from).map((m) => m.text).join('\n');
  }

  update(userId: string, event: string, extra: Record<string, unknown> = {}, messageId: string = randomUUID()): Record<string, unknown> {
    return {
      event_name: event,
      message: { message_id: messageId, from: { id: userId, display_name: 'Bà Lành', is_bot: false }, chat: { id: userId, chat_type: 'PRIVATE' }, date: Date.now(), ...extra },
    };
  }

  /** The user types `text`; resolves once the bot has handled it. Returns what the bot answered. */
  async text(userId: string, text: string): Promise<string> {
    const before = this.to(userId).length;
    await this.push(this.update(userId, 'message.text.received', { text }));
    return this.textTo(userId, before);
  }

  async push(update: Record<string, unknown>): Promise<void> {
    const id = String((update.message as { message_id: string }).message_id);
    this.deliveredIn.delete(id);
    this.queue.push(update);
    for (const w of this.pollWaiters.splice(0)) w();
    await this.handled(id);
  }

  private handled(id: string, ms = 15_000): Promise<void> {
    if (this.isHandled(id)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`zalo update ${id} not handled in ${ms} ms`)), ms);
      this.handledWaiters.push({ id, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  private isHandled(id: string): boolean {
    const poll = this.deliveredIn.get(id);
    return poll !== undefined && this.pollCount > poll;
  }

  async postWebhook(update: Record<string, unknown>, opts: { secret?: string; wrapped?: boolean } = {}): Promise<number> {
    const body = opts.wrapped ? { ok: true, result: update } : update;
    const secret = opts.secret ?? this.webhook?.secret;
    const res = await fetch(this.webhook!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(body),
    });
    await res.text();
    return res.status;
  }

  protected async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    const method = m?.[2] ?? '';
    // Recorded on arrival (a long poll answers much later).
    const call = { method, at: Date.now(), status: 0 };
    this.calls.push(call);
    const reply = (status: number, body: unknown) => {
      call.status = status;
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!m || m[1] !== ZALO_TOKEN) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const p = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Record<string, unknown>;
    const fault = this.faults.find((f) => f.method === method && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      return reply(fault.status, { ok: false, error_code: fault.status, description: 'injected', ...fault.body });
    }
    switch (method) {
      case 'getMe':
        return reply(200, { ok: true, result: { id: 'bot1', account_name: 'bot.thu7', display_name: 'Thứ 7 vì dân' } });
      case 'getUpdates': {
        const poll = ++this.pollCount;
        const ready = this.handledWaiters.filter((w) => this.isHandled(w.id));
        this.handledWaiters = this.handledWaiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.resolve();
        if (this.webhook) return reply(409, { ok: false, error_code: 409, description: 'webhook is active' });
        if (this.queue.length === 0) {
          await new Promise<void>((resolve) => {
            this.pollWaiters.push(resolve);
            const t = setTimeout(resolve, Math.min(Number(p.timeout ?? 30) * 1000, this.maxPollMs));
            res.on('close', () => (clearTimeout(t), resolve()));
          });
        }
        if (res.destroyed || res.socket === null) return;
        const u = this.queue.shift();
        if (!u) return reply(408, { ok: false, error_code: 408, description: 'Request timeout' });
        this.deliveredIn.set(String((u.message as { message_id: string }).message_id), poll);
        return reply(200, { ok: true, result: u });
      }
      case 'sendMessage': {
        if (this.blockedUsers.has(String(p.chat_id))) return reply(403, { ok: false, error_code: 403, description: 'user blocked the bot' });
        const retryAfter = this.limits?.take(String(p.chat_id));
        if (retryAfter !== undefined) return reply(429, { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: retryAfter } });
        const text = String(p.text ?? '');
        if (text.length < 1 || text.length > 2000) return reply(400, { ok: false, error_code: 400, description: 'text must be 1-2000 characters' });
        this.sent.push({ chat_id: String(p.chat_id), text, at: Date.now() });
        return reply(200, { ok: true, result: { message_id: randomUUID() } });
      }
      case 'sendPhoto':
      case 'sendChatAction':
        return reply(200, { ok: true, result: true });
      case 'setWebhook':
        this.webhook = { url: String(p.url), secret: String(p.secret_token) };
        return reply(200, { ok: true, result: true });
      case 'deleteWebhook':
        this.webhook = undefined;
        return reply(200, { ok: true, result: true });
      case 'getWebhookInfo':
        return reply(200, { ok: true, result: { url: this.webhook?.url ?? '' } });
      default:
        return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    }
  }
}
