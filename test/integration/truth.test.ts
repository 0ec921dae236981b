import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Conversation } from '../helpers/app.js';
import { FakeTelegram, type SentMessage } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { ADMIN_CHAT, drained, eventually, fileRequest, linkTeam, type Stack, startStack, teamsFile, zaloEnv } from '../helpers/stack.js';

const YOUTH = -1001;
const OFFICER = 501;
const DAY = '2026-11-28';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  await tg?.stop();
  await zalo?.stop();
});

async function start(over: Record<string, string> = {}): Promise<Stack> {
  tg = new FakeTelegram();
  zalo = new FakeZalo();
  await tg.start();
  await zalo.start();
  stack = await startStack(tg, { ...zaloEnv(zalo), ...over });
  return stack;
}

const oneTeam = (capacity: number) =>
  teamsFile([{ id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh'], capabilities: ['home_kit', 'vneid', 'vehicle'], capacityPerDay: capacity }]);
const plain = (m: SentMessage) => m.text.replace(/<[^>]+>/g, '');
const textTo = (chat: number) => tg.messagesTo(chat).map(plain).join('\n');
const cardOf = (code: string) => () => tg.messagesTo(YOUTH).filter((m) => m.text.includes(code));
const buttons = (m: SentMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
const status = async (id: string) => (await stack!.app.repos.requests.byId(id))!;

describe('nothing stuck', { timeout: 60_000 }, () => {
  it('a request no team could take (no group linked yet) is assigned once a group is linked; the reason said is the real one', async () => {
    await start();
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7001 });
    await eventually(() => status(r.id), (x) => x.status === 'unassigned');
    expect((await status(r.id)).reason).toBe('no_team_linked');
    const alert = await eventually(() => tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes(r.code)), (ms) => ms.length === 1);
    expect(alert[0]!.text).toContain('chưa liên kết nhóm');
    expect(alert[0]!.text).not.toContain('không có tổ phụ trách');

    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await eventually(cardOf(r.code), (c) => c.length === 1);
    expect((await status(r.id)).status).toBe('assigned');
    await eventually(() => textTo(7001), (t) => t.includes(`Yêu cầu ${r.code} đã được giao cho Tổ Đoàn Thanh niên`));
  });

  it('a full day frees a place (a cancellation): the waiting request is assigned; the commander was told once', async () => {
    await start({ TEAMS_FILE: oneTeam(1) });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const first = await fileRequest(stack!.app, { chatId: 7101 });
    await eventually(() => status(first.id), (x) => x.status === 'assigned');
    const second = await fileRequest(stack!.app, { chatId: 7102 });
    await eventually(() => status(second.id), (x) => x.status === 'unassigned' && x.reason === 'no_capacity');
    // Another change that frees nothing (a new officer) tries again and gets the same answer: nobody is told twice.
    await stack!.app.services.assignment.teamsChanged();
    await eventually(() => status(second.id), (x) => x.status === 'unassigned');
    await drained(stack!.app);
    await stack!.app.services.requests.cancelByOwner({ channel: 'telegram', userId: '7101' }, first.id);
    await eventually(() => status(second.id), (x) => x.status === 'assigned');
    await eventually(cardOf(second.code), (c) => c.length === 1);
    await drained(stack!.app);
    expect(tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes(second.code))).toHaveLength(1);
    expect(tg.messagesTo(7102).filter((m) => m.text.includes('đang được chỉ huy sắp xếp'))).toHaveLength(1);
  });

  it('a new day tries again whatever no team could take', async () => {
    await start({ TEAMS_FILE: oneTeam(1) });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const far = await fileRequest(stack!.app, { communeId: 'my-loc', chatId: 7201 });
    await eventually(() => status(far.id), (x) => x.status === 'unassigned' && x.reason === 'no_team_for_area');
    // The unit widens the team to that commune in its file; the next start of day picks it up.
    await stack!.app.repos.teams.upsertAll([{ id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh', 'my-loc'], capabilities: ['home_kit'], capacityPerDay: 5 }]);
    const { retention } = await import('../../src/jobs/maintenance.js');
    await retention({
      requests: stack!.app.repos.requests,
      states: stack!.app.repos.states,
      handoffs: stack!.app.repos.handoffs,
      broadcasts: stack!.app.repos.broadcasts,
      audit: stack!.app.repos.audit,
      clock: stack!.clock,
      retentionDays: 90,
      sendDueReminders: async () => 0,
      startOfDay: async () => void (await stack!.app.services.assignment.teamsChanged()),
      flushErased: () => stack!.app.database.flushErased(),
    });
    await eventually(() => status(far.id), (x) => x.status === 'assigned');
  });
});

describe('the citizen hears every turn', { timeout: 60_000 }, () => {
  it('cannot reach: asked to check the phone; a new number typed goes on the card; at the last try, told and the request comes back with a new number', async () => {
    await start({ MAX_CONTACT_ATTEMPTS: '2' });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7301, phone: '0912345678' });
    await eventually(cardOf(r.code), (c) => c.length === 1);
    await tg.press(YOUTH, 'Không liên lạc được', OFFICER, (m) => m.text.includes(r.code));
    await eventually(() => textTo(7301), (t) => t.includes('không liên lạc được') && t.includes('0912345678'));

    const before = tg.messagesTo(7301).length;
    await tg.text(7301, '0987 654 321');
    expect(tg.messagesTo(7301).slice(before).map(plain).join('\n')).toContain(`Đã ghi số mới 0987654321 cho yêu cầu ${r.code}`);
    expect((await status(r.id)).phone).toBe('0987654321');
    await eventually(cardOf(r.code), (c) => c[0]!.text.includes('0987654321'));

    await tg.press(YOUTH, 'Không liên lạc được', OFFICER, (m) => m.text.includes(r.code));
    await eventually(() => status(r.id), (x) => x.status === 'unassigned' && x.reason === 'unreachable');
    await eventually(() => textTo(7301), (t) => t.includes('chuyển về chỉ huy'));
    // Another number: the request goes to a team again, with it.
    await tg.text(7301, '0333 444 555');
    await eventually(() => status(r.id), (x) => x.status === 'assigned' && x.phone === '0333444555');
  });

  it('handed back: the citizen hears it is being passed on', async () => {
    await start();
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7401 });
    await eventually(cardOf(r.code), (c) => c.length === 1);
    await tg.press(YOUTH, 'Trả lại', OFFICER, (m) => m.text.includes(r.code));
    await eventually(cardOf(r.code), (c) => buttons(c[0]!).includes('Không có xe'));
    await tg.press(YOUTH, 'Không có xe', OFFICER, (m) => m.text.includes(r.code));
    await eventually(() => textTo(7401), (t) => t.includes(`Yêu cầu ${r.code} đang được chuyển cho tổ khác làm`));
  });
});

describe('sessions and requests agree', { timeout: 60_000 }, () => {
  const newSession = (date: string, capacity = 0) => ({
    communeId: 'long-thanh',
    date,
    startTime: '07:30',
    endTime: '11:00',
    placeName: 'Nhà văn hóa ấp Long Hưng',
    address: 'Ấp Long Hưng',
    mapUrl: null,
    services: ['cccd' as const],
    homeCapacity: capacity,
    rideCapacity: capacity,
    notes: null,
    createdBy: 'test',
  });

  it('moving a session moves its requests and edits their cards; cancelling sends them back to the commander', async () => {
    await start({ TEAMS_FILE: oneTeam(8) });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const s = await stack!.app.services.sessions.create(newSession(DAY), 'telegram:777');
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7501, type: 'ride', pickupAddress: 'Số 9 ấp Long Hưng', people: 1, sessionId: s.id });
    const card = await eventually(cardOf(r.code), (c) => c.length === 1);
    // A ride card names the session it goes to.
    expect(plain(card[0]!)).toContain('Nhà văn hóa ấp Long Hưng, 07:30–11:00');

    await stack!.app.services.sessions.move(s.id, { date: '2026-12-05' }, 'telegram:777');
    expect((await status(r.id)).preferredDate).toBe('2026-12-05');
    await eventually(cardOf(r.code), (c) => c[0]!.text.includes('05/12/2026') && buttons(c[0]!).includes('✋ Nhận việc'));
    await eventually(() => textTo(7501), (t) => t.includes('05/12/2026'));

    await stack!.app.services.sessions.cancel(s.id, 'telegram:777');
    await eventually(() => status(r.id), (x) => x.status === 'unassigned' && x.reason === 'session_cancelled');
    await eventually(cardOf(r.code), (c) => buttons(c[0]!).length === 0);
    await eventually(() => tg.messagesTo(ADMIN_CHAT).map(plain).join('\n'), (t) => t.includes(r.code) && t.includes('buổi đã bị hủy'));
  });

  it('a full session keeps a wait list: the next is not assigned until a place frees, then told', async () => {
    await start();
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const s = await stack!.app.services.sessions.create(newSession(DAY, 1), 'telegram:777');
    const first = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7601, sessionId: s.id });
    const waiting = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7602, sessionId: s.id, waitlisted: true });
    await eventually(() => status(first.id), (x) => x.status === 'assigned');
    await eventually(() => status(waiting.id), (x) => x.status === 'unassigned' && x.reason === 'waitlist');
    await eventually(() => textTo(7602), (t) => t.includes('danh sách chờ'));
    await stack!.app.services.requests.cancelByOwner({ channel: 'telegram', userId: '7601' }, first.id);
    await eventually(() => status(waiting.id), (x) => x.status === 'assigned' && !x.waitlisted);
    await eventually(() => textTo(7602), (t) => t.includes(`Đã có chỗ cho yêu cầu ${waiting.code}`));
  });

  it('the evening before: subscribers get the venue, a home-visit family its own visit window, a ride family its pickup', async () => {
    const st = await start({ TEAMS_FILE: oneTeam(8) });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    // 18:30 in Vietnam, the day before.
    st.clock.ms = Date.parse('2026-11-27T11:30:00Z');
    const s = await stack!.app.services.sessions.create(newSession(DAY), 'telegram:777');
    const sub = new Conversation(stack!.app, 'sub-1');
    await sub.say('/dangkytin');
    await sub.press('Xã Long Thạnh');
    const home = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7701, sessionId: s.id, preferredDate: DAY });
    const ride = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7702, sessionId: s.id, preferredDate: DAY, type: 'ride', pickupAddress: 'Số 9 ấp Long Hưng', people: 1 });
    await eventually(cardOf(home.code), (c) => c.length === 1);
    await eventually(cardOf(ride.code), (c) => c.length === 1);
    const officer = (await stack!.app.repos.staff.byIdentity({ channel: 'telegram', userId: String(OFFICER) }))!;
    expect(await stack!.app.services.assignment.act(home.id, { kind: 'claim', visit: { date: DAY, from: '09:00', to: '10:00' } }, { staffId: officer.id })).toBe('ok');
    await tg.press(YOUTH, 'Nhận việc', OFFICER, (m) => m.text.includes(ride.code));
    await drained(stack!.app);

    await stack!.app.services.sessions.sendDueReminders();
    await drained(stack!.app);
    await eventually(() => stack!.app.memory.to('sub-1').map((m) => stack!.app.translator.renderAll(m.reply.text)).join('\n'), (t) => t.includes('Nhà văn hóa ấp Long Hưng'));
    const homeText = await eventually(() => textTo(7701), (t) => t.includes('Nhắc lịch'));
    expect(homeText).toContain('cán bộ sẽ đến nhà');
    expect(homeText).toContain('khoảng 9:00–10:00');
    expect(homeText).not.toContain('Nhớ mang theo');
    const rideText = await eventually(() => textTo(7702), (t) => t.includes('Nhắc lịch'));
    expect(rideText).toContain('xe sẽ đón tại Số 9 ấp Long Hưng');
    expect(rideText).toContain('Nhà văn hóa ấp Long Hưng (07:30–11:00)');
  });
});

describe('did the officer come?', { timeout: 60_000 }, () => {
  it('a day after done the citizen is asked; "nobody came" reopens the request and tells the commander; a comment is kept', async () => {
    await start();
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', chatId: 7801 });
    await eventually(cardOf(r.code), (c) => c.length === 1);
    await tg.press(YOUTH, 'Nhận việc', OFFICER, (m) => m.text.includes(r.code));
    await tg.press(YOUTH, 'Đã xong', OFFICER, (m) => m.text.includes(r.code));
    await eventually(cardOf(r.code), (c) => buttons(c[0]!).includes('Đã nhận hồ sơ CCCD'));
    await tg.press(YOUTH, 'Đã nhận hồ sơ CCCD', OFFICER, (m) => m.text.includes(r.code));
    await eventually(() => status(r.id), (x) => x.status === 'done');
    // The question waits a day (a delayed job); run it now.
    const job = await eventually(() => stack!.app.jobs.queue('sla').getJob(`sla.${r.id}.0.feedback`), (j) => j !== undefined);
    expect(job!.opts.delay).toBeGreaterThan(23 * 3600_000);
    await job!.promote();
    const question = await eventually(() => tg.messagesTo(7801).find((m) => m.text.includes('Cán bộ có đến không')), (m) => m !== undefined);
    expect(buttons(question!)).toEqual(['Có đến, tôi hài lòng', 'Có đến, nhưng chưa hài lòng', 'Không có ai đến']);

    const dataOf = (label: string) => (question!.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === label)!.callback_data!;
    const nobody = dataOf('Không có ai đến');
    const satisfied = dataOf('Có đến, tôi hài lòng');
    await tg.pressData(7801, question!.message_id, nobody);
    expect(textTo(7801)).toContain('Yêu cầu đã được mở lại');
    await eventually(() => status(r.id), (x) => x.status === 'unassigned' && x.reason === 'nobody_came' && x.closedAt === undefined);
    await eventually(() => tg.messagesTo(ADMIN_CHAT).map(plain).join('\n'), (t) => t.includes('không có ai đến') && t.includes(r.code));
    const before = tg.messagesTo(7801).length;
    await tg.text(7801, 'Chờ cả buổi sáng không thấy ai');
    expect(tg.messagesTo(7801).slice(before).map(plain).join('\n')).toContain('Cảm ơn bạn đã góp ý');
    const [fb] = await stack!.app.database.db.select().from(stack!.app.database.t.feedback);
    expect(fb).toMatchObject({ requestId: r.id, answer: 'nobody', comment: 'Chờ cả buổi sáng không thấy ai' });
    // Pressed again: answered once.
    const again = tg.messagesTo(7801).length;
    // An old button of the same question (a second phone, a slow network): answered once.
    await tg.pressData(7801, question!.message_id, satisfied);
    expect(tg.messagesTo(7801).slice(again).map(plain).join('\n')).toContain('Bạn đã trả lời câu hỏi này rồi');
  });

  it('on Zalo (no buttons) the number of an answer typed at the menu answers it', async () => {
    await start();
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const r = await fileRequest(stack!.app, { communeId: 'long-thanh', channel: 'zalo', chatId: 'zc-fb' });
    await eventually(cardOf(r.code), (c) => c.length === 1);
    const officer = (await stack!.app.repos.staff.byIdentity({ channel: 'telegram', userId: String(OFFICER) }))!;
    await stack!.app.services.assignment.act(r.id, { kind: 'claim' }, { staffId: officer.id });
    await stack!.app.services.assignment.act(r.id, { kind: 'outcome', outcome: 'cccd_taken' }, { staffId: officer.id });
    await stack!.app.services.feedback.ask(r.id);
    await eventually(() => zalo.textTo('zc-fb'), (t) => t.includes('Cán bộ có đến không') && t.includes('1. Có đến, tôi hài lòng'));
    expect(await zalo.text('zc-fb', '1')).toContain('Cảm ơn bạn đã trả lời');
    expect(await zalo.text('zc-fb', 'bo qua')).toContain('Cảm ơn bạn');
    const [fb] = await stack!.app.database.db.select().from(stack!.app.database.t.feedback);
    expect(fb).toMatchObject({ answer: 'came_ok', comment: null });
  });
});

describe('data that really goes', { timeout: 60_000 }, () => {
  it('a request still open long after its day is closed as expired, the person told, and erased on schedule', async () => {
    const st = await start();
    const r = await fileRequest(stack!.app, { communeId: 'my-loc', chatId: 7901, preferredDate: '2026-10-10', personName: 'Tên Quá Hạn' });
    await eventually(() => status(r.id), (x) => x.status === 'unassigned');
    expect(await stack!.app.services.requests.expireOlderThan('2026-11-23', 30)).toBe(1);
    expect(await status(r.id)).toMatchObject({ status: 'cancelled', reason: 'expired' });
    await eventually(() => textTo(7901), (t) => t.includes(`Yêu cầu ${r.code} (ngày 10/10/2026) đã quá lâu`));
    st.clock.advance(91 * 24 * 3600_000);
    expect(await stack!.app.repos.requests.anonymiseClosedBefore(st.clock.now() - 90 * 24 * 3600_000, st.clock.now())).toBe(1);
    expect((await status(r.id)).personName).toBe('');
  });

  it('after "delete my data" nothing of it is left in the SQLite file or its log, and the audit log no longer names the account', async () => {
    await start();
    const name = 'Nguyễn Văn Xóasạch';
    const r = await fileRequest(stack!.app, { communeId: 'my-loc', chatId: 8001, personName: name, phone: '0977111222' });
    await eventually(() => status(r.id), (x) => x.status === 'unassigned');
    await tg.text(8001, '/xoadulieu');
    await tg.press(8001, '🗑 Xóa hết thông tin của tôi', 8001);
    expect(textTo(8001)).toContain('Đã xóa thông tin của bạn (1 yêu cầu)');
    const dir = stack!.env.DATA_DIR!;
    const files = readdirSync(dir).filter((f) => f.startsWith('bot.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f));
      expect(bytes.includes(Buffer.from(name)), f).toBe(false);
      expect(bytes.includes(Buffer.from('0977111222')), f).toBe(false);
    }
    const actors = (await stack!.app.repos.audit.since(0)).map((e) => e.actor);
    expect(actors).not.toContain('telegram:8001');
    expect(actors.some((a) => a.startsWith('erased:'))).toBe(true);
  });

  it('an officer\'s answer leaves nothing in Redis once it is sent', async () => {
    await start();
    await tg.text(8101, '/start');
    await tg.press(8101, '🙋 Hỏi cán bộ trực');
    await tg.text(8101, 'Cho tôi hỏi giấy tờ cần mang theo');
    const code = /HD-\w{4}/.exec(textTo(8101))![0];
    await tg.text(777, `/traloi ${code} Mang giấy khai sinh của cụ Lành theo nhé`, 777);
    await eventually(() => textTo(8101), (t) => t.includes('Mang giấy khai sinh'));
    await drained(stack!.app);
    const q = stack!.app.jobs.queue('outbound');
    const jobs = await q.getJobs(['completed', 'failed', 'waiting', 'delayed', 'active']);
    expect(jobs.filter((j) => JSON.stringify(j.data).includes('giấy khai sinh'))).toEqual([]);
  });
});

describe('long cards', { timeout: 60_000 }, () => {
  it('a ride card whose text escapes past 4,096 characters is one message, and keeps its buttons after a claim', async () => {
    await start({ TEAMS_FILE: oneTeam(8) });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack!.app.services.assignment.teamsChanged();
    const r = await fileRequest(stack!.app, {
      communeId: 'long-thanh',
      type: 'ride',
      people: 2,
      address: '&'.repeat(200),
      pickupAddress: '&'.repeat(200),
      notes: '<>'.repeat(250),
    });
    const card = await eventually(cardOf(r.code), (c) => c.length >= 1);
    await drained(stack!.app);
    // One message holds it all: no second piece carrying the rest of the notes.
    expect(tg.messagesTo(YOUTH).filter((m) => m.text.includes('&lt;&gt;'))).toHaveLength(1);
    expect(card[0]!.text.length).toBeGreaterThan(4096);
    expect(buttons(card[0]!)).toContain('✋ Nhận việc');
    await tg.press(YOUTH, 'Nhận việc', OFFICER, (m) => m.text.includes(r.code));
    await eventually(cardOf(r.code), (c) => buttons(c[0]!).some((b) => b.includes('Đã xong')));
    expect(cardOf(r.code)()).toHaveLength(1);
  });
});
