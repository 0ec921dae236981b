import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Address } from '../../domain/address.js';
import type { Reply } from '../../domain/reply.js';
import type { Lang, Translator } from '../../i18n.js';
import type { Logger } from '../../log.js';
import type { ChannelAdapter, ChannelHost } from '../adapter.js';
import { grammyFetch } from '../http.js';
import type { PollLease } from '../pollLease.js';
import { renderTelegram, TELEGRAM_TEXT_MAX, type TelegramMessage } from './render.js';
import { classify, isUpdate, toEvent } from './updates.js';

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  translator: Translator;
  log: Logger;
  /** Webhook mode (production): the public URL and the secret Telegram sends back. */
  webhook?: { url: string; secret: string };
  /** Seconds getUpdates waits; short in tests. */
  pollTimeout?: number;
  /** Polling: held by one process per token; without it this process always polls. */
  lease?: PollLease;
  /** Telegram: about 30 messages/s overall, 1/s per private chat, 20/min per group. */
  globalPerSecond: number;
  privateIntervalMs: number;
  groupIntervalMs: number;
}

const ALLOWED = ['message', 'callback_query'] as const;
type GrammySignal = Parameters<Api['getUpdates']>[1];

/**
 * Telegram through grammY's typed Bot API client. Updates come by long polling (our own loop,
 * so a stop is immediate and never retries) or by a webhook route on the one HTTP server.
 * Nothing here retries a send: delivery does, for every channel the same way.
 */
export function telegramAdapter(o: TelegramOptions): ChannelAdapter<TelegramMessage> {
  const api = new Api(o.token, { apiRoot: o.apiRoot, fetch: grammyFetch });
  const abort = new AbortController();
  // grammY types its signal parameter with a polyfill's AbortSignal; Node's is the same thing.
  const signal = abort.signal as unknown as GrammySignal;
  let polling: Promise<void> | undefined;
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw classify(e);
    }
  };

  const handle = async (host: ChannelHost, u: Update): Promise<void> => {
    const event = toEvent(u);
    if (!event) return;
    const cq = u.callback_query;
    if (cq && event.address.kind === 'private') {
      // Pressed buttons go away so an old prompt cannot be pressed again by mistake.
      await api.answerCallbackQuery(cq.id).catch(() => undefined);
      if (cq.message) await api.editMessageReplyMarkup(event.address.chatId, cq.message.message_id, { reply_markup: undefined }).catch(() => undefined);
    }
    const { toast } = await host.inbound(event);
    if (cq && event.address.kind === 'group') {
      await api.answerCallbackQuery(cq.id, toast ? { text: host.text(toast) } : {}).catch(() => undefined);
    }
  };

  const poll = async (host: ChannelHost) => {
    let offset = 0;
    let backoff = 1000;
    while (!abort.signal.aborted) {
      // A standby waits here until the poller dies; it then starts at offset 0, so whatever the
      // dead one received but never confirmed comes again (and is handled once: "seen").
      await o.lease?.until(abort.signal);
      if (abort.signal.aborted) return;
      let updates: Update[];
      try {
        updates = await api.getUpdates({ offset, timeout: o.pollTimeout ?? 30, allowed_updates: [...ALLOWED] }, signal);
        backoff = 1000;
      } catch (e) {
        if (abort.signal.aborted) return;
        const f = classify(e);
        const wait = f.kind === 'rate_limited' ? f.retryAfterMs : backoff;
        backoff = Math.min(backoff * 2, 30_000);
        o.log.warn({ err: f.message, waitMs: wait }, 'telegram getUpdates failed; backing off');
        await sleep(wait, undefined, { signal: abort.signal }).catch(() => undefined);
        continue;
      }
      // One at a time, in order: two messages of one chat are answered in the order they came.
      for (const u of updates) {
        offset = u.update_id + 1;
        await handle(host, u);
      }
    }
  };

  return {
    id: 'telegram',
    caps: { buttons: 100, edit: true, groups: true, contact: true, maxText: TELEGRAM_TEXT_MAX, format: 'html' },
    limits: { globalPerSecond: o.globalPerSecond, intervalMs: (kind) => (kind === 'group' ? o.groupIntervalMs : o.privateIntervalMs) },
    // Group and supergroup ids are negative.
    kindOf: (chatId) => (chatId.startsWith('-') ? 'group' : 'private'),
    render: (reply: Reply, lang?: Lang) => renderTelegram(reply, o.translator, lang),
    async send(to: Address, m: TelegramMessage) {
      const sent = m.photo
        ? await call(() => api.sendPhoto(to.chatId, m.photo!))
        : await call(() => api.sendMessage(to.chatId, m.text, { parse_mode: 'HTML', reply_markup: m.reply_markup }));
      return String(sent.message_id);
    },
    async edit(to: Address, messageId: string, m: TelegramMessage) {
      const markup = m.reply_markup && 'inline_keyboard' in m.reply_markup ? m.reply_markup : { inline_keyboard: [] };
      await call(() => api.editMessageText(to.chatId, Number(messageId), m.text, { parse_mode: 'HTML', reply_markup: markup }));
    },
    async start(host) {
      if (o.webhook) {
        const secret = Buffer.from(o.webhook.secret);
        host.route({
          path: new URL(o.webhook.url).pathname,
          async handle(req) {
            const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
            if (given.length !== secret.length || !timingSafeEqual(given, secret)) return { status: 401 };
            let body: unknown;
            try {
              body = JSON.parse(req.rawBody.toString('utf8'));
            } catch {
              body = undefined;
            }
            // Not an update: acknowledged, so Telegram does not send the same thing forever.
            if (!isUpdate(body)) {
              o.log.warn('telegram webhook: not an update, dropped');
              return { status: 200 };
            }
            await handle(host, body);
            return { status: 200 };
          },
        });
        await setWebhookUntilDone(api, o, abort.signal);
        return;
      }
      // Polling and a webhook cannot be used together.
      await api.deleteWebhook({}, signal).catch(() => undefined);
      o.log.info('telegram long polling');
      polling = poll(host);
    },
    async stop() {
      abort.abort();
      await polling;
      await o.lease?.stop();
    },
  };
}

/** Registers the webhook; while the API cannot be reached, tries again in the background. */
async function setWebhookUntilDone(api: Api, o: TelegramOptions, signal: AbortSignal): Promise<void> {
  const set = () => api.setWebhook(o.webhook!.url, { secret_token: o.webhook!.secret, allowed_updates: [...ALLOWED] }, signal as unknown as GrammySignal);
  try {
    await set();
    o.log.info({ url: o.webhook!.url }, 'telegram webhook set');
  } catch (e) {
    o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'telegram setWebhook failed; retrying in the background');
    void (async () => {
      for (let wait = 2000; !signal.aborted; wait = Math.min(wait * 2, 60_000)) {
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        if (await set().then(() => true, () => false)) return o.log.info('telegram webhook set');
      }
    })();
  }
}
