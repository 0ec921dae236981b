import { afterEach, describe, expect, it } from 'vitest';
import { Conversation } from '../helpers/app.js';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { drained, eventually, fileRequest, type Stack, startStack, zaloEnv } from '../helpers/stack.js';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  await tg?.stop();
  await zalo?.stop();
});

async function start(): Promise<void> {
  tg = new FakeTelegram();
  zalo = new FakeZalo();
  await tg.start();
  await zalo.start();
  stack = await startStack(tg, zaloEnv(zalo));
}

// The commander and the citizens talk on the in-memory channel; notices also go to Zalo and Telegram.
const admin = () => new Conversation(stack!.app, 'admin');
const citizen = (id: number) => new Conversation(stack!.app, String(id));
const textsTo = (chat: number | string) => stack!.app.memory.to(String(chat)).map((m) => stack!.app.translator.renderAll(m.reply.text)).join('\n');
const countTo = (chat: number) => stack!.app.memory.to(String(chat)).length;

/** The admin adds a session step by step: commune, day, time, place, address, services. */
async function addSession(a: Conversation, commune: string, day: string, place: string): Promise<void> {
  await a.say('/phien');
  await a.press('Thêm buổi');
  await a.say(commune);
  await a.press(day);
  await a.say('7:30-11:30');
  await a.say(place);
  await a.say('Ấp 3, đường số 5');
  await a.press('Xong');
  expect(a.text).toContain('Thêm buổi:');
  await a.press('Lưu');
  expect(a.text).toContain('Đã thêm buổi');
}

describe('session calendar', { timeout: 60_000 }, () => {
  it('add, move and cancel a session: its commune\'s subscribers and those with a request for it are told, nobody else', async () => {
    await start();
    const sub = citizen(3001);
    await sub.say('/dangkytin');
    await sub.press('Xã Tân Hòa');
    expect(sub.text).toContain('Đã đăng ký nhận thông báo của Xã Tân Hòa');
    const other = citizen(3002);
    await other.say('/dangkytin');
    await other.press('Xã Long Thạnh');

    const a = admin();
    const heardBefore = countTo(3001);
    await addSession(a, 'tan hoa', '28/11/2026', 'Nhà văn hóa ấp 3');
    await a.press('Số nhận tại nhà');
    expect(await a.say('mười')).toContain('Xin gõ hai số');
    await a.say('10 5');
    await a.press('Link bản đồ');
    await a.say('https://maps.example/nvh-ap3');
    expect(a.text).toContain('Nhận làm tại nhà: 10 · xe đưa đón: 5');
    expect(a.text).toContain('Bản đồ: https://maps.example/nvh-ap3');
    await eventually(() => textsTo(3001), (t) => t.includes('Xã Tân Hòa</b> có buổi làm căn cước') && t.includes('28/11/2026'));
    // Editing details (capacity, map) changes nobody's plans: nobody is told.
    await drained(stack!.app);
    expect(countTo(3001)).toBe(heardBefore + 1);
    expect(textsTo(3002)).not.toContain('Nhà văn hóa ấp 3');

    // A citizen files for that session: the intake offers it by its real day, time and place.
    const filer = citizen(3003);
    await filer.say('/start');
    await filer.press('Làm CCCD tại nhà');
    await filer.press('Tôi đồng ý');
    await filer.press('Cho chính tôi');
    for (const step of ['Tran Van Ba', '1938']) await filer.say(step);
    await filer.press('Nằm một chỗ');
    for (const step of ['tan hoa', 'so 9 ap 2', '0912 000 111', '1,3']) await filer.say(step);
    expect(filer.text).toContain('28/11/2026 · 07:30–11:30 · Nhà văn hóa ấp 3');
    await filer.press('28/11/2026 · 07:30–11:30');
    await filer.press('Không có');
    await filer.press('Đúng, gửi đi');
    // After the request: be told about the commune's sessions?
    expect(filer.text).toContain('Bạn có muốn nhận tin nhắn báo lịch');
    await filer.press('Không cần');

    // Move it a week later.
    await a.say('/phien');
    await a.press('28/11/2026 · Xã Tân Hòa');
    await a.press('Dời lịch');
    await a.press('05/12/2026');
    await a.press('Giữ như cũ');
    await a.press('Giữ như cũ');
    expect(a.text).toContain('Sẽ báo cho 2 người');
    await a.press('Lưu');
    for (const chat of [3001, 3003]) {
      await eventually(() => textsTo(chat), (t) => t.includes('Đổi lịch') && t.includes('chuyển sang ngày <b>05/12/2026</b>'));
    }
    await drained(stack!.app);
    expect(textsTo(3002)).not.toContain('Đổi lịch');

    // Cancel it.
    await a.say('/phien');
    await a.press('05/12/2026 · Xã Tân Hòa');
    await a.press('Hủy buổi');
    await a.press('Hủy buổi này');
    expect(a.text).toContain('Đã hủy buổi');
    await eventually(() => textsTo(3001), (t) => t.includes('Hủy buổi</b> ở Xã Tân Hòa ngày 05/12/2026'));
    await drained(stack!.app);
    expect(textsTo(3002)).not.toContain('Hủy buổi');
    expect(await stack!.app.services.sessions.upcoming('tan-hoa')).toEqual([]);
  });

  it('every Saturday, rotating communes: the next weeks are generated, and the schedule is answered per commune', async () => {
    await start();
    const a = admin();
    await a.say('/phien');
    await a.press('Tạo lịch thứ Bảy xoay vòng');
    const names = stack!.app.services.areas.communes().map((c) => c.name);
    const n = (name: string) => names.indexOf(name) + 1;
    await a.say(`${n('Xã Tân Hòa')},${n('Xã Long Thạnh')}`);
    await a.say('4');
    await a.say('18-23');
    await a.say('Nhà văn hóa xã');
    expect(a.text).toContain('• 28/11/2026: Xã Tân Hòa');
    expect(a.text).toContain('• 05/12/2026: Xã Long Thạnh');
    await a.press('Lưu');
    expect(a.text).toContain('Đã tạo 4 buổi');
    const all = await stack!.app.services.sessions.upcoming(undefined, 10);
    expect(all.map((s) => `${s.date} ${s.communeId} ${s.startTime}`)).toEqual([
      '2026-11-28 tan-hoa 18:00',
      '2026-12-05 long-thanh 18:00',
      '2026-12-12 tan-hoa 18:00',
      '2026-12-19 long-thanh 18:00',
    ]);

    // Asked in words, with the commune named: only that commune's sessions.
    const c = citizen(3101);
    const answer = await c.say('thu 7 nay lam can cuoc o xa long thanh');
    expect(answer).toContain('Các buổi sắp tới ở Xã Long Thạnh');
    expect(answer).toContain('05/12/2026');
    expect(answer).not.toContain('28/11/2026');
    await c.press('05/12/2026 · Xã Long Thạnh');
    expect(c.text).toContain('Tại: Nhà văn hóa xã');
    // Subscribe from there, then stop.
    await c.press('Xem các buổi khác');
    await c.press('Nhận thông báo của Xã Long Thạnh');
    expect(await stack!.app.services.sessions.subscribedCommunes('memory', '3101')).toEqual(['long-thanh']);
    expect(await c.say('/huytin')).toContain('Đã thôi nhận mọi thông báo');
    // Delete-my-data takes the subscriptions too.
    await c.say('/dangkytin');
    await c.press('Xã Tân Hòa');
    await c.say('/xoadulieu');
    await c.press('Xóa hết');
    expect(await stack!.app.services.sessions.subscribedCommunes('memory', '3101')).toEqual([]);
    // Without a commune: every commune's sessions.
    expect(await c.say('/lich')).toContain('Các buổi "Ngày thứ 7 vì dân" sắp tới');
  });

  it('the evening reminder goes out at 18:00 local time the day before, once, to the commune\'s subscribers (a family with a request gets its own, see truth.test.ts)', async () => {
    await start();
    const a = admin();
    await addSession(a, 'long thanh', '28/11/2026', 'Trụ sở ấp Long Hưng');
    await stack!.app.services.sessions.subscribe('zalo', 'zalo-sub-1', 'long-thanh');
    await stack!.app.services.sessions.subscribe('memory', '3201', 'tan-hoa');
    await fileRequest(stack!.app, { chatId: 3202, channel: 'memory', communeId: 'long-thanh', preferredDate: '2026-11-28' });
    await fileRequest(stack!.app, { chatId: 3203, channel: 'memory', communeId: 'long-thanh', preferredDate: '2026-12-05' });
    const clock = stack!.clock;
    clock.ms = Date.UTC(2026, 10, 27, 10, 59); // Friday 17:59 in Vietnam
    expect(await stack!.app.services.sessions.sendDueReminders()).toBe(0);
    clock.ms = Date.UTC(2026, 10, 27, 11, 0); // 18:00
    expect(await stack!.app.services.sessions.sendDueReminders()).toBe(1);
    expect(await stack!.app.services.sessions.sendDueReminders()).toBe(1);
    await eventually(() => zalo.textTo('zalo-sub-1'), (t) => t.includes('Nhắc lịch: ngày mai 28/11/2026'));
    await drained(stack!.app);
    expect(zalo.to('zalo-sub-1').filter((m) => m.text.includes('Nhắc lịch')).length).toBe(1);
    // Its request has no team yet: nobody is coming, so no venue reminder that would say otherwise.
    expect(textsTo(3202)).not.toContain('Nhắc lịch');
    expect(textsTo(3201)).not.toContain('Nhắc lịch');
    expect(textsTo(3203)).not.toContain('Nhắc lịch');
  });
});

describe('announcements from the admin chat', { timeout: 60_000 }, () => {
  it('text, communes, preview with the count, confirm: each subscriber of those communes gets it once, on Telegram and Zalo', async () => {
    await start();
    const { sessions } = stack!.app.services;
    await sessions.subscribe('memory', '3301', 'tan-hoa');
    await sessions.subscribe('zalo', 'zalo-3302', 'long-thanh');
    await sessions.subscribe('telegram', '3303', 'my-loc');
    const a = admin();
    await a.say('/thongbao');
    await a.say('Thứ Bảy này mưa to, buổi làm căn cước dời sang Chủ nhật.');
    await a.press('Chọn xã');
    await a.press('Xã Tân Hòa');
    await a.press('Xã Long Thạnh');
    await a.press('Xong');
    expect(a.text).toContain('Thông báo sẽ gửi tới 2 người');
    expect(a.text).toContain('Thông báo của Công an xã Tân Hòa');
    await a.press('Gửi');
    expect(a.text).toContain('Đã bắt đầu gửi tới 2 người');
    await eventually(() => textsTo(3301), (t) => t.includes('dời sang Chủ nhật'));
    await eventually(() => zalo.textTo('zalo-3302'), (t) => t.includes('dời sang Chủ nhật'));
    await eventually(() => textsTo('admin'), (t) => t.includes('Đã gửi xong: 2/2'));
    await drained(stack!.app);
    expect(tg.messagesTo(3303).map((m) => m.text).join('\n')).not.toContain('dời sang Chủ nhật');
    // The record: who sent what, to how many, with what result.
    const record = (await stack!.app.repos.broadcasts.latest(1))[0]!;
    expect(record).toMatchObject({ createdBy: 'memory:admin', total: 2, sent: 2, status: 'done', content: { text: 'Thứ Bảy này mưa to, buổi làm căn cước dời sang Chủ nhật.' } });
    expect(await a.say('/lichsugui')).toContain('đã gửi 2/2 · lỗi 0 · chặn bot 0 · xong');

    // With a photo (Telegram): the photo, then the text; Zalo gets the text.
    await a.say('/thongbao');
    await a.send({ photo: 'photo-file-1', text: 'Ảnh sơ đồ điểm làm căn cước', deliveryId: 'p1' });
    await a.press('Tất cả người đăng ký');
    await a.press('Gửi');
    await eventually(() => tg.messagesTo(3303).map((m) => m.text).join('\n'), (t) => t.includes('[photo photo-file-1]') && t.includes('Ảnh sơ đồ điểm làm căn cước'));
    await eventually(() => zalo.textTo('zalo-3302'), (t) => t.includes('Ảnh sơ đồ điểm làm căn cước'));
  });

  it('a non-admin cannot announce or keep the calendar, and rights are checked again at every step', async () => {
    await start();
    const c = citizen(3401);
    // A photo is only taken by an announcement; anywhere else it gets the kind "text only" answer.
    expect(await c.send({ photo: 'photo-x', text: '', deliveryId: 'ph1' })).toContain('tôi chỉ đọc được chữ');
    expect(await c.say('/thongbao')).toContain('chỉ dành cho chỉ huy');
    expect(await c.say('/phien')).toContain('chỉ dành cho chỉ huy');
    expect(await c.say('/dunggui')).toContain('chỉ dành cho chỉ huy');
    expect(await c.send({ option: { id: 'bc:stop:some-announcement', nonce: 0 } })).toContain('chỉ dành cho chỉ huy');
    expect(await admin().send({ option: { id: 'bc:stop:some-announcement', nonce: 0 } })).toContain('không còn đang gửi');

    // A commander added in chat can announce; removed halfway, the next step is refused.
    const root = admin();
    expect(await root.say('/quantri them memory:3402')).toContain('Đã thêm memory:3402 làm chỉ huy');
    const helper = citizen(3402);
    expect(await helper.say('/thongbao')).toContain('Gõ nội dung thông báo');
    await helper.say('Thông báo thử');
    await root.say('/quantri xoa memory:3402');
    expect(await helper.press('Tất cả người đăng ký')).toContain('chỉ dành cho chỉ huy');
    expect(await stack!.app.repos.broadcasts.latest(5)).toEqual([]);
    // A commander added in chat cannot add others.
    await root.say('/quantri them memory:3403');
    expect(await citizen(3403).say('/quantri them memory:3404')).toContain('Chỉ chỉ huy gốc');
  });
});
