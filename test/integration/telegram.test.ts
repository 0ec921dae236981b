import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp, testEnv, TestClock } from '../helpers/app.js';
import { BOT_TOKEN, FakeTelegram } from '../helpers/fakeTelegram.js';
import { freePort } from '../helpers/processes.js';

let fake: FakeTelegram;
let app: TestApp;
let env: Record<string, string>;
const CHAT = 5001;

/** The bot with its Telegram channel against the fake Bot API (no Redis: replies unpaced). */
const telegramBot = (over: Record<string, string> = {}, http = false) =>
  testApp({ ...env, ...over }, new TestClock(), { http });

beforeEach(async () => {
  fake = new FakeTelegram();
  await fake.start();
  env = testEnv({ TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_POLL_SECONDS: '1', ADMIN_CHAT_ID: '-900' });
  app = await telegramBot();
});

afterEach(async () => {
  await app.shutdown();
  await fake.stop();
});

const last = () => fake.lastTo(CHAT).text;

async function startSelfHomeIntake(): Promise<void> {
  await fake.text(CHAT, '/start');
  await fake.press(CHAT, 'Làm CCCD tại nhà');
  await fake.press(CHAT, 'Tôi đồng ý');
  await fake.press(CHAT, 'Cho chính tôi');
}

async function toSummary(kind: 'home' | 'ride', name = 'bà Nguyễn Thị Lành'): Promise<void> {
  await fake.text(CHAT, '/start');
  expect(last()).toContain('Cần giúp việc gì');
  await fake.press(CHAT, kind === 'home' ? 'Làm CCCD tại nhà' : 'Xe đưa đón');
  expect(last()).toContain('Trước khi bắt đầu');
  await fake.press(CHAT, 'Tôi đồng ý');
  await fake.press(CHAT, 'Cho người thân');
  await fake.press(CHAT, 'họ đã đồng ý');
  await fake.text(CHAT, name);
  await fake.text(CHAT, '1936');
  await fake.press(CHAT, 'Nằm một chỗ');
  await fake.press(CHAT, 'Xã Tân Hòa');
  await fake.text(CHAT, 'Số 4, Ấp Hòa Bình');
  if (kind === 'ride') {
    await fake.press(CHAT, 'Đón tại địa chỉ nhà');
    await fake.press(CHAT, '2 người');
  }
  const phonePrompt = fake.lastTo(CHAT);
  expect(phonePrompt.reply_markup?.keyboard?.[0]?.[0]).toMatchObject({ request_contact: true });
  await fake.contact(CHAT, '+84912345678');
  expect(fake.messagesTo(CHAT).some((m) => m.text.includes('Đã ghi số 0912345678') && m.reply_markup?.remove_keyboard)).toBe(true);
  await fake.press(CHAT, 'Làm CCCD lần đầu');
  await fake.press(CHAT, 'Xong');
  // No session in the calendar: the day is typed.
  await fake.text(CHAT, '28/11');
  await fake.press(CHAT, 'Không có');
  expect(last()).toContain('Xin kiểm tra lại');
}

async function confirm(): Promise<string> {
  const before = fake.messagesTo(CHAT).length;
  await fake.press(CHAT, 'Đúng, gửi đi');
  const done = fake.messagesTo(CHAT).slice(before).find((m) => /TB-\w{4}/.test(m.text));
  expect(done?.text).toContain('Đã nhận yêu cầu');
  return /TB-\w{4}/.exec(done!.text)![0];
}

describe('Telegram channel against a fake Bot API', () => {
  it('files a full home-CCCD request from /start to code, rendered as HTML with inline buttons', async () => {
    await toSummary('home');
    const code = await confirm();
    const stored = await app.repos.requests.byCode(code);
    expect(stored).toMatchObject({ channel: 'telegram', chatId: String(CHAT), type: 'home', phone: '0912345678', personName: 'bà Nguyễn Thị Lành' });
    expect(fake.messagesTo(CHAT).find((m) => m.text.includes(code))?.text).toContain(`<b>${code}</b>`);
    expect(fake.messagesTo(CHAT).every((m) => m.parse_mode === 'HTML')).toBe(true);
    // Every pressed prompt lost its buttons, so it cannot be pressed twice.
    expect(fake.callsOf('editMessageReplyMarkup').length).toBeGreaterThan(5);
    // Every press was answered, once (an unanswered press leaves the button spinning on the phone).
    expect([...fake.callbackAnswers].sort()).toEqual([...fake.callbackQueries].sort());
  });

  it('files a full ride request', async () => {
    await toSummary('ride');
    expect(last()).toContain('Số người đi: 2');
    const code = await confirm();
    expect(await app.repos.requests.byCode(code)).toMatchObject({ type: 'ride', people: 2, pickupAddress: 'Số 4, Ấp Hòa Bình' });
  });

  it('edits a field from the summary', async () => {
    await toSummary('home');
    await fake.press(CHAT, 'Sửa');
    await fake.press(CHAT, 'Năm sinh');
    await fake.text(CHAT, '1937');
    expect(last()).toContain('Năm sinh: 1937');
    const code = await confirm();
    expect((await app.repos.requests.byCode(code))?.birthYear).toBe(1937);
  });

  it('cancels mid-flow with the cancel button and keeps nothing', async () => {
    await startSelfHomeIntake();
    await fake.text(CHAT, 'Trần Văn Bảy');
    await fake.press(CHAT, 'Hủy');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes('Đã hủy. Thông tin vừa nhập không được lưu'))).toBe(true);
    expect(await app.repos.requests.listByOwner({ channel: 'telegram', userId: String(CHAT) })).toEqual([]);
    const state = JSON.parse((await app.repos.states.get(`telegram:${CHAT}`))!);
    expect(state.draft).toEqual({});
  });

  it('shows status and cancels a filed request, then deletes my data', async () => {
    await toSummary('home');
    const code = await confirm();
    await fake.text(CHAT, '/trangthai');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes(code) && m.text.includes('đang chờ phân công'))).toBe(true);
    await fake.text(CHAT, '/huy');
    expect(last()).toContain(`Hủy yêu cầu ${code}`);
    await fake.press(CHAT, 'Hủy yêu cầu');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes(`Đã hủy yêu cầu ${code}`))).toBe(true);
    expect((await app.repos.requests.byCode(code))?.status).toBe('cancelled');
    await fake.text(CHAT, '/xoadulieu');
    await fake.press(CHAT, 'Xóa hết');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes('Đã xóa thông tin của bạn (1 yêu cầu)'))).toBe(true);
    expect(await app.repos.requests.byCode(code)).toMatchObject({ personName: '', phone: '' });
  });

  it('a bot restart in the middle of a flow resumes where it was', async () => {
    await startSelfHomeIntake();
    await fake.text(CHAT, 'Đỗ Văn Tư');
    expect(last()).toContain('sinh năm nào');
    await app.shutdown();
    app = await telegramBot();
    await fake.text(CHAT, '1944');
    expect(last()).toContain('khó tự đến nơi làm CCCD');
    // A button from before the restart still works: its prompt is the current one.
    await fake.press(CHAT, 'Ngồi xe lăn');
    expect(last()).toContain('xã/phường nào');
  });

  it('processes a duplicate update once', async () => {
    await fake.text(CHAT, '/start');
    const update = { message: { ...fake.messageBase(CHAT), text: '1' } };
    const id = await fake.push(update);
    const count = fake.messagesTo(CHAT).length;
    await fake.redeliver(id, update);
    expect(fake.messagesTo(CHAT).length).toBe(count);
    await fake.text(CHAT, '1');
    expect(last()).toContain('Yêu cầu này là cho ai');
  });

  it('retries a 429 with retry_after and a 5xx; nothing is lost', async () => {
    await fake.text(CHAT, '/start');
    fake.fail('sendMessage', 1, 429, { parameters: { retry_after: 1 } });
    fake.fail('sendMessage', 1, 502);
    const before = fake.callsOf('sendMessage').length;
    await fake.press(CHAT, 'Làm CCCD tại nhà');
    expect(last()).toContain('Trước khi bắt đầu');
    const sends = fake.callsOf('sendMessage').slice(before);
    expect(sends.length).toBe(3);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('refuses a forged callback and an old button', async () => {
    await fake.text(CHAT, '/start');
    const menu = fake.lastTo(CHAT);
    const oldData = menu.reply_markup!.inline_keyboard![1]![0]!.callback_data;
    await fake.press(CHAT, 'Làm CCCD tại nhà');
    expect(menu.reply_markup).toBeUndefined();
    // Each refusal is a new answer (counted), so a bot that said nothing would fail here.
    const refused = async (data: string) => {
      const before = fake.messagesTo(CHAT).length;
      await fake.pressData(CHAT, menu.message_id, data);
      const answers = fake.messagesTo(CHAT).slice(before);
      expect(answers).toHaveLength(1);
      expect(answers[0]!.text).toContain('Nút này đã cũ');
      expect(answers[0]!.text).toContain('Trước khi bắt đầu');
    };
    await refused('999|sum:confirm');
    await refused('garbage-data');
    await refused(oldData);
    expect(await app.repos.requests.listByOwner({ channel: 'telegram', userId: String(CHAT) })).toEqual([]);
  });

  it('an old "Hủy yêu cầu" button offered again by a newer prompt (for another request) cancels nothing', async () => {
    // Two people: the same person twice is refused (one open request each).
    const code = async (name: string) => {
      await toSummary('home', name);
      return confirm();
    };
    const a = await code('bà Nguyễn Thị Lành');
    await fake.text(CHAT, '/menu');
    const b = await code('ông Nguyễn Văn Lành');
    await fake.text(CHAT, '/huy');
    await fake.press(CHAT, a);
    const firstPrompt = fake.lastTo(CHAT);
    expect(firstPrompt.text).toContain(`Hủy yêu cầu ${a}`);
    const oldYes = firstPrompt.reply_markup!.inline_keyboard!.flat().find((x) => x.text.includes('Hủy yêu cầu'))!.callback_data;
    // Left unanswered; the person starts over and picks the other request: the same option id is offered again.
    await fake.text(CHAT, '/huy');
    await fake.press(CHAT, b);
    expect(last()).toContain(`Hủy yêu cầu ${b}`);
    const before = fake.messagesTo(CHAT).length;
    await fake.pressData(CHAT, firstPrompt.message_id, oldYes);
    expect(fake.messagesTo(CHAT).slice(before).map((m) => m.text).join('\n')).toContain('Nút này đã cũ');
    expect((await app.repos.requests.byCode(a))?.status).toBe('new');
    expect((await app.repos.requests.byCode(b))?.status).toBe('new');
  });

  it('answers a sticker kindly', async () => {
    await fake.text(CHAT, '/start');
    await fake.sticker(CHAT);
    expect(last()).toContain('chỉ đọc được chữ');
    expect(last()).toContain('Cần giúp việc gì');
  });

  it('webhook mode: sets the webhook with its secret, handles updates, refuses a wrong secret', async () => {
    await app.shutdown();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/tg-hook`;
    app = await telegramBot({ PORT: String(port), TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: 'a-very-secret-token' }, true);
    expect(fake.webhook).toEqual({ url, secret: 'a-very-secret-token' });
    const okStatus = await fake.postWebhook({ update_id: 1, message: { ...fake.messageBase(CHAT), text: '/start' } });
    expect(okStatus).toBe(200);
    expect(last()).toContain('Cần giúp việc gì');
    const count = fake.messagesTo(CHAT).length;
    const bad = await fake.postWebhook({ update_id: 2, message: { ...fake.messageBase(CHAT), text: '1' } }, 'wrong-secret');
    expect(bad).toBe(401);
    const none = await fake.postWebhook({ update_id: 3, message: { ...fake.messageBase(CHAT), text: '1' } }, '');
    expect(none).toBe(401);
    expect(fake.messagesTo(CHAT).length).toBe(count);
    // A webhook redelivery of update 1 is dropped too.
    await fake.postWebhook({ update_id: 1, message: { ...fake.messageBase(CHAT), text: '/start' } });
    expect(fake.messagesTo(CHAT).length).toBe(count);
  });
});
