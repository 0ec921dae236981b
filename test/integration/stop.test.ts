/** SIGTERM ends the bot within seconds, losing nothing: real processes, real signals. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { BOT_TOKEN, FakeTelegram } from '../helpers/fakeTelegram.js';
import { exited, freePort, killAll, spawnWorker } from '../helpers/processes.js';
import { eventually, fileRequest, linkTeam, type Stack, startStack, teamsFile } from '../helpers/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
let fake: FakeTelegram | undefined;
let stack: Stack | undefined;

afterEach(async () => {
  await killAll(children);
  await stack?.stop();
  await fake?.stop();
  stack = undefined;
  fake = undefined;
});

function bot(env: Record<string, string>, args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/index.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function healthy(port: number): Promise<void> {
  await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), (s) => s === 200, 30_000);
}

/** Resolves with the exit code and how long the exit took after `at`. */
async function exitOf(child: ChildProcess, at: number): Promise<{ code: number | null; ms: number }> {
  const code = await exited(child, 30_000);
  return { code, ms: Date.now() - at };
}

describe('a bounded stop', { timeout: 90_000 }, () => {
  it('polling with the platform API gone: SIGTERM exits within 10 s with code 0, and the private redis-server is stopped too', async () => {
    fake = new FakeTelegram();
    await fake.start();
    const port = await freePort();
    // No REDIS_URL: the bot runs a private redis-server of its own, which must go with it.
    const env = testEnv({ PORT: String(port), TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_POLL_SECONDS: '1', ADMIN_CHAT_ID: '-900' });
    const child = bot(env);
    await healthy(port);
    await fake.text(4001, '/start');
    expect(fake.lastTo(4001).text).toContain('Cần giúp việc gì');
    const owner = JSON.parse(readFileSync(path.join(env.DATA_DIR!, 'redis', 'owner.json'), 'utf8')) as { pid: number };
    expect(alive(owner.pid)).toBe(true);
    // The network goes away, as in an outage: the bot keeps retrying its polls.
    await fake.stop();
    fake = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    const at = Date.now();
    child.kill('SIGTERM');
    const { code, ms } = await exitOf(child, at);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    await eventually(() => alive(owner.pid), (a) => !a, 5000);
  });

  it('a webhook call in flight is answered; the next one, and /readyz, get 503 while the stop drains', async () => {
    fake = new FakeTelegram();
    await fake.start();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/tg`;
    const env = testEnv({
      PORT: String(port),
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_URL: url,
      TELEGRAM_WEBHOOK_SECRET: 'stop-test-secret',
      ADMIN_CHAT_ID: '-900',
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: `s${randomUUID().slice(0, 8)}`,
    });
    const child = bot(env);
    await healthy(port);
    await eventually(() => fake!.webhook?.url, (u) => u === url);
    // The answer to the first call is slow to reach Telegram.
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    fake.onRequest = async (method, params) => {
      if (method === 'sendMessage' && String(params.chat_id) === '4002') await slow;
    };
    const post = (chat: number) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'stop-test-secret' },
        body: JSON.stringify({ update_id: chat, message: { ...fake!.messageBase(chat), text: '/start' } }),
      }).then((r) => r.status);
    const inFlight = post(4002);
    await eventually(() => fake!.callsOf('sendMessage').some((c) => String(c.params.chat_id) === '4002'), (x) => x);
    const at = Date.now();
    child.kill('SIGTERM');
    await eventually(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (s) => s === 503);
    expect(await post(4003)).toBe(503);
    release();
    expect(await inFlight).toBe(200);
    expect(fake.lastTo(4002).text).toContain('Cần giúp việc gì');
    expect(fake.messagesTo(4003)).toEqual([]);
    const { code, ms } = await exitOf(child, at);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  });

  it('a second SIGTERM exits at once', async () => {
    fake = new FakeTelegram();
    await fake.start();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/tg`;
    const env = testEnv({
      PORT: String(port),
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_URL: url,
      TELEGRAM_WEBHOOK_SECRET: 'stop-test-secret',
      ADMIN_CHAT_ID: '-900',
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: `s${randomUUID().slice(0, 8)}`,
    });
    const child = bot(env);
    await healthy(port);
    await eventually(() => fake!.webhook?.url, (u) => u === url);
    // An answer that never reaches Telegram keeps the first stop waiting out its grace period.
    fake.onRequest = (method) => (method === 'sendMessage' ? 'drop' : undefined);
    void fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'stop-test-secret' },
      body: JSON.stringify({ update_id: 9, message: { ...fake.messageBase(4004), text: '/start' } }),
    }).catch(() => undefined);
    await eventually(() => fake!.callsOf('sendMessage').length, (n) => n > 0);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    const at = Date.now();
    child.kill('SIGTERM');
    const { ms } = await exitOf(child, at);
    expect(ms).toBeLessThan(1500);
  });

  it('an assignment job running at SIGTERM: finished within the grace period, or back in its queue; the request is assigned exactly once after a restart', async () => {
    fake = new FakeTelegram();
    await fake.start();
    stack = await startStack(fake, { TEAMS_FILE: teamsFile([{ id: 'doan-tn', name: 'Tổ Đoàn', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 100 }]), JOB_LOCK_MS: '2000' }, { workers: false, realTime: true });
    await linkTeam(fake, 'doan-tn', -1001, 501, 'Trần Văn Hùng');
    const env = { ...stack.env, REDIS_URL: inject('redisUrl'), JOB_LOCK_MS: '2000', SHUTDOWN_GRACE_MS: '1000' };
    const cards = (code: string) => fake!.messagesTo(-1001).filter((m) => m.text.includes(code));

    // 1. The card's send takes a moment: the job finishes inside the grace period.
    let worker = spawnWorker(env);
    children.push(worker);
    fake.onRequest = async (method, params) => {
      if (method === 'sendMessage' && String(params.text).startsWith('📋')) await new Promise((r) => setTimeout(r, 400));
    };
    const first = await fileRequest(stack.app);
    await eventually(() => fake!.callsOf('sendMessage').some((c) => String(c.params.text).includes(first.code)), (x) => x, 20_000);
    worker.kill('SIGTERM');
    expect(await exited(worker, 15_000)).toBe(0);
    expect(cards(first.code)).toHaveLength(1);

    // 2. The send never comes back (the network ate it): the job cannot finish, the worker stops
    //    anyway, and the job is taken again by the next worker.
    fake.onRequest = (method, params) => (method === 'sendMessage' && String(params.text).startsWith('📋') ? 'drop' : undefined);
    worker = spawnWorker(env);
    children.push(worker);
    const second = await fileRequest(stack.app);
    await eventually(() => fake!.callsOf('sendMessage').some((c) => String(c.params.text).includes(second.code)), (x) => x, 20_000);
    const at = Date.now();
    worker.kill('SIGTERM');
    expect(await exited(worker, 15_000)).toBe(0);
    expect(Date.now() - at).toBeLessThan(10_000);
    fake.onRequest = undefined;
    worker = spawnWorker(env);
    children.push(worker);
    await eventually(() => cards(second.code), (c) => c.length === 1, 30_000);
    for (const r of [first, second]) expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('assigned');
    const assigned = (await stack.app.repos.audit.since(0)).filter((a) => a.action === 'request_assigned').map((a) => a.subject);
    expect(assigned.sort()).toEqual([first.id, second.id].sort());
  });
});
