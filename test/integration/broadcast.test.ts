import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { killAll, spawnWorker } from '../helpers/processes.js';
import { ADMIN_CHAT, ADMIN_USER, drained, eventually, onDialect, type Stack, startStack, zaloEnv } from '../helpers/stack.js';
import { DIALECTS, pgAvailable } from '../helpers/db.js';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  await killAll(children);
  await stack?.stop();
  stack = undefined;
  await tg?.stop();
  await zalo?.stop();
});

/** Both fakes enforce `perSecond` overall and 1 message/s per chat; the bot is told the same limit. */
async function start(perSecond: number, env: Record<string, string> = {}, opts: { workers?: boolean } = {}): Promise<void> {
  tg = new FakeTelegram({ globalPerSecond: perSecond });
  zalo = new FakeZalo(300, perSecond);
  await tg.start();
  await zalo.start();
  stack = await startStack(
    tg,
    {
      ...zaloEnv(zalo),
      TELEGRAM_GLOBAL_PER_SECOND: String(perSecond),
      ZALO_GLOBAL_PER_SECOND: String(perSecond),
      TELEGRAM_CHAT_INTERVAL_MS: '1000',
      ZALO_CHAT_INTERVAL_MS: '1000',
      TELEGRAM_GROUP_PER_MINUTE: '20',
      ...env,
    },
    { workers: opts.workers, realTime: true },
  );
}

async function subscribe(telegram: number, zaloCount: number): Promise<string[]> {
  const keys: string[] = [];
  const add = async (channel: string, chatId: string, communeId: string) => {
    await stack!.app.services.sessions.subscribe(channel, chatId, communeId);
    keys.push(`${channel}:${chatId}`);
  };
  for (let i = 0; i < telegram; i++) await add('telegram', String(100_000 + i), i % 2 ? 'tan-hoa' : 'long-thanh');
  for (let i = 0; i < zaloCount; i++) await add('zalo', `z-${i}`, i % 2 ? 'my-loc' : 'tan-hoa');
  return keys;
}

/** How many copies of the announcement each chat got. */
function received(keys: string[], marker: string): number[] {
  const count = new Map<string, number>();
  for (const m of tg.messages) if (m.text.includes(marker)) count.set(`telegram:${m.chat_id}`, (count.get(`telegram:${m.chat_id}`) ?? 0) + 1);
  for (const m of zalo.sent) if (m.text.includes(marker)) count.set(`zalo:${m.chat_id}`, (count.get(`zalo:${m.chat_id}`) ?? 0) + 1);
  return keys.map((k) => count.get(k) ?? 0);
}

const announce = (id: string, text: string) =>
  stack!.app.services.broadcast.send({
    id,
    kind: 'admin',
    createdBy: 'telegram:777',
    content: { text },
    audience: { kind: 'all' },
    report: { channel: 'telegram', chatId: String(ADMIN_CHAT) },
  });

describe.each(DIALECTS)('announcements on %s', { timeout: 120_000 }, (dialect) => {
  beforeAll(() => onDialect(dialect));
  beforeEach((t) => {
    if (dialect === 'postgres' && !pgAvailable()) t.skip();
  });

  it('1,000 recipients on Telegram and Zalo: each gets it exactly once, at the limit, with progress edited in one message', async () => {
    await start(400);
    const keys = await subscribe(600, 400);
    const b = await announce('b-1000', 'Thứ Bảy này làm căn cước ở Tân Hòa');
    expect(b.total).toBe(1000);
    await eventually(() => stack!.app.services.broadcast.byId(b.id), (x) => x?.status === 'done', 60_000);
    expect(received(keys, 'Thứ Bảy này làm căn cước ở Tân Hòa').filter((n) => n !== 1)).toEqual([]);
    expect(tg.limits!.rejected + zalo.limits!.rejected).toBe(0);
    const done = await stack!.app.services.broadcast.byId(b.id);
    expect(done).toMatchObject({ sent: 1000, failed: 0, blocked: 0 });
    // One progress message in the admin chat, edited to the final count.
    const progress = await eventually(
      () => tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes('/1.000')),
      (l) => l.length === 1 && l[0]!.text.includes('Đã gửi xong: 1.000/1.000'),
      15_000,
    );
    expect(progress[0]!.text).toContain('chặn bot 0');
  });

  it('a worker killed at 40 % and a new one started: the rest are sent, nobody twice', async () => {
    await start(200, { JOB_LOCK_MS: '1500' }, { workers: false });
    const keys = await subscribe(300, 200);
    const env = { ...stack!.env, REDIS_URL: inject('redisUrl'), JOB_LOCK_MS: '1500' };
    const first = spawnWorker(env);
    children.push(first);
    let sends = 0;
    const onSend = () => {
      if (++sends === 200) first.kill('SIGKILL');
    };
    tg.onRequest = (method) => void (method === 'sendMessage' && onSend());
    let zaloSeen = zalo.sent.length;
    const poll = setInterval(() => {
      for (; zaloSeen < zalo.sent.length; zaloSeen++) onSend();
    }, 5);
    const b = await announce('b-crash', 'Lịch mới tháng 12');
    await eventually(() => first.signalCode, (s) => s === 'SIGKILL', 60_000);
    const atKill = received(keys, 'Lịch mới tháng 12').filter((n) => n > 0).length;
    expect(atKill).toBeGreaterThan(150);
    expect(atKill).toBeLessThan(500);
    children.push(spawnWorker(env));
    await eventually(() => stack!.app.services.broadcast.byId(b.id), (x) => x?.status === 'done', 60_000);
    clearInterval(poll);
    const counts = received(keys, 'Lịch mới tháng 12');
    expect(counts.filter((n) => n > 1)).toEqual([]);
    // At most once: a send in flight when the worker died may or may not have arrived; it is not
    // repeated, and the record counts it among the failed (one per batch running at the time).
    const missing = counts.filter((n) => n === 0).length;
    const record = (await stack!.app.services.broadcast.byId(b.id))!;
    expect(record.failed).toBeLessThanOrEqual(stack!.app.config.BROADCAST_CONCURRENCY);
    expect(missing).toBeLessThanOrEqual(record.failed);
    expect(record.sent + record.failed).toBe(500);
  });

  it('stopped midway: nobody else gets it, and the admin sees it stopped', async () => {
    await start(100);
    const keys = await subscribe(300, 0);
    const b = await announce('b-stop', 'Thông báo thử dừng');
    await eventually(() => received(keys, 'Thông báo thử dừng').filter((n) => n > 0).length, (n) => n >= 60, 20_000);
    // The button under the progress message; someone else pressing it changes nothing.
    await tg.press(ADMIN_CHAT, 'Dừng gửi', 9999);
    expect((await stack!.app.services.broadcast.byId(b.id))?.status).toBe('sending');
    await tg.press(ADMIN_CHAT, 'Dừng gửi', ADMIN_USER);
    expect((await stack!.app.services.broadcast.byId(b.id))?.status).toBe('cancelled');
    // Once every batch has stopped (the queue is empty), nothing more arrives.
    await drained(stack!.app);
    const got = received(keys, 'Thông báo thử dừng').filter((n) => n > 0).length;
    expect((await stack!.app.repos.broadcasts.byId(b.id))?.sent).toBe(got);
    expect(got).toBeLessThan(200);
    expect(tg.limits!.rejected).toBe(0);
    expect(received(keys, 'Thông báo thử dừng').filter((n) => n > 1)).toEqual([]);
    await eventually(() => tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes('/300')), (l) => l.length === 1 && l[0]!.text.includes('Đã dừng gửi'), 15_000);
  });

  it('403: a chat that blocked the bot is counted and unsubscribed', async () => {
    await start(400);
    const keys = await subscribe(20, 20);
    tg.failingChats.set('100003', 403);
    tg.failingChats.set('100004', 403);
    zalo.blockedUsers.add('z-5');
    const b = await announce('b-403', 'Thông báo có người chặn');
    await eventually(() => stack!.app.services.broadcast.byId(b.id), (x) => x?.status === 'done', 30_000);
    expect(await stack!.app.services.broadcast.byId(b.id)).toMatchObject({ sent: 37, blocked: 3, failed: 0 });
    for (const [channel, chat] of [['telegram', '100003'], ['telegram', '100004'], ['zalo', 'z-5']] as const) {
      expect(await stack!.app.services.sessions.subscribedCommunes(channel, chat)).toEqual([]);
    }
    expect(await stack!.app.services.sessions.subscribedCommunes('telegram', '100005')).toEqual(['tan-hoa']);
    expect(received(keys, 'Thông báo có người chặn').filter((n) => n === 1).length).toBe(37);
  });
});
