import { Api, GrammyError, HttpError } from 'grammy';
import type { Reply } from '../../dialogs/types.js';
import type { Translator } from '../../i18n.js';
import { grammyFetch } from '../http.js';
import { type ChannelSender, SendFailure } from '../sender.js';
import { renderTelegram } from './render.js';

export interface TelegramSenderOptions {
  token: string;
  apiRoot: string;
  translator: Translator;
  /** Telegram: about 30 messages/s overall, 1/s per private chat, 20/min per group. */
  globalPerSecond?: number;
  privateIntervalMs?: number;
  groupIntervalMs?: number;
}

/** Sends for the outbound queue. No auto-retry here: the queue decides, from the failure kind. */
export class TelegramSender implements ChannelSender {
  readonly channel = 'telegram' as const;
  readonly globalPerSecond: number;
  private readonly api: Api;

  constructor(private readonly o: TelegramSenderOptions) {
    this.api = new Api(o.token, { apiRoot: o.apiRoot, fetch: grammyFetch });
    this.globalPerSecond = o.globalPerSecond ?? 30;
  }

  chatIntervalMs(chatId: string): number {
    // Group and supergroup ids are negative.
    return chatId.startsWith('-') ? (this.o.groupIntervalMs ?? 3000) : (this.o.privateIntervalMs ?? 1000);
  }

  async send(chatId: string, reply: Reply): Promise<number | undefined> {
    let last: number | undefined;
    if (reply.photo) last = (await this.call(() => this.api.sendPhoto(chatId, reply.photo!))).message_id;
    for (const m of renderTelegram(reply, this.o.translator)) {
      const sent = await this.call(() => this.api.sendMessage(chatId, m.text, { parse_mode: 'HTML', reply_markup: m.reply_markup }));
      last = sent.message_id;
    }
    return last;
  }

  async edit(chatId: string, messageId: number, reply: Reply): Promise<void> {
    const [m] = renderTelegram(reply, this.o.translator);
    const markup = m?.reply_markup && 'inline_keyboard' in m.reply_markup ? m.reply_markup : { inline_keyboard: [] };
    await this.call(() => this.api.editMessageText(chatId, messageId, m?.text ?? '', { parse_mode: 'HTML', reply_markup: markup }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classify(e);
    }
  }
}

export function classify(e: unknown): SendFailure {
  if (e instanceof GrammyError) {
    if (e.error_code === 429) return new SendFailure('rate_limited', e.description, (e.parameters.retry_after ?? 1) * 1000);
    if (e.error_code === 403) return new SendFailure('blocked', e.description);
    if (e.error_code === 400 && /message is not modified/i.test(e.description)) return new SendFailure('not_modified', e.description);
    if (e.error_code >= 500) return new SendFailure('transient', e.description);
    return new SendFailure('permanent', `${e.error_code} ${e.description}`);
  }
  if (e instanceof HttpError) return new SendFailure('transient', e.message);
  return new SendFailure('transient', e instanceof Error ? e.message : String(e));
}
