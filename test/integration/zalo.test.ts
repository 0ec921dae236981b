import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderZalo } from '../../src/channels/zalo-bot/adapter.js';
import { testApp, type TestApp, testEnv, TestClock } from '../helpers/app.js';
import { FakeZalo, ZALO_TOKEN } from '../helpers/fakeZalo.js';
import { freePort } from '../helpers/processes.js';

let fake: FakeZalo;
let app: TestApp;
let env: Record<string, string>;
const USER = 'zalo-user-1';

/** The bot with its Zalo channel against the fake Zalo Bot API (no Redis: replies unpaced). */
async function start(over: Record<string, string> = {}, http = false): Promise<void> {
  app = await testApp({ ...env, ...over }, new TestClock(), { http });
}

beforeEach(async () => {
  fake = new FakeZalo();
  await fake.start();
  env = testEnv({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: fake.apiRoot, ZALO_POLL_SECONDS: '1', ZALO_CHAT_INTERVAL_MS: '0', ADMIN_CHAT_ID: 'zalo:duty-1' });
  await start();
});
afterEach(async () => {
  await app.shutdown();
  await fake.stop();
});

/** A whole request typed the way people type on Zalo: numbers and words without diacritics. */
async function toSummary(kind: 'home' | 'ride'): Promise<string> {
  expect(await fake.text(USER, 'xin chao')).toContain('1. 🏠 Làm CCCD tại nhà');
  expect(await fake.text(USER, kind === 'home' ? 'lam cccd tai nha' : 'xe dua don')).toContain('Trước khi bắt đầu');
  await fake.text(USER, 'toi dong y');
  await fake.text(USER, '2');
  await fake.text(USER, '1');
  await fake.text(USER, 'Nguyen Thi Lanh');
  await fake.text(USER, '1936');
  await fake.text(USER, 'nam mot cho');
  await fake.text(USER, 'tan hoa');
  await fake.text(USER, 'so 4 ap Hoa Binh');
  if (kind === 'ride') {
    await fake.text(USER, '1');
    await fake.text(USER, '2');
  }
  expect(await fake.text(USER, '0912 345 678')).toContain('Đã ghi số 0912345678');
  await fake.text(USER, '1,3');
  // No session in the calendar: the day is typed.
  await fake.text(USER, '28/11');
  return fake.text(USER, 'khong co');
}

describe('Zalo channel against a fake Zalo Bot API', () => {
  it('files a full home request from typed numbers and words', async () => {
    const summary = await toSummary('home');
    expect(summary).toContain('Xin kiểm tra lại');
    expect(summary).toContain('1. ✅ Đúng, gửi đi');
    const done = await fake.text(USER, 'dung, gui di');
    const code = /TB-\w{4}/.exec(done)![0];
    expect(await app.repos.requests.byCode(code)).toMatchObject({ channel: 'zalo', chatId: USER, type: 'home', phone: '0912345678' });
    expect(fake.to(USER).every((m) => !/<\/?b>/.test(m.text))).toBe(true);
  });

  it('files a full ride request', async () => {
    const summary = await toSummary('ride');
    expect(summary).toContain('Số người đi: 2');
    const code = /TB-\w{4}/.exec(await fake.text(USER, '1'))![0];
    expect(await app.repos.requests.byCode(code)).toMatchObject({ type: 'ride', people: 2, pickupAddress: 'so 4 ap Hoa Binh' });
  });

  it('edits from the summary, checks status, cancels and deletes data', async () => {
    await toSummary('home');
    await fake.text(USER, 'sua');
    await fake.text(USER, 'nam sinh');
    expect(await fake.text(USER, '1937')).toContain('Năm sinh: 1937');
    const code = /TB-\w{4}/.exec(await fake.text(USER, '1'))![0];
    expect(await fake.text(USER, '/trangthai')).toContain(code);
    expect(await fake.text(USER, '/huy')).toContain(`Hủy yêu cầu ${code}`);
    // "1" out of habit keeps it: cancelling needs its own word.
    expect(await fake.text(USER, '1')).toContain('Yêu cầu vẫn được giữ nguyên');
    await fake.text(USER, '/huy');
    expect(await fake.text(USER, 'huy')).toContain(`Đã hủy yêu cầu ${code}`);
    await fake.text(USER, '/xoadulieu');
    expect(await fake.text(USER, 'xoa het')).toContain('Đã xóa thông tin của bạn (1 yêu cầu)');
    expect(await app.repos.requests.byCode(code)).toMatchObject({ personName: '', phone: '' });
  });

  it('cancel mid-flow keeps nothing', async () => {
    await fake.text(USER, '/start');
    await fake.text(USER, '1');
    await fake.text(USER, '1');
    expect(await fake.text(USER, 'huy')).toContain('Đã hủy. Thông tin vừa nhập không được lưu');
  });

  it('a restart mid-flow resumes where it was', async () => {
    await fake.text(USER, '/start');
    await fake.text(USER, '1');
    await fake.text(USER, '1');
    await fake.text(USER, '1');
    expect(await fake.text(USER, 'Do Van Tu')).toContain('sinh năm nào');
    await app.shutdown();
    await start();
    expect(await fake.text(USER, '1944')).toContain('khó tự đến nơi làm CCCD');
  });

  it('processes a duplicate delivery (same message_id) once', async () => {
    await fake.text(USER, '/start');
    const u = fake.update(USER, 'message.text.received', { text: '1' }, 'same-id');
    await fake.push(u);
    const n = fake.to(USER).length;
    await fake.push(fake.update(USER, 'message.text.received', { text: '1' }, 'same-id'));
    expect(fake.to(USER).length).toBe(n);
  });

  it('answers stickers, photos and unsupported messages kindly', async () => {
    await fake.text(USER, '/start');
    for (const ev of ['message.sticker.received', 'message.image.received', 'message.unsupported.received']) {
      const before = fake.to(USER).length;
      await fake.push(fake.update(USER, ev, ev.includes('sticker') ? { sticker: 'abc' } : {}));
      expect(fake.textTo(USER, before)).toContain('chỉ đọc được chữ');
    }
  });

  it('keeps polling through 408 timeouts and backs off on 429', async () => {
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.callsOf('getUpdates').some((c) => c.status === 408)).toBe(true);
    fake.fail('getUpdates', 2, 429, { parameters: { retry_after: 1 } });
    const answer = await fake.text(USER, '/start');
    expect(answer).toContain('Cần giúp việc gì');
    const polls = fake.callsOf('getUpdates');
    const limited = polls.filter((c) => c.status === 429);
    expect(limited).toHaveLength(2);
    const after = polls[polls.indexOf(limited[1]!) + 1]!;
    expect(after.at - limited[1]!.at).toBeGreaterThanOrEqual(900);
    // A 429 on sending is retried too: the answer still arrives.
    fake.fail('sendMessage', 1, 429);
    expect(await fake.text(USER, '3')).toContain('chưa gửi yêu cầu nào');
  });

  it('webhook: refuses a wrong or missing secret (401, not processed), accepts wrapped and flat bodies', async () => {
    await app.shutdown();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/zalo-hook`;
    await start({ PORT: String(port), ZALO_WEBHOOK_URL: url, ZALO_WEBHOOK_SECRET: 'secret-of-the-unit' }, true);
    expect(fake.webhook).toEqual({ url, secret: 'secret-of-the-unit' });
    expect(await fake.postWebhook(fake.update(USER, 'message.text.received', { text: '/start' }), { secret: 'wrong-secret' })).toBe(401);
    expect(await fake.postWebhook(fake.update(USER, 'message.text.received', { text: '/start' }), { secret: '' })).toBe(401);
    expect(fake.to(USER)).toHaveLength(0);
    // Not an update (or far too big to be one): refused, nothing processed.
    const huge = await fetch(url, { method: 'POST', headers: { 'x-bot-api-secret-token': 'secret-of-the-unit' }, body: 'x'.repeat(300_000) });
    expect(huge.status).toBe(400);
    expect(fake.to(USER)).toHaveLength(0);
    expect(await fake.postWebhook(fake.update(USER, 'message.text.received', { text: '/start' }), { wrapped: true })).toBe(200);
    expect(fake.textTo(USER)).toContain('Cần giúp việc gì');
    const before = fake.to(USER).length;
    expect(await fake.postWebhook(fake.update(USER, 'message.text.received', { text: '1' }))).toBe(200);
    expect(fake.textTo(USER, before)).toContain('Trước khi bắt đầu');
  });

  it('splits a 5,000-character text at sentence boundaries within 2,000 characters', async () => {
    const sentence = 'Khi có cháy, hãy bình tĩnh gọi ngay 114 và ra khỏi nhà theo lối an toàn. ';
    const long = sentence.repeat(Math.ceil(5000 / sentence.length)).slice(0, 5000);
    const pieces = renderZalo({ text: [{ key: 'common:raw', params: { text: long } }] }, app.translator);
    expect(pieces.length).toBe(3);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(2000);
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('.')).toBe(true);
    await app.delivery.deliver({ channel: 'zalo', chatId: USER, kind: 'private' }, { text: [{ key: 'common:raw', params: { text: long } }] }, { patience: 'direct' });
    expect(fake.to(USER).map((m) => m.text)).toEqual(pieces);
    expect(fake.to(USER).map((m) => m.text).join(' ').replace(/\s+/g, ' ')).toBe(long.trim().replace(/\s+/g, ' '));
  });
});
