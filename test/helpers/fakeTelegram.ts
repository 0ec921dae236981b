import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from './loopbackServer.js';
import { PlatformLimits } from './rateLimit.js';

/**
 * A fake Telegram Bot API server for tests, over real HTTP: the bot under test talks to it
 * exactly as it talks to api.telegram.org (point TELEGRAM_API_ROOT / client.apiRoot here).
 * It holds updates for getUpdates (or posts them to a webhook), records what the bot sends,
 * and can answer with 429/5xx on demand.
 */
export interface SentMessage {
  message_id: number;
  chat_id: string;
  text: string;
  parse_mode?: string;
  reply_markup?: {
    inline_keyboard?: { text: string; callback_data: string }[][];
    keyboard?: { text: string; request_contact?: boolean }[][];
    remove_keyboard?: boolean;
  };
  edits: number;
}

interface Fault {
  method: string;
  remaining: number;
  status: number;
  body: Record<string, unknown>;
}

interface Waiter {
  resolve: () => void;
}

export const BOT_TOKEN = '123456:TEST-token-for-the-fake-bot-api';

export class FakeTelegram extends LoopbackServer {
  readonly messages: SentMessage[] = [];
  readonly calls: { method: string; at: number; params: Record<string, unknown> }[] = [];
  readonly callbackAnswers: string[] = [];
  /** The ids of the button presses users made: each must be answered once (or the button spins). */
  readonly callbackQueries: string[] = [];
  webhook: { url: string; secret?: string } | undefined;
  /** Called for every request before it is answered; a test can kill the bot here. */
  onRequest: ((method: string, params: Record<string, unknown>) => void | 'drop' | Promise<void | 'drop'>) | undefined;

  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1000;
  private pollCount = 0;
  /** update id → number of the poll that delivered it; handled once a later poll starts (grammY is sequential). */
  private deliveredIn = new Map<number, number>();
  private nextMessageId = 1;
  private readonly pushed = new Map<number, Record<string, unknown>>();
  private faults: Fault[] = [];
  /** Chats that answer every send with this status (403: the user blocked the bot). */
  readonly failingChats = new Map<string, number>();
  private pollWaiters: Waiter[] = [];
  private handledWaiters: { id: number; resolve: () => void }[] = [];
  private readonly maxPollMs: number;

  /** Telegram's limits, when a test asks for them: 429 with retry_after beyond them. */
  readonly limits: PlatformLimits | undefined;

  constructor(opts: { maxPollMs?: number; globalPerSecond?: number } = {}) {
    super();
    this.maxPollMs = opts.maxPollMs ?? 500;
    this.limits = opts.globalPerSecond ? new PlatformLimits(opts.globalPerSecond) : undefined;
  }

  protected wakeAll(): void {
    for (const w of this.pollWaiters.splice(0)) w.resolve();
  }

  /** The next `times` calls of `method` fail with this status and body. */
  fail(method: string, times: number, status: number, body: Record<string, unknown> = {}): void {
    this.faults.push({ method, remaining: times, status, body });
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  messagesTo(chatId: number | string): SentMessage[] {
    return this.messages.filter((m) => m.chat_id === String(chatId));
  }

  lastTo(chatId: number | string): SentMessage {
    const list = this.messagesTo(chatId);
    if (list.length === 0) throw new Error(`no message to chat ${chatId}`);
    return list[list.length - 1]!;
  }

  // ---- what a user does ----

  /** A message from `fromId` (default: the chat itself, i.e. a private chat) in chat `chatId`. */
  text(chatId: number, text: string, fromId = chatId, firstName = 'An'): Promise<number> {
    return this.push({ message: { ...this.messageBase(chatId, fromId, firstName), text } });
  }

  /** A reply (Telegram's "Reply" on a message) in chat `chatId` to the bot's message `messageId`. */
  replyTo(chatId: number, messageId: number, text: string, fromId: number, firstName = 'An'): Promise<number> {
    const replied = this.messages.find((m) => m.message_id === messageId && m.chat_id === String(chatId));
    return this.push({
      message: { ...this.messageBase(chatId, fromId, firstName), text, reply_to_message: { message_id: messageId, date: now(), chat: this.chat(chatId), text: replied?.text ?? '' } },
    });
  }

  contact(chatId: number, phone: string): Promise<number> {
    return this.push({ message: { ...this.messageBase(chatId), contact: { phone_number: phone, first_name: 'An', user_id: chatId } } });
  }

  sticker(chatId: number): Promise<number> {
    return this.push({
      message: { ...this.messageBase(chatId), sticker: { file_id: 'x', file_unique_id: 'x', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } },
    });
  }

  /** Presses the button whose text contains `label` on the newest message to this chat that has it. */
  press(chatId: number, label: string, fromId = chatId, inMessage?: (m: SentMessage) => boolean): Promise<number> {
    for (const m of [...this.messagesTo(chatId)].reverse()) {
      if (inMessage && !inMessage(m)) continue;
      const button = m.reply_markup?.inline_keyboard?.flat().find((b) => b.text.includes(label));
      if (button) return this.pressData(chatId, m.message_id, button.callback_data, fromId);
    }
    throw new Error(`no button "${label}" in chat ${chatId}`);
  }

  pressData(chatId: number, messageId: number, data: string, fromId = chatId): Promise<number> {
    const id = `cb${this.nextUpdateId}`;
    this.callbackQueries.push(id);
    return this.push({
      callback_query: {
        id,
        from: this.user(fromId),
        chat_instance: `ci${chatId}`,
        data,
        message: { message_id: messageId, date: now(), chat: this.chat(chatId), text: 'x' },
      },
    });
  }

  /** Queues (or posts) an update and resolves once the bot has finished handling it. */
  async push(update: Record<string, unknown>, updateId = this.nextUpdateId++): Promise<number> {
    const full = { update_id: updateId, ...update };
    this.pushed.set(updateId, update);
    if (this.webhook) {
      await this.postWebhook(full);
      return updateId;
    }
    this.updates.push(full);
    for (const w of this.pollWaiters.splice(0)) w.resolve();
    await this.handled(updateId);
    return updateId;
  }

  /** Queues an update without waiting for it to be handled (for kill tests). */
  enqueue(update: Record<string, unknown>): number {
    const id = this.nextUpdateId++;
    this.updates.push({ update_id: id, ...update });
    for (const w of this.pollWaiters.splice(0)) w.resolve();
    return id;
  }

  messageBase(chatId: number, fromId = chatId, firstName = 'An') {
    return { message_id: this.nextUpdateId, date: now(), chat: this.chat(chatId), from: this.user(fromId, firstName) };
  }

  /** With long polling, an update is handled once the bot asks for updates again after getting it. */
  handled(updateId: number, timeoutMs = 15_000): Promise<void> {
    if (this.isHandled(updateId)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`update ${updateId} not handled in ${timeoutMs} ms`)), timeoutMs);
      this.handledWaiters.push({ id: updateId, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private isHandled(updateId: number): boolean {
    const poll = this.deliveredIn.get(updateId);
    return poll !== undefined && this.pollCount > poll;
  }

  /** Delivers an update pushed earlier once more, as Telegram does after a bot crash. */
  redeliverPushed(updateId: number): Promise<void> {
    return this.redeliver(updateId, this.pushed.get(updateId)!);
  }

  /** Sends an update again with the same update_id (a duplicate delivery) and waits for it to be handled. */
  async redeliver(updateId: number, update: Record<string, unknown>): Promise<void> {
    this.deliveredIn.delete(updateId);
    this.updates.push({ update_id: updateId, ...update, forced: true });
    for (const w of this.pollWaiters.splice(0)) w.resolve();
    await this.handled(updateId);
  }

  async postWebhook(update: Record<string, unknown>, secret = this.webhook?.secret): Promise<number> {
    const res = await fetch(this.webhook!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    await res.text();
    return res.status;
  }

  private chat(chatId: number) {
    return chatId < 0 ? { id: chatId, type: 'supergroup', title: `Group ${chatId}` } : { id: chatId, type: 'private', first_name: 'An' };
  }

  private user(id: number, firstName = 'An') {
    return { id, is_bot: false, first_name: firstName, language_code: 'vi' };
  }

  // ---- the Bot API side ----

  protected async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    if (!m || m[1] !== BOT_TOKEN) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = m[2]!;
    const params = await readParams(req);
    this.calls.push({ method, at: Date.now(), params });
    // 'drop': the request is never answered nor carried out (the caller died or the network ate it).
    if ((await this.onRequest?.(method, params)) === 'drop') return void res.destroy();
    const chatStatus = this.failingChats.get(String(params.chat_id));
    if ((method === 'sendMessage' || method === 'sendPhoto') && chatStatus) {
      return this.reply(res, chatStatus, { ok: false, error_code: chatStatus, description: 'Forbidden: bot was blocked by the user' });
    }
    const fault = this.faults.find((f) => f.method === method && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      return this.reply(res, fault.status, { ok: false, error_code: fault.status, description: 'injected', ...fault.body });
    }
    if (this.limits && ['sendMessage', 'sendPhoto', 'editMessageText'].includes(method)) {
      const retryAfter = this.limits.take(String(params.chat_id));
      if (retryAfter !== undefined) {
        return this.reply(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
      }
    }
    const result = await this.answer(method, params, res);
    if (result === undefined) return this.reply(res, 400, { ok: false, error_code: 400, description: `fake: unsupported ${method}` });
    this.reply(res, 200, { ok: true, result });
  }

  private async answer(method: string, p: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { id: 123456, is_bot: true, first_name: 'Thu7', username: 'thu7_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'getUpdates':
        return this.getUpdates(p, res);
      case 'sendPhoto':
      case 'sendMessage': {
        const msg: SentMessage = {
          message_id: this.nextMessageId++,
          chat_id: String(p.chat_id),
          text: method === 'sendPhoto' ? `[photo ${String(p.photo)}]` : String(p.text),
          parse_mode: p.parse_mode as string | undefined,
          reply_markup: parseMaybe(p.reply_markup) as SentMessage['reply_markup'],
          edits: 0,
        };
        this.messages.push(msg);
        return { message_id: msg.message_id, date: now(), chat: this.chat(Number(p.chat_id)), text: msg.text };
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const target = this.messages.find((x) => x.message_id === Number(p.message_id) && x.chat_id === String(p.chat_id));
        if (target) {
          if (typeof p.text === 'string') target.text = p.text;
          target.reply_markup = parseMaybe(p.reply_markup) as SentMessage['reply_markup'];
          target.edits++;
        }
        return true;
      }
      case 'answerCallbackQuery':
        this.callbackAnswers.push(String(p.callback_query_id));
        return true;
      case 'setWebhook':
        this.webhook = { url: String(p.url), secret: p.secret_token as string | undefined };
        return true;
      case 'deleteWebhook':
        this.webhook = undefined;
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.updates.length };
      default:
        return undefined;
    }
  }

  private async getUpdates(p: Record<string, unknown>, res: ServerResponse): Promise<unknown[]> {
    const poll = ++this.pollCount;
    const ready = this.handledWaiters.filter((w) => this.isHandled(w.id));
    this.handledWaiters = this.handledWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
    const offset = Number(p.offset ?? 0);
    // Confirmed updates are gone, as on Telegram; unconfirmed ones come again after a crash.
    this.updates = this.updates.filter((u) => (u.update_id as number) >= offset || u.forced === true);
    const pending = () => this.updates.filter((u) => (u.update_id as number) >= offset || u.forced === true);
    if (pending().length === 0) {
      const waitMs = Math.min(Number(p.timeout ?? 0) * 1000, this.maxPollMs);
      await new Promise<void>((resolve) => {
        this.pollWaiters.push({ resolve });
        const timer = setTimeout(resolve, waitMs);
        res.on('close', () => (clearTimeout(timer), resolve()));
      });
    }
    // The bot gave up on this poll (stopping): what it did not receive stays queued.
    if (res.destroyed || res.socket === null) return [];
    const batch = pending().slice(0, Number(p.limit ?? 100));
    for (const u of batch) {
      this.deliveredIn.set(u.update_id as number, poll);
      if (u.forced) this.updates.splice(this.updates.indexOf(u), 1);
    }
    return batch.map(({ forced: _f, ...u }) => u);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function parseMaybe(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://x');
  const query = Object.fromEntries(url.searchParams);
  if (!body) return query;
  if ((req.headers['content-type'] ?? '').includes('application/json')) return { ...query, ...(JSON.parse(body) as Record<string, unknown>) };
  return { ...query, ...Object.fromEntries(new URLSearchParams(body)) };
}
