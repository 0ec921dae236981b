import { createApp } from './app.js';
import { createTelegramChannel } from './channels/telegram/telegramChannel.js';
import { runConsole } from './channels/console/consoleChannel.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';

/**
 * The composition root. With a Telegram token it runs the Telegram bot; without one it runs
 * the local console, so a newcomer can file a request at once. `--console` forces the console.
 */
async function main(): Promise<void> {
  await loadDotEnv();
  const config = loadConfig();
  const app = await createApp(config);
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => app.log.error({ err: String(e) }, 'stop failed'));
    await app.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const forceConsole = process.argv.includes('--console');
  if (config.TELEGRAM_BOT_TOKEN && !forceConsole) {
    const telegram = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      engine: app.engine,
      translator: app.translator,
      log: app.log,
      unitPhone: config.UNIT_PHONE,
      webhook: config.TELEGRAM_WEBHOOK_URL
        ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET!, port: config.PORT }
        : undefined,
    });
    stops.push(() => telegram.stop());
    await telegram.start();
    return;
  }
  if (!forceConsole) app.log.info('TELEGRAM_BOT_TOKEN is not set: starting the local console chat');
  await runConsole({
    engine: app.engine,
    translator: app.translator,
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true,
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
