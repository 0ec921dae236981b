import type { App } from '../app.js';
import { CONSOLE_ADMIN } from '../channels/console/consoleChannel.js';
import type { ChannelSender } from '../channels/sender.js';
import { TelegramSender } from '../channels/telegram/sender.js';
import { ZaloSender } from '../channels/zalo/zaloChannel.js';
import type { Channel } from '../domain/request.js';
import { type RunningWorkers, startWorkers } from './workers.js';

/** The platform senders the outbound layer uses, from configuration. */
export function sendersFor(app: App): Partial<Record<Channel, ChannelSender>> {
  const c = app.config;
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  if (c.ZALO_BOT_TOKEN) {
    senders.zalo = new ZaloSender(c.ZALO_BOT_TOKEN, c.ZALO_API_ROOT, app.translator, c.ZALO_GLOBAL_PER_SECOND, c.ZALO_CHAT_INTERVAL_MS);
  }
  if (!c.TELEGRAM_BOT_TOKEN) return senders;
  return {
    ...senders,
    telegram: new TelegramSender({
      token: c.TELEGRAM_BOT_TOKEN,
      apiRoot: c.TELEGRAM_API_ROOT,
      translator: app.translator,
      globalPerSecond: c.TELEGRAM_GLOBAL_PER_SECOND,
      privateIntervalMs: c.TELEGRAM_CHAT_INTERVAL_MS,
      groupIntervalMs: 60_000 / c.TELEGRAM_GROUP_PER_MINUTE,
    }),
  };
}

/** Starts this process's workers and the outbox reconciler. */
export async function startJobRuntime(app: App, senders = sendersFor(app)): Promise<RunningWorkers> {
  const jobs = app.jobs;
  if (!jobs) throw new Error('the job runtime needs Redis (createApp with a Redis URL)');
  const c = app.config;
  const workers = await startWorkers({
    redisUrl: jobs.redisUrl,
    queues: jobs.queues,
    clock: app.clock,
    log: app.log,
    assignment: jobs.assignment,
    repos: app.repos,
    areas: app.services.areas,
    senders,
    // Without a Telegram admin chat, the local console's commander sees alerts and questions.
    adminChat: c.ADMIN_CHAT_ID ? { channel: 'telegram', chatId: c.ADMIN_CHAT_ID } : senders.console ? { channel: 'console', chatId: `console:${CONSOLE_ADMIN}` } : undefined,
    unit: { name: app.unitName, phone: c.UNIT_PHONE },
    maxContactAttempts: c.MAX_CONTACT_ATTEMPTS,
    retentionDays: c.RETENTION_DAYS,
    concurrency: { assign: c.ASSIGN_CONCURRENCY, outbound: c.OUTBOUND_CONCURRENCY, broadcast: c.BROADCAST_CONCURRENCY },
    lockMs: c.JOB_LOCK_MS,
    sendDueReminders: () => app.services.sessions.sendDueReminders(),
  });
  jobs.reconciler.start(c.RECONCILE_SECONDS * 1000);
  void jobs.reconciler.runOnce();
  return workers;
}
