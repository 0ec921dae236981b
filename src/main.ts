import path from 'node:path';
import { createApp } from './app.js';
import { createTelegramChannel } from './channels/telegram/telegramChannel.js';
import { createZaloChannel } from './channels/zalo/zaloChannel.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { RedisNotInstalledError, startPrivateRedis } from './jobs/redis.js';
import { sendersFor, startJobRuntime } from './jobs/runtime.js';
import { CONSOLE_ADMIN, runConsole as runConsoleChannel } from './channels/console/consoleChannel.js';
import { ConsoleSender } from './channels/console/consoleSender.js';

/**
 * The composition root. With a Telegram token it runs the Telegram bot; without one it runs
 * the local console, so a newcomer can file a request at once. `--console` forces the console;
 * `--worker` runs only the queue workers (more processes for more throughput).
 */
async function main(): Promise<void> {
  await loadDotEnv();
  const config = loadConfig();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => process.stderr.write(`stop failed: ${String(e)}\n`));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    try {
      const redis = await startPrivateRedis(path.join(config.DATA_DIR, 'redis'));
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    } catch (e) {
      if (!(e instanceof RedisNotInstalledError)) throw e;
      // The console still files requests; they wait in the database until a queue runs.
      process.stderr.write(`${e.message}\nRequests are saved but not assigned to teams until Redis runs.\n`);
    }
  }

  const forceConsole = process.argv.includes('--console');
  const workerOnly = process.argv.includes('--worker');
  const consoleMode = !workerOnly && (forceConsole || (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN));
  // Whoever sits at the local console is trusted with the commander's role (/vai chihuy).
  if (consoleMode) config.ADMIN_USER_IDS.push(CONSOLE_ADMIN);

  const app = await createApp(config, undefined, redisUrl);
  stops.push(() => app.close());
  const consoleSender = consoleMode ? new ConsoleSender(process.stdout, app.translator) : undefined;
  const workers = app.jobs ? await startJobRuntime(app, { ...sendersFor(app), ...(consoleSender ? { console: consoleSender } : {}) }) : undefined;
  if (workers) stops.push(() => workers.stop());
  if (workerOnly) return;

  // One process serves every platform that has a token, sharing dialogs, database and queues.
  if (config.ZALO_BOT_TOKEN && !forceConsole) {
    const zalo = createZaloChannel({
      token: config.ZALO_BOT_TOKEN,
      apiRoot: config.ZALO_API_ROOT,
      engine: app.engine,
      translator: app.translator,
      log: app.log,
      onInbound: (key) => app.repos.unreachable.clear(key),
      staff: app.jobs?.staff,
      pace: workers ? (chatId) => workers.pace('zalo', chatId) : undefined,
      webhook: config.ZALO_WEBHOOK_URL ? { url: config.ZALO_WEBHOOK_URL, secret: config.ZALO_WEBHOOK_SECRET!, port: config.ZALO_WEBHOOK_PORT } : undefined,
    });
    stops.push(() => zalo.stop());
    await zalo.start();
  }
  if (config.TELEGRAM_BOT_TOKEN && !forceConsole) {
    const telegram = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      engine: app.engine,
      translator: app.translator,
      log: app.log,
      unitPhone: config.UNIT_PHONE,
      staff: app.jobs?.staff,
      onInbound: (key) => app.repos.unreachable.clear(key),
      pace: workers ? (chatId) => workers.pace('telegram', chatId) : undefined,
      webhook: config.TELEGRAM_WEBHOOK_URL
        ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET!, port: config.PORT }
        : undefined,
    });
    stops.push(() => telegram.stop());
    await telegram.start();
  }
  if (!consoleMode) return;
  app.log.info('no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN: starting the local console chat');
  await runConsoleChannel({
    engine: app.engine,
    translator: app.translator,
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true,
    staff: app.jobs?.staff,
    sender: consoleSender,
  });
  await shutdown(0);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
