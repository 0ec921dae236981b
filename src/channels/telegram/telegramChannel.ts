import { createServer, type Server } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, type Context, webhookCallback } from 'grammy';
import type { DialogEngine } from '../../dialogs/engine.js';
import { StaffDialog } from '../../dialogs/staff.js';
import type { Msg } from '../../domain/message.js';
import type { InboundEvent } from '../../dialogs/types.js';
import type { Translator } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { parseCallbackData, renderTelegram } from './render.js';
import { grammyFetch } from '../http.js';

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  engine: DialogEngine;
  translator: Translator;
  log: Logger;
  /** Shown when something fails, so the person can still reach the unit. */
  unitPhone: string;
  webhook?: { url: string; secret: string; port: number };
  /** Seconds getUpdates waits; short in tests. */
  pollTimeout?: number;
  /** Officers and admins: team groups, registration, card buttons. Absent without Redis. */
  staff?: StaffDialog;
  /** A chat wrote to us: it is reachable again. */
  onInbound?: (chatKey: string) => Promise<void>;
  /** Waits for the send slot shared with the outbound queue (per chat and overall). */
  pace?: (chatId: string) => Promise<void>;
}

export interface TelegramChannel {
  bot: Bot;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Maps Telegram updates to engine events and engine replies back to Telegram messages. */
export function createTelegramChannel(o: TelegramOptions): TelegramChannel {
  const bot = new Bot(o.token, { client: { apiRoot: o.apiRoot, fetch: grammyFetch } });
  // 429 with retry_after and 5xx are retried by the plugin; a message is never dropped for those.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const deliver = async (ctx: Context, event: InboundEvent) => {
    const replies = await o.engine.handle(event);
    for (const reply of replies) {
      for (const m of renderTelegram(reply, o.translator)) {
        await o.pace?.(event.chatId);
        await ctx.api.sendMessage(event.chatId, m.text, { parse_mode: 'HTML', reply_markup: m.reply_markup });
      }
    }
  };

  const base = (ctx: Context) => ({
    channel: 'telegram' as const,
    chatId: String(ctx.chat!.id),
    userId: String(ctx.from!.id),
    deliveryId: String(ctx.update.update_id),
  });

  const say = async (ctx: Context, msgs: Msg[]) => {
    await o.pace?.(String(ctx.chat!.id));
    await ctx.api.sendMessage(ctx.chat!.id, o.translator.renderAll(msgs), { parse_mode: 'HTML' });
  };
  const staffEvent = (ctx: Context, text: string) => ({
    chatId: String(ctx.chat!.id),
    userId: String(ctx.from!.id),
    userName: [ctx.from!.first_name, ctx.from!.last_name].filter(Boolean).join(' '),
    isGroup: ctx.chat!.type !== 'private',
    text,
    messageKey: ctx.msg?.message_id !== undefined ? `${ctx.chat!.id}.${ctx.msg.message_id}` : undefined,
  });

  // Team groups: staff commands and card buttons only; citizens' conversations are private.
  const groups = bot.chatType(['group', 'supergroup']);
  groups.on('callback_query:data', async (ctx) => {
    const id = parseCallbackData(ctx.callbackQuery.data)?.id ?? '';
    const answer = o.staff ? await o.staff.press(String(ctx.chat.id), String(ctx.from.id), id) : { key: 'team:press.stale' };
    await ctx.answerCallbackQuery({ text: o.translator.render(answer) }).catch(() => undefined);
  });
  groups.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const replyTo = ctx.message.reply_to_message?.message_id;
    // In the duty chat, a reply to a forwarded question is the answer to it.
    const reply =
      replyTo !== undefined && o.staff?.isDutyChat(String(ctx.chat.id)) && !text.startsWith('/')
        ? await o.staff.answer(staffEvent(ctx, text), text, replyTo)
        : await o.staff?.command(staffEvent(ctx, text));
    if (reply) await say(ctx, reply);
  });

  const privateChats = bot.chatType('private');
  privateChats.use(async (ctx, next) => {
    await o.onInbound?.(`telegram:${ctx.chat.id}`);
    await next();
  });
  privateChats.on('message:text', async (ctx, next) => {
    if (!o.staff || !StaffDialog.isStaffCommand(ctx.message.text)) return next();
    const reply = await o.staff.command(staffEvent(ctx, ctx.message.text));
    if (reply) await say(ctx, reply);
  });

  privateChats.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery().catch(() => undefined);
    const parsed = parseCallbackData(ctx.callbackQuery.data);
    // Pressed buttons go away so an old prompt cannot be pressed again by mistake.
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
    await deliver(ctx, { ...base(ctx), option: parsed ?? { id: 'invalid', nonce: -1 } });
  });

  privateChats.on('message', async (ctx) => {
    const m = ctx.message;
    const event: InboundEvent = { ...base(ctx) };
    if (m.text !== undefined) event.text = m.text;
    else if (m.photo && m.photo.length > 0) {
      // The largest size; the caption, if any, travels as the text (an admin's announcement).
      event.photo = m.photo[m.photo.length - 1]!.file_id;
      event.text = m.caption ?? '';
    } else if (m.contact) event.contact = { phone: m.contact.phone_number };
    else event.unsupported = true;
    await deliver(ctx, event);
  });

  bot.catch(async (err) => {
    o.log.error({ err: err.error instanceof Error ? err.error.message : String(err.error), update: err.ctx.update.update_id }, 'telegram update failed');
    const chatId = err.ctx.chat?.id;
    if (chatId !== undefined) {
      const text = o.translator.render({ key: 'common:errors.internal', params: { phone: o.unitPhone } });
      await err.ctx.api.sendMessage(chatId, text).catch(() => undefined);
    }
  });

  let server: Server | undefined;
  return {
    bot,
    async start() {
      if (o.webhook) {
        const handle = webhookCallback(bot, 'http', { secretToken: o.webhook.secret, onTimeout: 'return' });
        const path = new URL(o.webhook.url).pathname;
        server = createServer((req, res) => {
          if (req.method === 'POST' && req.url === path) return void handle(req, res);
          res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => server!.listen(o.webhook!.port, resolve));
        await bot.init();
        await bot.api.setWebhook(o.webhook.url, { secret_token: o.webhook.secret, allowed_updates: ['message', 'callback_query'] });
        o.log.info({ url: o.webhook.url }, 'telegram webhook set');
        return;
      }
      await bot.init();
      o.log.info({ bot: bot.botInfo.username }, 'telegram long polling');
      void bot.start({ allowed_updates: ['message', 'callback_query'], timeout: o.pollTimeout ?? 30 }).catch((e: unknown) =>
        o.log.error({ err: String(e) }, 'telegram polling stopped'),
      );
    },
    async stop() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (bot.isRunning()) await bot.stop();
    },
  };
}
