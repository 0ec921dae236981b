import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsoleAdapter } from '../channels/console/adapter.js';
import { runRepl } from '../channels/console/repl.js';
import { msg } from '../domain/message.js';
import { HttpServer } from '../http/server.js';
import { createLogger, logError } from '../log.js';
import { type Container, createContainer, type RunningWorkers } from './container.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { type PrivateRedis, RedisNotInstalledError, startPrivateRedis } from './privateRedis.js';

/**
 * The entry point. With a platform token it runs the bot (webhooks or polling) and the queue
 * workers; without one the local console, so a newcomer can file a request at once.
 * `--console` forces the console; `--worker` runs only the queue workers (more processes for
 * more throughput). Every mode serves /healthz, /readyz and /metrics on PORT; the bot and the
 * console also serve the web console there.
 */
async function main(): Promise<void> {
  await loadDotEnv();
  const config = loadConfig();
  const early = createLogger(config.LOG_LEVEL);
  // A promise nobody awaited must not end the process (and its error is logged masked).
  process.on('unhandledRejection', (e) => logError(early, e, 'unhandled rejection'));

  const workerOnly = process.argv.includes('--worker');
  const consoleMode = !workerOnly && (process.argv.includes('--console') || (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN));

  let privateRedis: PrivateRedis | undefined;
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    try {
      privateRedis = await startPrivateRedis(path.join(config.DATA_DIR, 'redis'));
      redisUrl = privateRedis.url;
    } catch (e) {
      if (!(e instanceof RedisNotInstalledError)) throw e;
      // The console still files requests; they wait in the database until a queue runs.
      process.stderr.write(`${e.message}\nRequests are saved but not assigned to teams until Redis runs.\n`);
    }
  }

  const app = await createContainer(config, { redisUrl, consoleMode });
  const server = new HttpServer({ port: config.PORT, host: config.HTTP_HOST, log: app.log, metrics: app.metrics, readiness: () => app.readiness() });
  if (!workerOnly) {
    app.mountConsole(server);
    await app.startChannels(server);
  }
  await server.listen();
  app.listening(server);
  const workers = app.jobs.connected ? await app.startWorkers() : undefined;
  app.log.info({ port: server.port, mode: workerOnly ? 'worker' : consoleMode ? 'console' : 'bot', channels: [...app.adapters.keys()] }, 'started');

  const stop = stopper({ app, server, workers, privateRedis, graceMs: config.SHUTDOWN_GRACE_MS });
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  if (!consoleMode) return;
  // The web console runs beside the chat: its first login link, for whoever sits here.
  process.stdout.write(`${app.translator.render(msg('common:console.web_console', { url: await app.localLoginLink() }))}\n`);
  const terminal = app.adapters.get('console') as ConsoleAdapter;
  await runRepl({
    host: app.host(server),
    translator: app.translator,
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true,
    optionAt: (chat, n) => terminal.optionAt(chat, n),
  });
  await stop();
}

/**
 * A bounded stop: readiness off and webhooks refused at once (a load balancer drains the
 * replica), polling stopped, in-flight updates and jobs given the grace period, then workers
 * (an unfinished job goes back to its queue), Redis, the database and the private redis-server
 * closed. A second signal exits at once. Nothing here retries.
 */
function stopper(o: { app: Container; server: HttpServer; workers: RunningWorkers | undefined; privateRedis: PrivateRedis | undefined; graceMs: number }) {
  let stopping = false;
  return async () => {
    if (stopping) {
      process.stderr.write('second signal: exiting now\n');
      process.exit(1);
    }
    stopping = true;
    const deadline = Date.now() + o.graceMs;
    const left = () => Math.max(0, deadline - Date.now());
    // Whatever happens below, the process is gone shortly after the grace period.
    setTimeout(() => process.exit(0), o.graceMs + 2000).unref();
    o.server.drain();
    await o.app.stopChannels();
    await o.app.settled(left());
    if (o.workers) {
      const closed = await Promise.race([o.workers.stop().then(() => true), sleep(left()).then(() => false)]);
      // Jobs still running past the grace period are not finished here: their claim lapses and
      // another worker takes them from the queue (never lost; an assignment is idempotent).
      if (!closed) await Promise.all(o.workers.workers.map((w) => w.close(true).catch(() => undefined)));
    }
    await o.server.close().catch(() => undefined);
    await o.app.close().catch(() => undefined);
    await o.privateRedis?.stop().catch(() => undefined);
    process.exit(0);
  };
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
