/**
 * Two "replicas" (two containers on one database) take the same chats' messages alternately
 * and at once, and we count what it costs to keep each chat's state right: with the state's
 * version alone (compare-and-set, a conflicting message is handled again) and with the Redis
 * per-chat lock in front of it. One JSON line per mode. Usage:
 *   npm run bench:chat-order -- [--chats 50] [--messages 20] [--database-url postgres://…]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DialogEngine } from '../src/conversation/engine.js';
import type { StateStore } from '../src/core/ports.js';
import { newFastFailRedis } from '../src/db/redis.js';
import { RedisChatLock } from '../src/db/redisCoordination.js';
import { loadConfig } from '../src/main/config.js';
import { createContainer } from '../src/main/container.js';
import { startPrivateRedis } from '../src/main/privateRedis.js';

const { values } = parseArgs({
  options: { chats: { type: 'string', default: '50' }, messages: { type: 'string', default: '20' }, 'database-url': { type: 'string' } },
});
const chats = Number(values.chats);
const messages = Number(values.messages);
const dataDir = mkdtempSync(path.join(tmpdir(), 'thu7-order-'));
const redis = await startPrivateRedis(path.join(dataDir, 'redis'), { persist: false });
const config = loadConfig({
  DATA_DIR: dataDir,
  AREAS_FILE: path.resolve(import.meta.dirname, '../data/areas.json'),
  LOG_LEVEL: 'silent',
  CHAT_MESSAGES_PER_MINUTE: '1000000',
  ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
});
const replicas = [await createContainer(config), await createContainer(config)];

let round = 0;
const lockRedis = newFastFailRedis(redis.url, 300);
await lockRedis.ping().catch(() => undefined);
await new Promise((r) => setTimeout(r, 200));
// Each mode twice, alternating, so neither gains from running second (warm caches, JIT).
for (const mode of ['version only', 'redis lock + version', 'version only', 'redis lock + version'] as const) {
  let conflicts = 0;
  let gaveUp = 0;
  round++;
  const engines = replicas.map((app) => {
    // Counts the saves that found the chat changed by the other replica (each one handled again).
    const states: StateStore = Object.assign(Object.create(app.repos.states) as StateStore, {
      save: async (...a: Parameters<StateStore['save']>) => {
        const ok = await app.repos.states.save(...a);
        if (!ok) conflicts++;
        return ok;
      },
    });
    const chatLock = mode === 'version only' ? undefined : new RedisChatLock(lockRedis, 'order', 10_000);
    return new DialogEngine({ services: app.services, states, translator: app.translator, defaultLang: 'vi', chatLock });
  });
  const started = performance.now();
  let lastDelivery = 0;
  await Promise.all(
    Array.from({ length: chats }, async (_, c) => {
      const chatId = `${mode === 'version only' ? 'v' : 'l'}${round}.${c}`;
      const address = { channel: 'console', chatId, kind: 'private' as const };
      // Each message to the other replica than the one before, all of one chat's at once.
      await Promise.all(
        Array.from({ length: messages }, (_, m) =>
          engines[m % 2]!
            .handle({ address, actor: { channel: 'console', userId: chatId }, deliveryId: String(++lastDelivery), text: m === 0 ? '/start' : 'lich' })
            .catch(() => void gaveUp++),
        ),
      );
    }),
  );
  const ms = performance.now() - started;
  const handled = chats * messages;
  let kept = 0;
  for (let c = 0; c < chats; c++) {
    const raw = await replicas[0]!.repos.states.get(`console:${mode === 'version only' ? 'v' : 'l'}${round}.${c}`);
    kept += (JSON.parse(raw!) as { seen: string[] }).seen.length;
  }
  process.stdout.write(`${JSON.stringify({ mode, chats, messages: handled, messages_per_s: Math.round(handled / (ms / 1000)), conflicts, handled_again_pct: Math.round((conflicts / handled) * 1000) / 10, gave_up: gaveUp, seen_kept: kept })}\n`);
}

lockRedis.disconnect();
for (const app of replicas) await app.close();
await redis.stop();
rmSync(dataDir, { recursive: true, force: true });
