import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { BOT_TOKEN, FakeTelegram } from '../helpers/fakeTelegram.js';
import { exited } from '../helpers/processes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The run's Redis (a SIGKILLed bot cannot stop a private one) and no pacing gap between replies. */
const fastQueue = () => ({ REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: `p${randomUUID().slice(0, 8)}`, TELEGRAM_CHAT_INTERVAL_MS: '0' });
const CHAT = 7001;

/** The exact answers of a full request, one per line, typed as an old phone would (no diacritics). */
const PIPED_SESSION = ['/start', '1', '1', '2', '1', 'Nguyen Thi Hoa', '1941', '1', 'tan hoa', 'so 7 ap Binh Thanh', '0912 345 678', '1,3', '1', '1', '1'];

describe('piped console', () => {
  it('printf … | npm run chat files a request, prints its code and exits at end of input', () => {
    const env = testEnv();
    const r = spawnSync('npm', ['run', '--silent', 'chat'], {
      cwd: ROOT,
      input: `${PIPED_SESSION.join('\n')}\n`,
      env: { ...process.env, ...env, ...fastQueue(), TELEGRAM_BOT_TOKEN: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const code = /Mã yêu cầu của bạn: (TB-\w{4})/.exec(r.stdout)?.[1];
    expect(code, r.stdout.slice(-2000)).toBeDefined();
    const db = new Database(path.join(env.DATA_DIR!, 'bot.sqlite'), { readonly: true });
    const row = db.prepare('select person_name, phone, channel from requests where code = ?').get(code) as Record<string, string>;
    db.close();
    expect(row).toEqual({ person_name: 'Nguyen Thi Hoa', phone: '0912345678', channel: 'console' });
    // Replies go to stdout as plain text: no HTML tags.
    expect(r.stdout).not.toMatch(/<\/?b>/);
  });
});

describe('a bot process killed between commit and reply', { timeout: 90_000 }, () => {
  let fake: FakeTelegram;
  afterEach(async () => {
    await fake?.stop();
  });

  function startBot(env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/index.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...fastQueue(), TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_POLL_SECONDS: '1', ADMIN_CHAT_ID: '-900' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return child;
  }

  const codeInDb = (file: string, code: string) => {
    const db = new Database(file, { readonly: true });
    const row = db.prepare('select code from requests where code = ?').get(code);
    db.close();
    return row !== undefined;
  };

  it('the request is in the database before the user sees its code, and a restart tells the truth', async () => {
    fake = new FakeTelegram();
    await fake.start();
    const env = testEnv();
    const dbFile = path.join(env.DATA_DIR!, 'bot.sqlite');
    let child = startBot(env);
    for (const step of ['/start', '1', '1', '1', 'Le Van Nam', '1939', '1', 'tan hoa', 'ap Tan Lap', '0912345678', '1 2', '1', '1']) {
      await fake.text(CHAT, step);
    }
    expect(fake.lastTo(CHAT).text).toContain('Xin kiểm tra lại');

    // The moment the bot tries to send the code, check the database and kill the bot before Telegram answers.
    let seenCode: string | undefined;
    let committedFirst: boolean | undefined;
    fake.onRequest = (method, params) => {
      const code = /TB-\w{4}/.exec(String(params.text ?? ''))?.[0];
      if (method === 'sendMessage' && code && seenCode === undefined) {
        seenCode = code;
        committedFirst = codeInDb(dbFile, code);
        child.kill('SIGKILL');
      }
    };
    fake.enqueue({ message: { ...fake.messageBase(CHAT), text: '1' } });
    await exited(child, 20_000);
    expect(seenCode).toBeDefined();
    expect(committedFirst).toBe(true);
    fake.onRequest = undefined;

    // Restarted, the bot may get the confirm again (it was never acknowledged): same request, no second one.
    child = startBot(env);
    await fake.text(CHAT, '/trangthai');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes(seenCode!))).toBe(true);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('select count(*) n from requests').get()).toEqual({ n: 1 });
    db.close();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('killed at random moments after confirm: whenever a code was shown, that request is stored', async () => {
    fake = new FakeTelegram();
    await fake.start();
    for (const delayMs of [0, 5, 15, 40]) {
      const env = testEnv();
      const dbFile = path.join(env.DATA_DIR!, 'bot.sqlite');
      const chat = CHAT + delayMs + 1;
      const child = startBot(env);
      for (const step of ['/start', '1', '1', '1', 'Le Van Nam', '1939', '1', 'tan hoa', 'ap Tan Lap', '0912345678', '1 2', '1', '1']) {
        await fake.text(chat, step);
      }
      fake.enqueue({ message: { ...fake.messageBase(chat), text: '1' } });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await exited(child);
      for (const m of fake.messagesTo(chat)) {
        const code = /TB-\w{4}/.exec(m.text)?.[0];
        if (code) expect(codeInDb(dbFile, code)).toBe(true);
      }
    }
  });
});
