import type { App } from '../../src/app.js';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/telegramChannel.js';
import type { RunningWorkers } from '../../src/jobs/workers.js';
import { BOT_TOKEN, type FakeTelegram } from './fakeTelegram.js';

/** The real grammY channel of the app, pointed at the fake Bot API. */
export async function startTelegram(
  app: App,
  fake: FakeTelegram,
  webhook?: { url: string; secret: string; port: number },
  workers?: RunningWorkers,
): Promise<TelegramChannel> {
  // With a queue, the officers' side and reachability tracking too, as main wires them.
  const channel = createTelegramChannel({
    token: BOT_TOKEN,
    apiRoot: fake.apiRoot,
    engine: app.engine,
    translator: app.translator,
    log: app.log,
    unitPhone: app.config.UNIT_PHONE,
    pollTimeout: 1,
    webhook,
    staff: app.jobs?.staff,
    onInbound: app.jobs ? (key) => app.repos.unreachable.clear(key) : undefined,
    pace: workers ? (chatId) => workers.pace('telegram', chatId) : undefined,
  });
  await channel.start();
  return channel;
}
