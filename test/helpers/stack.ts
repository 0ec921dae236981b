import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { TelegramChannel } from '../../src/channels/telegram/telegramChannel.js';
import { loadConfig } from '../../src/config.js';
import type { CitizenRequest, Condition, RequestFields } from '../../src/domain/request.js';
import type { RunningWorkers } from '../../src/jobs/workers.js';
import { startJobRuntime } from '../../src/jobs/runtime.js';
import { testEnv, TestClock } from './app.js';
import { tempDir } from './db.js';
import { BOT_TOKEN, type FakeTelegram } from './fakeTelegram.js';
import { startTelegram } from './telegram.js';
import { createZaloChannel, type ZaloChannel } from '../../src/channels/zalo/zaloChannel.js';
import { type FakeZalo, ZALO_TOKEN } from './fakeZalo.js';

export const ADMIN_USER = 777;
export const ADMIN_CHAT = -900;

export interface Stack {
  app: App;
  env: Record<string, string>;
  telegram: TelegramChannel;
  workers?: RunningWorkers;
  clock: TestClock;
  stop(): Promise<void>;
}

export interface TeamSpec {
  id: string;
  name: string;
  communes: string[];
  capabilities: string[];
  capacityPerDay: number;
}

export function teamsFile(teams: TeamSpec[]): string {
  const file = path.join(tempDir(), 'teams.json');
  writeFileSync(file, JSON.stringify({ teams }));
  return file;
}

/** The whole bot against the fake Bot API and the test run's real Redis, with a key prefix of its own. */
export async function startStack(
  fake: FakeTelegram,
  over: Record<string, string> = {},
  opts: { workers?: boolean; realTime?: boolean } = {},
): Promise<Stack> {
  const env = testEnv({
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.apiRoot,
    QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`,
    ADMIN_CHAT_ID: String(ADMIN_CHAT),
    ADMIN_USER_IDS: String(ADMIN_USER),
    TELEGRAM_GROUP_PER_MINUTE: '6000',
    TELEGRAM_CHAT_INTERVAL_MS: '0',
    TELEGRAM_GLOBAL_PER_SECOND: '1000',
    RECONCILE_SECONDS: '0.5',
    ...over,
  });
  // With other processes on the same data, everyone must agree on the time.
  const clock = opts.realTime ? new TestClock(Date.now(), true) : new TestClock();
  const redisUrl = over.REDIS_URL ?? inject('redisUrl');
  const app = await createApp(loadConfig(env), clock, redisUrl);
  const workers = opts.workers === false ? undefined : await startJobRuntime(app);
  const telegram = await startTelegram(app, fake, undefined, workers);
  return {
    app,
    env,
    telegram,
    workers,
    clock,
    async stop() {
      await telegram.stop();
      await workers?.stop();
      await app.jobs?.queues.assign.obliterate({ force: true }).catch(() => undefined);
      await app.close();
    },
  };
}

/** Links a team's group and registers one officer, the way it is done in chat. */
export async function linkTeam(fake: FakeTelegram, teamId: string, groupId: number, officerId: number, officerName: string): Promise<void> {
  const codeFrom = () => /<b>([A-Z0-9]{6})<\/b>/.exec(fake.lastTo(ADMIN_USER).text)?.[1];
  await fake.text(ADMIN_USER, `/malienket ${teamId}`);
  const groupCode = codeFrom();
  if (!groupCode) throw new Error(`no code: ${fake.lastTo(ADMIN_USER).text}`);
  await fake.text(groupId, `/lienket ${groupCode}`, officerId, officerName);
  await fake.text(ADMIN_USER, `/moicanbo ${teamId}`);
  await fake.text(officerId, `/dangky ${codeFrom()}`, officerId, officerName);
}

let phoneSeq = 0;

/** Files a request through the real intake service (as the dialog's confirm step does). */
export async function fileRequest(app: App, over: Partial<RequestFields> & { chatId?: number } = {}): Promise<CitizenRequest> {
  const chatId = String(over.chatId ?? 6000 + ++phoneSeq);
  const fields: RequestFields = {
    type: 'home',
    filedFor: 'other',
    consentAt: app.clock.now(),
    personName: 'Nguyễn Thị Lành',
    birthYear: 1936,
    condition: 'bedridden' as Condition,
    communeId: 'tan-hoa',
    address: 'Số 4, Ấp Hòa Bình',
    phone: `09${String(10_000_000 + phoneSeq).slice(-8)}`,
    services: ['cccd_new'],
    preferredDate: '2026-11-28',
    ...over,
  };
  return app.services.intake.submit(randomUUID(), fields, { channel: 'telegram', userId: chatId }, chatId);
}

export async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`condition not met in ${ms} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await fn();
  }
  return last;
}

/** The Zalo channel of a running stack, polling the fake Zalo server; officers' commands on. */
export async function startStackZalo(stack: Stack, zalo: FakeZalo): Promise<ZaloChannel> {
  const channel = createZaloChannel({
    token: ZALO_TOKEN,
    apiRoot: zalo.apiRoot,
    engine: stack.app.engine,
    translator: stack.app.translator,
    log: stack.app.log,
    pollTimeoutSeconds: 1,
    staff: stack.app.jobs!.staff,
  });
  await channel.start();
  return channel;
}

/** Settings that point a stack at the fake Zalo server, without per-chat pacing. */
export function zaloEnv(zalo: FakeZalo): Record<string, string> {
  return { ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: zalo.apiRoot, ZALO_CHAT_INTERVAL_MS: '0' };
}
