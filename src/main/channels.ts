import type { Writable } from 'node:stream';
import type { Config } from './config.js';
import type { Translator } from '../i18n.js';
import type { Logger } from '../log.js';
import type { ChannelAdapter } from '../channels/adapter.js';
import { consoleAdapter } from '../channels/console/adapter.js';
import { telegramAdapter } from '../channels/telegram/adapter.js';
import { zaloBotAdapter } from '../channels/zalo-bot/adapter.js';

export interface ChannelDeps {
  config: Config;
  translator: Translator;
  log: Logger;
  /** Where the console prints (stdout in a terminal, a buffer in tests). */
  consoleOutput?: Writable;
  /** This process talks to people in a terminal (the console runs). */
  consoleMode: boolean;
}

/** One entry per channel: when it runs, and how it is built. Adding a channel is one entry. */
export interface ChannelEntry {
  id: string;
  enabled(d: ChannelDeps): boolean;
  create(d: ChannelDeps): ChannelAdapter;
}

export const CHANNELS: ChannelEntry[] = [
  {
    id: 'telegram',
    enabled: ({ config }) => config.TELEGRAM_BOT_TOKEN !== undefined,
    create: ({ config: c, translator, log }) =>
      telegramAdapter({
        token: c.TELEGRAM_BOT_TOKEN!,
        apiRoot: c.TELEGRAM_API_ROOT,
        translator,
        log,
        webhook: c.TELEGRAM_WEBHOOK_URL ? { url: c.TELEGRAM_WEBHOOK_URL, secret: c.TELEGRAM_WEBHOOK_SECRET! } : undefined,
        pollTimeout: c.TELEGRAM_POLL_SECONDS,
        globalPerSecond: c.TELEGRAM_GLOBAL_PER_SECOND,
        privateIntervalMs: c.TELEGRAM_CHAT_INTERVAL_MS,
        groupIntervalMs: 60_000 / c.TELEGRAM_GROUP_PER_MINUTE,
      }),
  },
  {
    id: 'zalo',
    enabled: ({ config }) => config.ZALO_BOT_TOKEN !== undefined,
    create: ({ config: c, translator, log }) =>
      zaloBotAdapter({
        token: c.ZALO_BOT_TOKEN!,
        apiRoot: c.ZALO_API_ROOT,
        translator,
        log,
        webhook: c.ZALO_WEBHOOK_URL ? { url: c.ZALO_WEBHOOK_URL, secret: c.ZALO_WEBHOOK_SECRET! } : undefined,
        pollTimeoutSeconds: c.ZALO_POLL_SECONDS,
        globalPerSecond: c.ZALO_GLOBAL_PER_SECOND,
        chatIntervalMs: c.ZALO_CHAT_INTERVAL_MS,
      }),
  },
  {
    id: 'console',
    enabled: ({ consoleMode }) => consoleMode,
    create: ({ consoleOutput, translator }) => consoleAdapter(consoleOutput ?? process.stdout, translator),
  },
];
