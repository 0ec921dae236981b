import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { BOT_TOKEN, FakeTelegram } from '../helpers/fakeTelegram.js';
import { FakeZalo, ZALO_TOKEN } from '../helpers/fakeZalo.js';
import { exited, freePort } from '../helpers/processes.js';
import { eventually } from '../helpers/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'webhook-secret-of-the-unit';
/** What a citizen typed: it must never appear in the process's logs or a crash dump. */
const PRIVATE_TEXT = 'Nguyễn Văn Bí Mật 0987654321';

let tg: FakeTelegram;
let zalo: FakeZalo;
let bot: ChildProcess;
let stderr = '';
let port: number;
let dbFile: string;

const tgUrl = () => `http://127.0.0.1:${port}/tg-hook`;
const zaloUrl = () => `http://127.0.0.1:${port}/zalo-hook`;
let updateId = 5000;
const update = (chat: number, text: string) => ({ update_id: ++updateId, message: { ...tg.messageBase(chat), text } });

async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await res.text();
  return res.status;
}
/**
 * An oversized body, announced by its length: the server answers 413 from the header, without
 * reading it. The client sends only its first 64 KB and waits for the answer: writing all of it
 * into a server that has answered and closed made the kernel's reset overtake the answer on a
 * busy machine (three tries in a row failed that way), which says nothing about the server.
 */
function postOversized(url: string, bytes: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes), ...headers } });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    req.on('close', () => {
      if (!answered) reject(new Error('closed without an answer'));
    });
    req.write('x'.repeat(Math.min(bytes, 64 * 1024)));
  });
}
const postTg = (body: unknown) => postRaw(tgUrl(), typeof body === 'string' ? body : JSON.stringify(body), { 'x-telegram-bot-api-secret-token': SECRET });
const postZalo = (body: unknown) => postRaw(zaloUrl(), typeof body === 'string' ? body : JSON.stringify(body), { 'x-bot-api-secret-token': SECRET });

/** The process still answers: a new chat's /start gets the menu, on Telegram and on Zalo. */
async function stillServing(): Promise<void> {
  const chat = 7000 + Math.floor(Math.random() * 1000);
  expect(await postTg(update(chat, '/start'))).toBe(200);
  expect(tg.lastTo(chat).text).toContain('Cần giúp việc gì');
  const user = `z-alive-${randomUUID().slice(0, 6)}`;
  expect(await postZalo(zalo.update(user, 'message.text.received', { text: '/start' }))).toBe(200);
  expect(zalo.textTo(user)).toContain('Cần giúp việc gì');
  expect(bot.exitCode).toBeNull();
}

/** Sends headers announcing a body, a part of it, then hangs up: a client that died mid-request. */
function abortedBody(url: string, secretHeader: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(`POST ${u.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${secretHeader}: ${SECRET}\r\nContent-Length: 100000\r\n\r\n{"update_id": 1, "message": {"text": "${PRIVATE_TEXT}`);
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 100);
    });
    s.on('error', () => resolve());
  });
}

beforeAll(async () => {
  tg = new FakeTelegram();
  zalo = new FakeZalo();
  await tg.start();
  await zalo.start();
  port = await freePort();
  const env = testEnv({
    PORT: String(port),
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/tg-hook`,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_CHAT_INTERVAL_MS: '0',
    ZALO_BOT_TOKEN: ZALO_TOKEN,
    ZALO_API_ROOT: zalo.apiRoot,
    ZALO_WEBHOOK_URL: `http://127.0.0.1:${port}/zalo-hook`,
    ZALO_WEBHOOK_SECRET: SECRET,
    ZALO_CHAT_INTERVAL_MS: '0',
    ADMIN_CHAT_ID: '-900',
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `w${randomUUID().slice(0, 8)}`,
    // Logs on: what matters is that nothing personal is in them.
    LOG_LEVEL: 'info',
    DB_BUSY_TIMEOUT_MS: '100',
  });
  dbFile = path.join(env.DATA_DIR!, 'bot.sqlite');
  bot = spawn(process.execPath, ['--import', 'tsx', 'src/main/index.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  bot.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), (s) => s === 200, 30_000);
  await eventually(() => tg.webhook?.url, (u) => u === tgUrl());
}, 60_000);

afterAll(async () => {
  bot?.kill('SIGKILL');
  await tg?.stop();
  await zalo?.stop();
});

describe('webhook mode never falls over', { timeout: 60_000 }, () => {
  it('a citizen who blocked the bot (403 on the reply): answered 200, the chat marked unreachable, the process serves on', async () => {
    tg.failingChats.set('6101', 403);
    expect(await postTg(update(6101, PRIVATE_TEXT))).toBe(200);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('select key from unreachable_chats where key = ?').get('telegram:6101')).toEqual({ key: 'telegram:6101' });
    db.close();
    await stillServing();
  });

  it('a 400 from the Bot API', async () => {
    tg.fail('sendMessage', 1, 400, { description: 'Bad Request: chat not found' });
    expect(await postTg(update(6102, PRIVATE_TEXT))).toBe(200);
    await stillServing();
  });

  it('a busy SQLite file (another process holds the write lock): the person is told kindly, nothing crashes', async () => {
    const db = new Database(dbFile);
    db.exec('BEGIN EXCLUSIVE');
    try {
      expect(await postTg(update(6103, PRIVATE_TEXT))).toBe(200);
      expect(tg.lastTo(6103).text).toContain('hệ thống đang bận');
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    await stillServing();
  });

  it('null, malformed, oversized and half-sent bodies with the right secret, on both webhooks', async () => {
    expect(await postTg('null')).toBe(200);
    expect(await postTg(`{"update_id": 7, "message": {"text": "${PRIVATE_TEXT}"`)).toBe(200);
    expect(await postTg({ update_id: 8, message: { text: PRIVATE_TEXT } })).toBe(200);
    expect(await postOversized(tgUrl(), 10 * 1024 * 1024, { 'x-telegram-bot-api-secret-token': SECRET })).toBe(413);
    await abortedBody(tgUrl(), 'x-telegram-bot-api-secret-token');
    expect(await postZalo('null')).toBe(400);
    expect(await postZalo({ event_name: 'message.text.received', message: { message_id: 'm1', text: PRIVATE_TEXT } })).toBe(200);
    await abortedBody(zaloUrl(), 'x-bot-api-secret-token');
    await stillServing();
  });

  it('nothing a citizen typed reaches the logs, and no crash happened', async () => {
    expect(stderr).not.toContain('Bí Mật');
    expect(stderr).not.toContain('0987654321');
    expect(stderr).not.toMatch(/unhandled|uncaught/i);
    expect(bot.exitCode).toBeNull();
    bot.kill('SIGTERM');
    expect(await exited(bot, 15_000)).toBe(0);
  });
});
