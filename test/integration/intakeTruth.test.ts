import { afterEach, describe, expect, it } from 'vitest';
import type { NewSession } from '../../src/core/calendar/service.js';
import { Conversation, startHomeIntake, testApp, type TestApp } from '../helpers/app.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

async function start(over: Record<string, string> = {}): Promise<TestApp> {
  app = await testApp(over);
  return app;
}

interface Person {
  name?: string;
  year?: string;
  commune?: string;
  address?: string;
  phone?: string;
  forRelative?: boolean;
}

/** Up to the commune question, typed as an old phone would. */
async function untilCommune(c: Conversation, p: Person): Promise<void> {
  await startHomeIntake(c, p.forRelative ?? true);
  await c.say(p.name ?? 'Nguyen Van An');
  await c.say(p.year ?? '1940');
  await c.press('Nằm một chỗ');
}

/** A whole home-visit request up to the summary (the calendar is empty unless the test adds sessions). */
async function untilSummary(c: Conversation, p: Person): Promise<void> {
  await untilCommune(c, p);
  await c.say(p.commune ?? 'tan hoa');
  await c.say(p.address ?? 'so 9 ap 2');
  await c.say(p.phone ?? '0912 345 678');
  await c.say('1,3');
  await c.say('28/11');
  await c.press('Không có');
  if (!c.text.includes('Xin kiểm tra lại')) throw new Error(`not at the summary:\n${c.text}`);
}

async function file(c: Conversation, p: Person): Promise<string> {
  await untilSummary(c, p);
  const out = await c.press('Đúng, gửi đi');
  const code = /TB-[A-Z0-9]{4}/.exec(out)?.[0];
  if (!code) throw new Error(`no code in:\n${out}`);
  return code;
}

const owned = (a: TestApp, c: Conversation) => a.repos.requests.listByOwner({ channel: 'memory', userId: c.chatId });

const SESSION: NewSession = {
  communeId: 'tan-hoa',
  date: '2026-11-28',
  startTime: '07:30',
  endTime: '11:30',
  placeName: 'Nhà văn hóa ấp 3',
  address: 'Ấp 3',
  mapUrl: null,
  services: ['cccd'],
  homeCapacity: 0,
  rideCapacity: 0,
  notes: null,
};

describe('asking instead of guessing the commune', () => {
  it('"dong thanh" (no diacritics) is asked back: Xã Đông Thành, or Xã Phước Đông whose old name it is', async () => {
    const a = await start();
    const c = new Conversation(a);
    await untilCommune(c, {});
    const asked = await c.say('dong thanh');
    expect(asked).toContain('"dong thanh" có thể là nhiều nơi. Bạn muốn nói nơi nào?');
    expect(asked).toContain('1. Xã Đông Thành');
    expect(asked).toContain('2. Xã Phước Đông (tên cũ: Xã Đông Thạnh)');
    expect(asked).not.toContain('Địa chỉ nhà ở');
    // The full label folded ("xa dong thanh") is no choice either: it is asked the same way.
    expect(await c.say('xa dong thanh')).toContain('có thể là nhiều nơi');
    await c.press('Xã Phước Đông');
    expect(c.text).toContain('Địa chỉ nhà ở Xã Phước Đông');
  });

  it('"Xã Đông Thạnh" with its diacritics is Phước Đông (its old name), said so; a hamlet leads to its commune', async () => {
    const a = await start();
    const c = new Conversation(a);
    await untilCommune(c, {});
    const out = await c.say('Xã Đông Thạnh');
    expect(out).toContain('Xã Đông Thạnh nay là Xã Phước Đông.');
    expect(out).toContain('Địa chỉ nhà ở Xã Phước Đông');

    const h = new Conversation(a);
    await untilCommune(h, { name: 'Tran Van Ba' });
    const hamlet = await h.say('Ấp Bình Lợi');
    expect(hamlet).toContain('Ấp Bình Lợi thuộc Xã Tân Hòa.');
    expect(hamlet).toContain('Địa chỉ nhà ở Xã Tân Hòa');
    await h.say('so 9');
    await h.say('0912 345 678');
    await h.say('1,3');
    await h.say('28/11');
    await h.press('Không có');
    await h.press('Đúng, gửi đi');
    expect((await owned(a, h))[0]).toMatchObject({ communeId: 'tan-hoa' });
  });

  it('/dangkytin understands a typed commune the same way (names, old names, hamlets, asked when several)', async () => {
    const a = await start();
    const c = new Conversation(a);
    await c.say('/dangkytin');
    expect(await c.say('tan hoa')).toContain('Đã đăng ký nhận thông báo của Xã Tân Hòa');
    await c.say('/dangkytin');
    expect(await c.say('dong thanh')).toContain('có thể là nhiều nơi');
    await c.press('Xã Phước Đông');
    expect(c.text).toContain('Đã đăng ký nhận thông báo của Xã Phước Đông');
    await c.say('/dangkytin');
    expect(await c.say('ap rach dao')).toContain('Ấp Rạch Đào thuộc Xã Đông Thành');
    expect(c.text).toContain('Đã đăng ký nhận thông báo của Xã Đông Thành');
    expect((await a.services.sessions.subscribedCommunes('memory', c.chatId)).sort()).toEqual(['dong-thanh', 'phuoc-dong', 'tan-hoa']);
  });
});

describe('input that should pass, or be cleaned', () => {
  it('a two-digit year or an age is asked back; "sinh năm 1941" is taken; "không nhớ" files the year as unknown', async () => {
    const a = await start();
    const c = new Conversation(a);
    await startHomeIntake(c, true);
    await c.say('Nguyen Van Tu');
    expect(await c.say('41')).toContain('Có phải người đó sinh năm 1941 không?');
    expect(await c.say('co')).toContain('Vì sao người đó khó tự đến nơi làm CCCD?');
    expect(JSON.parse((await a.repos.states.get(`memory:${c.chatId}`))!).draft.birthYear).toBe(1941);

    const d = new Conversation(a);
    await startHomeIntake(d, true);
    await d.say('Nguyen Van Nam');
    expect(await d.say('85 tuổi')).toContain('Người đó 85 tuổi, vậy là sinh khoảng năm 1941, đúng không?');
    expect(await d.press('Không, gõ lại')).toContain('Xin gõ đủ 4 số của năm sinh');
    expect(await d.say('sinh năm 1940')).toContain('khó tự đến nơi làm CCCD');
    expect(JSON.parse((await a.repos.states.get(`memory:${d.chatId}`))!).draft.birthYear).toBe(1940);

    const u = new Conversation(a);
    await untilSummary(u, { name: 'Le Thi Sau', year: 'khong nho' });
    expect(u.text).toContain('Năm sinh: không rõ');
    await u.press('Đúng, gửi đi');
    expect((await owned(a, u))[0]).toMatchObject({ personName: 'Le Thi Sau', birthYear: 0 });
  });

  it('+840912345678 is a mobile; a landline is taken with a kind note that a mobile is better', async () => {
    const a = await start();
    const c = new Conversation(a);
    await untilCommune(c, {});
    await c.say('tan hoa');
    await c.say('so 9');
    expect(await c.say('+840912345678')).toContain('Đã ghi số 0912345678.');

    const l = new Conversation(a);
    await untilCommune(l, { name: 'Tran Van Ba' });
    await l.say('tan hoa');
    await l.say('so 9');
    const saved = await l.say('0272 3 123 456');
    expect(saved).toContain('Đã ghi số 02723123456.');
    expect(saved).toContain('Đây là số máy bàn');
    expect(saved).toContain('số di động thì tốt hơn');
    await l.say('1,3');
    await l.say('28/11');
    await l.press('Không có');
    await l.press('Đúng, gửi đi');
    expect((await owned(a, l))[0]).toMatchObject({ phone: '02723123456' });
  });

  it('invisible, bidi-override and control characters never reach what is stored (names, addresses, notes, questions)', async () => {
    const a = await start({ ADMIN_CHAT_ID: 'memory:duty' });
    const c = new Conversation(a);
    await startHomeIntake(c, true);
    // Nothing but invisible letters is no name at all.
    expect(await c.say('\u3164\u3164\u200B')).toContain('Tin nhắn trống');
    await c.say('Nguy\u200Bễn\u2060 Văn\u202E An\u3164');
    await c.say('1940');
    await c.press('Nằm một chỗ');
    await c.say('tan hoa');
    await c.say('Số 7\u202E đường 3\u202C, ấp\u2066 Bình Lợi\u2069');
    await c.say('0912\u200B 345 678');
    await c.say('1,3');
    await c.say('28/11');
    await c.say('gọi\u0085 trước\uFEFF khi\u009B đến');
    await c.press('Đúng, gửi đi');
    expect((await owned(a, c))[0]).toMatchObject({
      personName: 'Nguyễn Văn An',
      address: 'Số 7 đường 3, ấp Bình Lợi',
      phone: '0912345678',
      notes: 'gọi trước khi đến',
    });

    const q = new Conversation(a);
    await q.say('/start');
    await q.press('Hỏi cán bộ trực');
    const sent = await q.say('Cho hỏi\u202E lịch\u200B làm\u0085 CCCD');
    const code = /HD-[A-Z0-9]{4}/.exec(sent)?.[0];
    expect(code, sent).toBeDefined();
    expect((await a.repos.handoffs.byCode(code!))?.question).toBe('Cho hỏi lịch làm CCCD');
  });
});

describe('wording', () => {
  it('"Cho chính tôi" is asked about "you"; a relative\'s request about "that person"', async () => {
    const a = await start();
    const self = new Conversation(a);
    await startHomeIntake(self, false);
    expect(self.text).toContain('Họ và tên của bạn?');
    expect(await self.say('Pham Van Dong')).toContain('Bạn sinh năm nào?');
    expect(await self.say('41')).toContain('Có phải bạn sinh năm 1941 không?');
    const condition = await self.say('1941');
    expect(condition).toContain('Vì sao bạn khó tự đến nơi làm CCCD?');
    expect(await self.press('Tuổi cao')).toContain('Bạn ở xã/phường nào?');
    expect(self.text).not.toContain('Người đó');

    const other = new Conversation(a);
    await startHomeIntake(other, true);
    expect(other.text).toContain('Họ và tên của người cần làm CCCD?');
    expect(await other.say('Pham Van Dong')).toContain('Người đó sinh năm nào?');
    expect(await other.say('1941')).toContain('Vì sao người đó khó tự đến nơi làm CCCD?');
    expect(await other.press('Tuổi cao')).toContain('Người đó ở xã/phường nào?');
  });

  it('every choice answers the condition question: "living alone" is a reason, not a way of getting about', async () => {
    const a = await start();
    const c = new Conversation(a);
    await startHomeIntake(c, true);
    await c.say('Pham Van Dong');
    const asked = await c.say('1941');
    expect(asked).not.toContain('đi lại thế nào');
    expect(asked).toContain('Vì sao người đó khó tự đến nơi làm CCCD?');
    expect(asked).toContain('Sống một mình, không có ai đưa đi');
    await c.press('Sống một mình');
    await c.say('tan hoa');
    await c.say('so 9');
    await c.say('0912 345 678');
    await c.say('1,3');
    await c.say('28/11');
    expect(await c.press('Không có')).toContain('Hoàn cảnh: Sống một mình, không có ai đưa đi');
  });

  it('with no UNIT_PHONE (the console) "call us" lines show a plainly fake number, never 113', async () => {
    const a = await start({ UNIT_PHONE: '' });
    const c = new Conversation(a);
    const none = await c.say('/lich');
    expect(none).toContain('Hỏi thêm: gọi 0000 000 000 (số ví dụ)');
    expect(none).not.toContain('113');
  });

  it('a session moved tells its subscribers nothing about "your request" they never filed', async () => {
    const a = await start();
    const moved = a.translator.render({
      key: 'calendar:notice.session_moved',
      params: { commune: 'Xã Tân Hòa', oldDate: '28/11/2026', oldTime: '07:30–11:30', oldPlace: 'Nhà văn hóa', date: '05/12/2026', time: '07:30–11:30', place: 'Nhà văn hóa', address: 'Ấp 3' },
    });
    expect(moved).not.toContain('Yêu cầu của bạn');
    expect(moved).toContain('Ai đã gửi yêu cầu cho buổi này thì không cần gửi lại');
  });
});

describe('the day: real sessions, their places, and no invented ones', () => {
  it('an empty calendar is said plainly and the day they would like is asked (no "Thứ 7, 28/11/2026" choices)', async () => {
    const a = await start();
    const c = new Conversation(a);
    await untilCommune(c, {});
    await c.say('tan hoa');
    await c.say('so 9');
    await c.say('0912 345 678');
    const asked = await c.say('1,3');
    expect(asked).toContain('Hiện chưa có lịch buổi nào ở Xã Tân Hòa. Bạn muốn cán bộ đến nhà vào ngày nào? Xin gõ ngày');
    expect(asked).not.toContain('Thứ 7,');
    expect(c.replies.at(-1)?.options).toBeUndefined();
    await c.say('28/11');
    await c.press('Không có');
    await c.press('Đúng, gửi đi');
    expect((await owned(a, c))[0]).toMatchObject({ preferredDate: '2026-11-28' });
    expect((await owned(a, c))[0]?.sessionId).toBeUndefined();
  });

  it('a chosen session is recorded; a full one is offered as a wait list, and a request filed so waits', async () => {
    const a = await start();
    const full = await a.services.sessions.create({ ...SESSION, homeCapacity: 1 }, 'test');
    const open = await a.services.sessions.create({ ...SESSION, date: '2026-12-05', placeName: 'Trụ sở ấp 2' }, 'test');

    const first = new Conversation(a);
    await untilCommune(first, { name: 'Le Van Mot' });
    for (const step of ['tan hoa', 'so 1', '0911 111 111']) await first.say(step);
    const offered = await first.say('1,3');
    expect(offered).toContain('28/11/2026 · 07:30–11:30 · Nhà văn hóa ấp 3');
    expect(offered).not.toContain('đăng ký chờ');
    await first.press('28/11/2026 · 07:30–11:30');
    await first.press('Không có');
    expect(first.text).not.toContain('danh sách chờ');
    expect(await first.press('Đúng, gửi đi')).not.toContain('danh sách chờ');
    const r1 = (await owned(a, first))[0];
    expect(r1).toMatchObject({ sessionId: full.id, preferredDate: '2026-11-28' });
    expect(r1?.waitlisted).toBeUndefined();

    const second = new Conversation(a);
    await untilCommune(second, { name: 'Le Van Hai' });
    for (const step of ['tan hoa', 'so 2', '0922 222 222']) await second.say(step);
    const now = await second.say('1,3');
    expect(now).toContain('28/11/2026 · 07:30–11:30 · Nhà văn hóa ấp 3 · đã đủ chỗ, đăng ký chờ');
    // A capacity not set (0) is no limit: offered as usual.
    expect(now).toContain('05/12/2026 · 07:30–11:30 · Trụ sở ấp 2');
    expect(now).not.toContain('Trụ sở ấp 2 · đã đủ chỗ');
    await second.press('đăng ký chờ');
    const summary = await second.press('Không có');
    expect(summary).toContain('Buổi này đã đủ chỗ: yêu cầu sẽ vào danh sách chờ.');
    const done = await second.press('Đúng, gửi đi');
    expect(done).toContain('Buổi 28/11/2026 đã đủ chỗ, nên yêu cầu của bạn đang ở danh sách chờ');
    expect((await owned(a, second))[0]).toMatchObject({ sessionId: full.id, waitlisted: true });

    // Typing the full session's day is choosing that session: it waits too.
    const third = new Conversation(a);
    await untilCommune(third, { name: 'Le Van Ba' });
    for (const step of ['tan hoa', 'so 3', '0933 333 333', '1,3']) await third.say(step);
    await third.press('Ngày khác');
    await third.say('28/11');
    await third.press('Không có');
    await third.press('Đúng, gửi đi');
    expect((await owned(a, third))[0]).toMatchObject({ sessionId: full.id, waitlisted: true });

    const fourth = new Conversation(a);
    await untilCommune(fourth, { name: 'Le Van Bon' });
    for (const step of ['tan hoa', 'so 4', '0944 444 444', '1,3']) await fourth.say(step);
    await fourth.press('Trụ sở ấp 2');
    await fourth.press('Không có');
    await fourth.press('Đúng, gửi đi');
    const r4 = (await owned(a, fourth))[0];
    expect(r4).toMatchObject({ sessionId: open.id, preferredDate: '2026-12-05' });
    expect(r4?.waitlisted).toBeUndefined();
  });

  it('a session that filled up between the choice and the confirm files the request on its wait list, and says so', async () => {
    const a = await start();
    const s = await a.services.sessions.create({ ...SESSION, homeCapacity: 1 }, 'test');
    const late = new Conversation(a);
    await untilCommune(late, { name: 'Le Van Cham' });
    for (const step of ['tan hoa', 'so 5', '0955 555 555', '1,3']) await late.say(step);
    await late.press('28/11/2026 · 07:30–11:30');
    await late.press('Không có');
    // Meanwhile someone else takes the last place.
    const quick = new Conversation(a);
    await untilCommune(quick, { name: 'Le Van Nhanh' });
    for (const step of ['tan hoa', 'so 6', '0966 666 666', '1,3']) await quick.say(step);
    await quick.press('28/11/2026 · 07:30–11:30');
    await quick.press('Không có');
    await quick.press('Đúng, gửi đi');
    expect(await late.press('Đúng, gửi đi')).toContain('đang ở danh sách chờ');
    expect((await owned(a, late))[0]).toMatchObject({ sessionId: s.id, waitlisted: true });
  });

  it('a session chosen in one commune is dropped when the commune is changed from the summary: the day is asked again', async () => {
    const a = await start();
    await a.services.sessions.create({ ...SESSION }, 'test');
    const c = new Conversation(a);
    await untilCommune(c, { name: 'Le Van Doi' });
    for (const step of ['tan hoa', 'so 7', '0977 777 777', '1,3']) await c.say(step);
    await c.press('28/11/2026 · 07:30–11:30');
    await c.press('Không có');
    await c.press('Sửa');
    await c.press('Xã/phường');
    await c.say('long thanh');
    expect(await c.say('ap Long Hung')).toContain('Hiện chưa có lịch buổi nào ở Xã Long Thạnh');
    await c.say('5/12');
    await c.press('Đúng, gửi đi');
    const r = (await owned(a, c))[0];
    expect(r).toMatchObject({ communeId: 'long-thanh', preferredDate: '2026-12-05' });
    expect(r?.sessionId).toBeUndefined();
  });
});

describe('limits, said kindly', () => {
  it('at most MAX_OPEN_REQUESTS open requests per chat: told after consent, with what to do instead, nothing stored', async () => {
    const a = await start({ MAX_OPEN_REQUESTS: '2' });
    const c = new Conversation(a);
    await file(c, { name: 'Le Van Mot', phone: '0911 000 001' });
    await file(c, { name: 'Le Van Hai', phone: '0911 000 002' });
    await c.say('/start');
    await c.press('Làm CCCD tại nhà');
    const refused = await c.press('Tôi đồng ý');
    expect(refused).toContain('Bạn đang có 2 yêu cầu chưa xong, đã đủ mức 2 yêu cầu cùng lúc');
    expect(refused).toContain('/trangthai');
    expect(refused).toContain('/huy');
    expect(refused).toContain('gọi 0272 3 123 456');
    expect(refused).toContain('Cần giúp việc gì');
    expect(await owned(a, c)).toHaveLength(2);
    // A request cancelled frees its place.
    await c.say('/huy');
    await c.press('Le Van Mot');
    await c.press('Hủy yêu cầu');
    await file(c, { name: 'Le Van Ba', phone: '0911 000 003' });
    expect((await owned(a, c)).filter((r) => r.status === 'new')).toHaveLength(2);
  });

  it('at most MAX_OPEN_REQUESTS open requests per phone number, whichever chat files them', async () => {
    const a = await start({ MAX_OPEN_REQUESTS: '2' });
    await file(new Conversation(a), { name: 'Le Van Mot', phone: '0912 345 678' });
    await file(new Conversation(a), { name: 'Le Van Hai', phone: '+84 912 345 678' });
    const third = new Conversation(a);
    await untilCommune(third, { name: 'Le Van Ba' });
    await third.say('tan hoa');
    await third.say('so 3');
    const refused = await third.say('0912.345.678');
    expect(refused).toContain('Số 0912345678 đã có 2 yêu cầu chưa xong');
    expect(refused).toContain('Cần giúp việc gì');
    expect(await owned(a, third)).toEqual([]);
  });

  it('the same person (name folded, year, commune) with an open request gets its code and status instead of a new one', async () => {
    const a = await start();
    const first = new Conversation(a);
    const code = await file(first, { name: 'Nguyễn Văn An', phone: '0911 111 111' });

    const relative = new Conversation(a);
    await untilCommune(relative, { name: 'nguyen van  an' });
    const refused = await relative.say('tan hoa');
    expect(refused).toContain(`nguyen van an đã có yêu cầu ${code} (Đã nhận, đang chờ phân công), nên không cần gửi thêm`);
    expect(refused).toContain('do một người khác gửi');
    expect(refused).toContain('gọi 0272 3 123 456');
    expect(await owned(a, relative)).toEqual([]);

    // From the chat that filed it: how to see or cancel it.
    await untilCommune(first, { name: 'NGUYEN VAN AN' });
    const again = await first.say('Xã Tân Hòa');
    expect(again).toContain(`đã có yêu cầu ${code}`);
    expect(again).toContain('/trangthai');
    // Another year or another commune is another person.
    await file(relative, { name: 'Nguyen Van An', year: '1941', phone: '0922 222 222' });
    expect(await owned(a, relative)).toHaveLength(1);
  });

  it('is checked again at the confirm: filed meanwhile by someone else, nothing is half-saved', async () => {
    const a = await start();
    const slow = new Conversation(a);
    await untilSummary(slow, { name: 'Tran Thi Ba', year: '1950', phone: '0933 333 333' });
    const fast = new Conversation(a);
    const code = await file(fast, { name: 'Trần Thị Ba', year: '1950', phone: '0944 444 444' });
    const refused = await slow.press('Đúng, gửi đi');
    expect(refused).toContain(`đã có yêu cầu ${code}`);
    expect(refused).not.toMatch(/Mã yêu cầu của bạn/);
    expect(await owned(a, slow)).toEqual([]);
    expect(JSON.parse((await a.repos.states.get(`memory:${slow.chatId}`))!).draft).toEqual({});
  });
});
