import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CitizenRequest, Condition, RequestFields } from '../../src/domain/request.js';
import type { RunningWorkers } from '../../src/main/container.js';
import { type TestApp, testApp, TestClock } from './app.js';
import { type Dialect, freshDatabaseUrl, tempDir } from './db.js';
import { BOT_TOKEN, type FakeTelegram } from './fakeTelegram.js';
import { type FakeZalo, ZALO_TOKEN } from './fakeZalo.js';

export const ADMIN_USER = 777;
export const ADMIN_CHAT = -900;

export interface Stack {
  app: TestApp;
  env: Record<string, string>;
  workers?: RunningWorkers;
  clock: TestClock;
  stop(): Promise<void>;
}

let dialect: Dialect = 'sqlite';

/** The database the next stacks of this file run on (each gets a fresh one). */
export function onDialect(d: Dialect): void {
  dialect = d;
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

/**
 * The whole bot against the fake Bot API (and the fake Zalo, with zaloEnv) and the test run's
 * real Redis with a key prefix of its own: the channels as main starts them, the workers, the
 * reconciler; with `http`, the one HTTP server (webhooks).
 */
export async function startStack(
  fake: FakeTelegram,
  over: Record<string, string> = {},
  opts: { workers?: boolean; realTime?: boolean; http?: boolean } = {},
): Promise<Stack> {
  const settings = {
    ...(dialect === 'postgres' && !over.DATABASE_URL ? { DATABASE_URL: await freshDatabaseUrl('postgres') } : {}),
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_POLL_SECONDS: '1',
    ZALO_POLL_SECONDS: '1',
    QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`,
    ADMIN_CHAT_ID: String(ADMIN_CHAT),
    ADMIN_USER_IDS: `${ADMIN_USER},memory:admin`,
    TELEGRAM_GROUP_PER_MINUTE: '6000',
    TELEGRAM_CHAT_INTERVAL_MS: '0',
    TELEGRAM_GLOBAL_PER_SECOND: '1000',
    RECONCILE_SECONDS: '0.5',
    ...over,
  };
  // With other processes on the same data, everyone must agree on the time.
  const clock = opts.realTime ? new TestClock(Date.now(), true) : new TestClock();
  const app = await testApp(settings, clock, { redis: true, http: opts.http });
  const workers = opts.workers === false ? undefined : await app.startWorkers();
  return {
    app,
    env: app.env,
    workers,
    clock,
    async stop() {
      await app.stopChannels();
      await workers?.stop();
      await app.jobs.queue('assign').obliterate({ force: true }).catch(() => undefined);
      await app.shutdown();
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

/** Files a request through the real request service (as the dialog's confirm step does). */
export async function fileRequest(app: TestApp, over: Partial<RequestFields> & { chatId?: number | string; channel?: string; waitlisted?: boolean } = {}): Promise<CitizenRequest> {
  const { chatId: chat, channel = 'telegram', waitlisted, ...fieldsOver } = over;
  const chatId = String(chat ?? 6000 + ++phoneSeq);
  const fields: RequestFields = {
    type: 'home',
    filedFor: 'other',
    consentAt: app.clock.now(),
    personName: 'Nguyễn Thị Lành',
    birthYear: 1936,
    condition: 'bedridden' as Condition,
    communeId: 'tan-hoa',
    address: 'Số 4, Ấp Hòa Bình',
    phone: `09${String(10_000_000 + ++phoneSeq).slice(-8)}`,
    services: ['cccd_new'],
    preferredDate: '2026-11-28',
    ...fieldsOver,
  };
  return app.services.requests.submit(randomUUID(), fields, { channel, userId: chatId }, { channel, chatId, kind: 'private' }, { waitlisted });
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

/** Settings that point a stack at the fake Zalo server, without per-chat pacing. */
export function zaloEnv(zalo: FakeZalo): Record<string, string> {
  return { ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: zalo.apiRoot, ZALO_CHAT_INTERVAL_MS: '0' };
}

/**
 * Waits until the bot has nothing left to send: no job waiting, running or delayed in the
 * assignment, outbound and announcement queues, and nothing kept in the outbox, three checks in
 * a row. What a test says was NOT sent is checked after this, never after a bare sleep.
 */
export async function drained(app: TestApp, ms = 30_000): Promise<void> {
  let calm = 0;
  await eventually(
    async () => {
      const counts = await Promise.all(['assign', 'outbound', 'broadcast'].map((q) => app.jobs.queue(q as 'assign').getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
      const busy = counts.some((c) => Object.values(c).some((n) => n > 0)) || (await app.repos.outbox.oldest(1)).length > 0;
      calm = busy ? 0 : calm + 1;
      return calm;
    },
    (c) => c >= 3,
    ms,
  );
}
