import { afterEach, describe, expect, it } from 'vitest';
import { renderPlain } from '../../src/channels/plainText.js';
import type { CitizenRequest } from '../../src/domain/request.js';
import { Conversation, testApp, type TestApp, testEnv, TestClock } from '../helpers/app.js';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { FakeZalo, ZALO_TOKEN } from '../helpers/fakeZalo.js';
import { eventually, fileRequest, linkTeam, type Stack, startStack } from '../helpers/stack.js';

/** Families far away (issue 18): a son in Korea or a daughter in Japan files for a mother at home whose phone is a landline. */

const LANDLINE = '0239 3 856 123';
let stack: Stack | undefined;
let app: TestApp | undefined;
let fake: FakeTelegram | undefined;
let zalo: FakeZalo | undefined;
afterEach(async () => {
  await stack?.stop();
  await app?.shutdown();
  await fake?.stop();
  await zalo?.stop();
  stack = app = fake = zalo = undefined;
});

const KOREAN = { relativePhone: '+821012345678', relativeCountry: 'KR', timeZone: 'Asia/Seoul' } as const;

describe('a full request from far away, with a Vietnamese landline at home', () => {
  it('from a Korean number over Telegram: two contacts stored, the card shows the home first and says it came from abroad', async () => {
    fake = new FakeTelegram();
    await fake.start();
    stack = await startStack(fake);
    await linkTeam(fake, 'doan-tn', -1001, 501, 'Trần Văn Hùng');
    await linkTeam(fake, 'hoi-pn', -1002, 502, 'Lê Thị Mai');
    await stack.app.services.assignment.teamsChanged();
    const CHAT = 7001;
    const last = () => fake!.lastTo(CHAT);
    await fake.text(CHAT, '/start');
    await fake.press(CHAT, 'Làm CCCD tại nhà');
    await fake.press(CHAT, 'Tôi đồng ý');
    await fake.press(CHAT, 'Tôi ở xa');
    await fake.press(CHAT, 'họ đã đồng ý');
    await fake.text(CHAT, 'bà Nguyễn Thị Lành');
    await fake.text(CHAT, '1936');
    await fake.press(CHAT, 'Nằm một chỗ');
    await fake.press(CHAT, 'Xã Tân Hòa');
    await fake.text(CHAT, 'Thôn Hòa Bình');
    // The home's number: the son's own contact would be the wrong one, so no share button.
    expect(last().text).toContain('Số điện thoại ở nhà');
    expect(last().reply_markup?.keyboard).toBeUndefined();
    await fake.text(CHAT, LANDLINE);
    expect(last().text).toContain('Số điện thoại của chính bạn');
    expect(last().reply_markup?.keyboard?.[0]?.[0]).toMatchObject({ request_contact: true });
    // A Korean number too short: the country named, with what its numbers look like.
    await fake.text(CHAT, '+82 123');
    expect(last().text).toContain('Số ở Hàn Quốc này chưa đúng. Số di động ở Hàn Quốc thường có dạng +82 10-');
    // Shared from the phone (Telegram sends it without its "+"): the country and its time zone follow.
    await fake.contact(CHAT, '821012345678');
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes('Đã ghi số của bạn: +82 10-1234-5678, Hàn Quốc'))).toBe(true);
    expect(fake.messagesTo(CHAT).some((m) => m.text.includes('Bạn đang ở Hàn Quốc'))).toBe(true);
    await fake.press(CHAT, 'Làm CCCD lần đầu');
    await fake.press(CHAT, 'Xong');
    await fake.text(CHAT, '28/11');
    await fake.press(CHAT, 'Không có');
    const summary = last().text;
    expect(summary).toContain('Số ở nhà (cán bộ gọi số này trước): 02393856123');
    expect(summary).toContain('Số của bạn: +82 10-1234-5678, Hàn Quốc');
    expect(summary).toContain('Bạn đang ở: Hàn Quốc');
    await fake.press(CHAT, 'Đúng, gửi đi');
    const code = /TB-\w{4}/.exec(fake.messagesTo(CHAT).map((m) => m.text).join('\n'))![0];
    const r = await stack.app.repos.requests.byCode(code);
    await eventually(async () => JSON.stringify(await stack!.app.repos.requests.byCode(code)), (s) => s.includes('"assigned"'), 3000);
    expect(r).toMatchObject({ channel: 'telegram', chatId: String(CHAT), filedFor: 'other', phone: '02393856123', ...KOREAN });

    const card = await eventually(
      () => [...fake!.messagesTo(-1001), ...fake!.messagesTo(-1002)].find((m) => m.text.includes(code)),
      (m) => m !== undefined,
    );
    const home = card!.text.indexOf('📞 Gọi ở nhà: 02393856123');
    const relative = card!.text.indexOf('👪 Người thân báo giúp qua Telegram, số: +82 10-1234-5678, Hàn Quốc');
    expect(home).toBeGreaterThan(0);
    expect(relative).toBeGreaterThan(home);
    expect(card!.text).toContain('🌏 Báo từ nước ngoài (Hàn Quốc): gọi số ở nhà trước, rồi báo người thân sau.');
    // Notices go to the relative's chat (10:00 in Vietnam is noon in Korea: not held).
    await eventually(() => fake!.messagesTo(CHAT).some((m) => m.text.includes(`Yêu cầu <b>${code}</b> đã được giao`)), Boolean);
  });

  it('from a Japanese number over Zalo, typed: the same two contacts; a wrong Japanese number is told its format', async () => {
    zalo = new FakeZalo();
    await zalo.start();
    app = await testApp(testEnv({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: zalo.apiRoot, ZALO_POLL_SECONDS: '1', ZALO_CHAT_INTERVAL_MS: '0', ADMIN_CHAT_ID: 'zalo:duty-1' }), new TestClock());
    const USER = 'zalo-far-1';
    await zalo.text(USER, 'xin chao');
    await zalo.text(USER, 'lam cccd tai nha');
    await zalo.text(USER, 'toi dong y');
    expect(await zalo.text(USER, '3')).toContain('đã đồng ý');
    for (const step of ['1', 'Nguyen Thi Lanh', '1936', 'nam mot cho', 'tan hoa', 'thon Hoa Binh']) await zalo.text(USER, step);
    expect(await zalo.text(USER, LANDLINE)).toContain('Số điện thoại của chính bạn');
    expect(await zalo.text(USER, '+81 12 34')).toContain('Số di động ở Nhật Bản thường có dạng +81 90-');
    // Without its country code a foreign number cannot be read: the message says to type it.
    expect(await zalo.text(USER, '090-1234-5678')).toContain('xin gõ cả mã nước');
    const saved = await zalo.text(USER, '+81 90-1234-5678');
    expect(saved).toContain('Đã ghi số của bạn: +81 90-1234-5678, Nhật Bản');
    await zalo.text(USER, '1,3');
    await zalo.text(USER, '28/11');
    const summary = await zalo.text(USER, 'khong co');
    expect(summary).toContain('Số ở nhà (cán bộ gọi số này trước): 02393856123');
    expect(summary).toContain('Bạn đang ở: Nhật Bản');
    const code = /TB-\w{4}/.exec(await zalo.text(USER, 'dung, gui di'))![0];
    expect(await app.repos.requests.byCode(code)).toMatchObject({
      channel: 'zalo',
      chatId: USER,
      phone: '02393856123',
      relativePhone: '+819012345678',
      relativeCountry: 'JP',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('asks the country once per chat when the number does not tell it, and remembers it for the next request', async () => {
    // Two whole requests in a row: more than a minute's worth of messages for the flood gate.
    app = await testApp({ CHAT_MESSAGES_PER_MINUTE: '200' });
    const c = new Conversation(app);
    const toRelativePhone = async (name: string) => {
      await c.say('/start');
      await c.press('Làm CCCD tại nhà');
      await c.press('Tôi đồng ý');
      await c.press('Tôi ở xa');
      await c.press('họ đã đồng ý');
      for (const s of [name, '1940']) await c.say(s);
      await c.press('Nằm một chỗ');
      for (const s of ['tan hoa', 'thon 3', LANDLINE]) await c.say(s);
    };
    await toRelativePhone('Nguyen Thi Lanh');
    // A Vietnamese number tells nothing (many keep theirs abroad): asked.
    expect(await c.say('0912 345 678')).toContain('Bạn đang ở nước nào?');
    expect(await c.say('Sao Hỏa')).toContain('Chưa tìm thấy nước "Sao Hỏa"');
    expect(await c.say('Đài Loan')).toContain('Đã ghi: bạn đang ở Đài Loan.');
    for (const s of ['1,3', '28/11']) await c.say(s);
    await c.press('Không có');
    await c.press('Đúng, gửi đi');
    const [first] = await app.repos.requests.listByOwner({ channel: 'memory', userId: c.chatId });
    expect(first).toMatchObject({ relativePhone: '+84912345678', relativeCountry: 'TW', timeZone: 'Asia/Taipei' });
    await c.press('Không cần');
    // The next request of the same chat: not asked again.
    await toRelativePhone('Tran Van Ba');
    await c.press('Bỏ qua');
    expect(c.text).toContain('Cần làm việc gì');
    expect(c.text).not.toContain('Bạn đang ở nước nào?');
  });
});

describe('living in another province', () => {
  it('asking where to get a CCCD or VNeID where they live now gets that guidance, not the home commune’s sessions', async () => {
    app = await testApp();
    const c = new Conversation(app);
    const out = await c.say('toi dang lam viec o Binh Duong, ho khau o Ha Tinh, lam can cuoc o dau');
    expect(out).toContain('Đang sống, làm việc ở tỉnh khác?');
    expect(out).toContain('Công an xã/phường nơi bạn đang ở');
    expect(out).not.toContain('Lịch làm căn cước');
    // A relative far away filing for a mother at home is still a home visit.
    expect(app.services.classifier.classify('toi o han quoc, muon lam cccd tai nha cho me').intent).toBe('home_cccd');
  });
});

describe('quiet hours on the relative’s clock', () => {
  it('a notice planned at 23:00 in Korea is held, delayed, until 07:00 there, then delivered', async () => {
    fake = new FakeTelegram();
    await fake.start();
    stack = await startStack(fake);
    // 14:00 UTC: 21:00 in Vietnam, 23:00 in Korea.
    stack.clock.ms = Date.UTC(2026, 10, 23, 14, 0);
    const r = await fileRequest(stack.app, { chatId: 7101, ...KOREAN });
    const jobId = `notify.${r.id}.0.assigned`;
    const planned = Date.now();
    await stack.app.jobs.notifyCitizen(r, 'assigned', 0);
    const queue = stack.app.jobs.queue('outbound');
    // The first "given to a team" waits 2 s anyway (after the confirm's reply); then it is held.
    const job = (await eventually(() => queue.getJob(jobId), (j) => j !== undefined && j.delay > 60_000))!;
    expect(await job.getState()).toBe('delayed');
    // Until 07:00 in Korea (22:00 UTC): 8 hours after it was planned.
    const until = job.timestamp + job.delay;
    expect(Math.abs(until - (planned + 8 * 3600_000))).toBeLessThan(60_000);
    expect(fake.messagesTo(7101)).toEqual([]);
    // 07:00 in Korea: it goes out.
    stack.clock.ms = Date.UTC(2026, 10, 23, 22, 0);
    await job.promote();
    await eventually(() => fake!.messagesTo(7101).some((m) => m.text.includes(`Yêu cầu <b>${r.code}</b> đã được giao`)), Boolean);
  });

  it('the visit time itself and a failed call to the home are not held; the visit time says both clocks: 9:00 in Vietnam, 11:00 in Korea', async () => {
    app = await testApp({}, new TestClock(Date.UTC(2026, 10, 23, 14, 0)));
    const r = await fileRequest(app, { chatId: 7201, ...KOREAN });
    const visit: CitizenRequest = { ...r, visit: { date: '2026-12-05', from: '09:00', to: '10:00' } };
    const say = async (req: CitizenRequest, event: 'visit' | 'assigned' | 'contact_failed') => {
      const [t] = await app!.composer.compose({ kind: 'notify', requestId: req.id, event }, req);
      return { text: renderPlain(t!.reply, app!.translator), notBefore: t!.notBefore };
    };
    const told = await say(visit, 'visit');
    expect(told.text).toContain('thứ Bảy 05/12, 9:00 giờ Việt Nam, tức 11:00 ở Hàn Quốc');
    expect(told.notBefore).toBeUndefined();
    // The officer at the door cannot reach the home: the relative hears it at once, about the home's number.
    const failed = await say(r, 'contact_failed');
    expect(failed.text).toContain(`Cán bộ vừa gọi số ở nhà ${r.phone}`);
    expect(failed.notBefore).toBeUndefined();
    // Any other notice at that hour waits for 07:00 in Korea.
    expect((await say(r, 'assigned')).notBefore).toBe(Date.UTC(2026, 10, 23, 22, 0));
    // In California it is the day before.
    const la = await fileRequest(app, { chatId: 7202, relativePhone: '+12133734253', relativeCountry: 'US', timeZone: 'America/Los_Angeles' });
    expect((await say({ ...la, visit: visit.visit }, 'visit')).text).toContain('9:00 giờ Việt Nam, tức 18:00 thứ Sáu 04/12 ở Hoa Kỳ');
  });
});

describe('erasure', () => {
  it('removes both contacts: the home’s number and the relative’s, with their country and time zone', async () => {
    app = await testApp();
    const r = await fileRequest(app, { chatId: 7301, phone: '02393856123', ...KOREAN });
    expect(await app.repos.requests.byId(r.id)).toMatchObject({ phone: '02393856123', ...KOREAN });
    await app.services.privacy.eraseOwner({ channel: 'telegram', userId: '7301' }, { channel: 'telegram', chatId: '7301', kind: 'private' });
    const after = await app.repos.requests.byId(r.id);
    expect(after?.erasedAt).toBeDefined();
    expect(after).toMatchObject({ phone: '' });
    expect(after?.relativePhone).toBeUndefined();
    expect(after?.relativeCountry).toBeUndefined();
    expect(after?.timeZone).toBeUndefined();
  });
});
