import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Config } from './config.js';
import type { Translator } from '../i18n.js';
import type { Logger } from '../log.js';
import type { ChannelAdapter } from '../channels/adapter.js';
import type { PollLease } from '../channels/pollLease.js';
import { consoleAdapter } from '../channels/console/adapter.js';
import { telegramAdapter } from '../channels/telegram/adapter.js';
import { zaloBotAdapter } from '../channels/zalo-bot/adapter.js';
import { createZaloOa, type OaPlatform } from './zaloOa.js';

export interface ChannelDeps {
  config: Config;
  translator: Translator;
  log: Logger;
  /** Where the console prints (stdout in a terminal, a buffer in tests). */
  consoleOutput?: Writable;
  /** This process talks to people in a terminal (the console runs). */
  consoleMode: boolean;
  /** The stores, Redis and duty chat, for a channel that keeps state of its own (the OA's tokens). */
  platform?: OaPlatform;
  /** The lease a poller holds (one process per bot token polls); none without Redis. */
  pollLease?: (name: string) => PollLease | undefined;
}

/** A poller's lease, named by the token's hash (the token itself is not written to Redis); none for a webhook. */
function leaseFor(d: ChannelDeps, channel: string, token: string, webhook: string | undefined): PollLease | undefined {
  if (webhook) return undefined;
  return d.pollLease?.(`${channel}:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`);
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
    create: (d) => {
      const { config: c, translator, log } = d;
      return telegramAdapter({
        token: c.TELEGRAM_BOT_TOKEN!,
        apiRoot: c.TELEGRAM_API_ROOT,
        translator,
        log,
        webhook: c.TELEGRAM_WEBHOOK_URL ? { url: c.TELEGRAM_WEBHOOK_URL, secret: c.TELEGRAM_WEBHOOK_SECRET! } : undefined,
        pollTimeout: c.TELEGRAM_POLL_SECONDS,
        lease: leaseFor(d, 'telegram', c.TELEGRAM_BOT_TOKEN!, c.TELEGRAM_WEBHOOK_URL),
        globalPerSecond: c.TELEGRAM_GLOBAL_PER_SECOND,
        privateIntervalMs: c.TELEGRAM_CHAT_INTERVAL_MS,
        groupIntervalMs: 60_000 / c.TELEGRAM_GROUP_PER_MINUTE,
      });
    },
  },
  {
    id: 'zalo',
    enabled: ({ config }) => config.ZALO_BOT_TOKEN !== undefined,
    create: (d) => {
      const { config: c, translator, log } = d;
      return zaloBotAdapter({
        token: c.ZALO_BOT_TOKEN!,
        apiRoot: c.ZALO_API_ROOT,
        translator,
        log,
        webhook: c.ZALO_WEBHOOK_URL ? { url: c.ZALO_WEBHOOK_URL, secret: c.ZALO_WEBHOOK_SECRET! } : undefined,
        pollTimeoutSeconds: c.ZALO_POLL_SECONDS,
        lease: leaseFor(d, 'zalo', c.ZALO_BOT_TOKEN!, c.ZALO_WEBHOOK_URL),
        globalPerSecond: c.ZALO_GLOBAL_PER_SECOND,
        chatIntervalMs: c.ZALO_CHAT_INTERVAL_MS,
      });
    },
  },
  {
    id: 'zalo_oa',
    enabled: ({ config }) => config.ZALO_OA_APP_ID !== undefined,
    create: (d) => {
      if (!d.platform) throw new Error('the Zalo OA channel needs the database (ChannelDeps.platform)');
      return createZaloOa(d, d.platform);
    },
  },
  {
    id: 'console',
    enabled: ({ consoleMode }) => consoleMode,
    create: ({ consoleOutput, translator }) => consoleAdapter(consoleOutput ?? process.stdout, translator),
  },
];
