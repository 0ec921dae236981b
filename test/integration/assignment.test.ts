import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram, type SentMessage } from '../helpers/fakeTelegram.js';
import { ADMIN_CHAT, drained, eventually, fileRequest, linkTeam, onDialect, type Stack, startStack, teamsFile } from '../helpers/stack.js';
import { DIALECTS, pgAvailable } from '../helpers/db.js';

const YOUTH = -1001;
const WOMEN = -1002;
const CARS = -1003;
const OFFICER_Y = 501;
const OFFICER_W = 502;
const OFFICER_C = 503;
const STRANGER = 599;

let fake: FakeTelegram;
let stack: Stack;

async function start(over: Record<string, string> = {}, teams?: Parameters<typeof teamsFile>[0]) {
  stack = await startStack(fake, {
    ...(teams ? { TEAMS_FILE: teamsFile(teams) } : {}),
    ...over,
  });
  await linkTeam(fake, 'doan-tn', YOUTH, OFFICER_Y, 'Trần Văn Hùng');
  await linkTeam(fake, 'hoi-pn', WOMEN, OFFICER_W, 'Lê Thị Mai');
  await linkTeam(fake, 'to-xe', CARS, OFFICER_C, 'Phạm Văn Tài');
  await stack.app.services.assignment.teamsChanged();
}

beforeEach(async () => {
  fake = new FakeTelegram();
  await fake.start();
});
afterEach(async () => {
  await stack?.stop();
  await fake.stop();
});

const cardOf = (group: number, code: string) => () => fake.messagesTo(group).filter((m) => m.text.includes(code));
const cardIn = (group: number, code: string) => eventually(cardOf(group, code), (c) => c.length > 0).then((c) => c[0]!);
const buttons = (m: SentMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
const statusOf = async (id: string) => (await stack.app.repos.requests.byId(id))?.status;

describe.each(DIALECTS)('assignment engine (real Redis, fake Bot API) on %s', (dialect) => {
  beforeAll(() => onDialect(dialect));
  beforeEach((t) => {
    if (dialect === 'postgres' && !pgAvailable()) t.skip();
  });

  it('links groups and officers with one-time codes, refusing a reused code', async () => {
    await start();
    await fake.text(-1009, '/lienket ABCDEF', 555);
    expect(fake.lastTo(-1009).text).toContain('Mã không đúng');
    await fake.text(STRANGER, '/malienket doan-tn');
    expect(fake.lastTo(STRANGER).text).toContain('chỉ dành cho chỉ huy');
    const teams = await stack.app.repos.teams.active();
    expect(teams.find((t) => t.id === 'doan-tn')?.workChat).toEqual({ channel: 'telegram', chatId: String(YOUTH), kind: 'group' });
    expect(fake.messagesTo(YOUTH).some((m) => m.text.includes('Đã liên kết nhóm này với Tổ Đoàn Thanh niên'))).toBe(true);
  });

  it('routes by area and capability and posts a card with the details and buttons', async () => {
    await start();
    const home = await fileRequest(stack.app, { communeId: 'long-thanh' });
    const ride = await fileRequest(stack.app, { type: 'ride', pickupAddress: 'Chợ Long Thạnh', people: 2, communeId: 'long-thanh' });
    const card = await cardIn(YOUTH, home.code);
    expect(card.text).toContain('Nguyễn Thị Lành');
    expect(card.text).toContain(home.phone);
    expect(card.text).toContain('Xã Long Thạnh');
    expect(buttons(card)).toEqual(['✋ Nhận việc', '☎️ Không liên lạc được', '↩️ Trả lại']);
    const rideCard = await cardIn(CARS, ride.code);
    expect(rideCard.text).toContain('Đón tại: Chợ Long Thạnh · 2 người');
    expect(fake.messagesTo(WOMEN).some((m) => m.text.includes(home.code))).toBe(false);
    // The citizen is told, through the channel the request came from.
    await eventually(() => fake.messagesTo(home.chatId), (ms) => ms.some((m) => m.text.includes('Tổ Đoàn Thanh niên')));
  });

  it('picks the least-loaded team with room, and sends to the admin when no team fits', async () => {
    await start({}, [
      { id: 'doan-tn', name: 'Tổ A', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 2 },
      { id: 'hoi-pn', name: 'Tổ B', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 1 },
      { id: 'to-xe', name: 'Tổ Xe', communes: ['my-loc'], capabilities: ['vehicle'], capacityPerDay: 5 },
    ]);
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fileRequest(stack.app);
      await eventually(() => statusOf(r.id), (s) => s === 'assigned');
      placed.push((await stack.app.repos.requests.byId(r.id))!.teamId!);
    }
    // A (0) and B (0) tie → by name A; then B (0 < 1); then A again (B is full).
    expect(placed).toEqual(['doan-tn', 'hoi-pn', 'doan-tn']);
    const full = await fileRequest(stack.app);
    await eventually(() => statusOf(full.id), (s) => s === 'unassigned');
    const alert = await eventually(() => fake.messagesTo(ADMIN_CHAT), (ms) => ms.some((m) => m.text.includes(full.code)));
    const text = alert.find((m) => m.text.includes(full.code))!.text;
    expect(text).toContain('các tổ đã kín lịch ngày đó');
    expect(text).not.toContain(full.phone);
    expect(text).toContain('091****');
    const otherArea = await fileRequest(stack.app, { communeId: 'dong-thanh' });
    await eventually(() => fake.messagesTo(ADMIN_CHAT), (ms) => ms.some((m) => m.text.includes(otherArea.code) && m.text.includes('không có tổ phụ trách')));
  });

  it('assigns higher priority first, then the oldest', async () => {
    // No pacing gap: a busy lane would queue a card and let a later one overtake it.
    stack = await startStack(fake, { ASSIGN_CONCURRENCY: '1', OUTBOUND_CONCURRENCY: '1', TELEGRAM_GROUP_PER_MINUTE: '600000000' }, { workers: false });
    await linkTeam(fake, 'doan-tn', YOUTH, OFFICER_Y, 'Trần Văn Hùng');
    const order = ['other', 'very_old', 'bedridden', 'wheelchair', 'bedridden'] as const;
    const filed = [];
    for (const condition of order) {
      filed.push(await fileRequest(stack.app, { condition }));
      stack.clock.advance(1000);
    }
    stack.workers = await stack.app.startWorkers();
    // One worker each: cards reach the group in the order requests were assigned.
    const codes = filed.map((r) => r.code);
    const posted = await eventually(
      () => fake.messagesTo(YOUTH).map((m) => codes.find((c) => m.text.includes(c))).filter((c) => c !== undefined),
      (c) => c.length === 5,
    );
    expect(posted).toEqual([filed[2]!.code, filed[4]!.code, filed[3]!.code, filed[1]!.code, filed[0]!.code]);
  });

  it('claim, done with outcome; refuses a non-officer and an officer of another team', async () => {
    await start();
    const r = await fileRequest(stack.app);
    const team = (await eventually(() => stack.app.repos.requests.byId(r.id), (x) => !!x?.teamId))!.teamId!;
    const group = team === 'doan-tn' ? YOUTH : WOMEN;
    const officer = team === 'doan-tn' ? OFFICER_Y : OFFICER_W;
    const otherOfficer = team === 'doan-tn' ? OFFICER_W : OFFICER_Y;
    await cardIn(group, r.code);
    await fake.press(group, 'Nhận việc', STRANGER);
    await fake.press(group, 'Nhận việc', otherOfficer);
    expect(await statusOf(r.id)).toBe('assigned');
    const answers = fake.callsOf('answerCallbackQuery').map((c) => String(c.params.text));
    expect(answers).toContain('Bạn chưa đăng ký là cán bộ. Xin gửi /dangky MÃ (mã do chỉ huy cấp).');
    expect(answers).toContain('Việc này của tổ khác, bạn không bấm được.');
    await fake.press(group, 'Nhận việc', officer);
    expect(await statusOf(r.id)).toBe('claimed');
    const claimed = await eventually(cardOf(group, r.code), (c) => c[0]!.text.includes('đã nhận việc'));
    expect(claimed).toHaveLength(1);
    expect(buttons(claimed[0]!)).toContain('✅ Đã xong');
    await eventually(() => fake.messagesTo(r.chatId), (ms) => ms.some((m) => m.text.includes('đã nhận yêu cầu')));
    await fake.press(group, 'Đã xong', officer);
    await eventually(cardOf(group, r.code), (c) => buttons(c[0]!).includes('Đã nhận hồ sơ CCCD'));
    await fake.press(group, 'Đã nhận hồ sơ CCCD', officer);
    expect(await stack.app.repos.requests.byId(r.id)).toMatchObject({ status: 'done', outcome: 'cccd_taken' });
    const done = await eventually(cardOf(group, r.code), (c) => c[0]!.text.includes('✅ Đã xong: Đã nhận hồ sơ CCCD'));
    expect(buttons(done[0]!)).toEqual([]);
    await eventually(() => fake.messagesTo(r.chatId), (ms) => ms.some((m) => m.text.includes('đã xong')));
  });

  it('cannot reach ×N returns it to the admin; hand back moves it to another team', async () => {
    await start({ MAX_CONTACT_ATTEMPTS: '2' });
    const a = await fileRequest(stack.app, { communeId: 'long-thanh' });
    await cardIn(YOUTH, a.code);
    await fake.press(YOUTH, 'Không liên lạc được', OFFICER_Y, (m) => m.text.includes(a.code));
    await eventually(cardOf(YOUTH, a.code), (c) => c[0]!.text.includes('Đã gọi không được 1/2 lần'));
    await fake.press(YOUTH, 'Không liên lạc được', OFFICER_Y, (m) => m.text.includes(a.code));
    expect(await statusOf(a.id)).toBe('unassigned');
    await eventually(() => fake.messagesTo(ADMIN_CHAT), (ms) => ms.some((m) => m.text.includes(a.code) && m.text.includes('gọi không được 2 lần')));

    const b = await fileRequest(stack.app);
    const bTeam = (await eventually(() => stack.app.repos.requests.byId(b.id), (x) => x?.status === 'assigned'))!.teamId!;
    const [from, to, officer] = bTeam === 'doan-tn' ? [YOUTH, WOMEN, OFFICER_Y] : [WOMEN, YOUTH, OFFICER_W];
    await cardIn(from, b.code);
    await fake.press(from, 'Trả lại', officer, (m) => m.text.includes(b.code));
    await eventually(cardOf(from, b.code), (c) => buttons(c[0]!).includes('Không có xe'));
    await fake.press(from, 'Không có xe', officer, (m) => m.text.includes(b.code));
    await cardIn(to, b.code);
    const old = await eventually(cardOf(from, b.code), (c) => c[0]!.text.includes('Tổ đã trả lại'));
    expect(buttons(old[0]!)).toEqual([]);
    expect(await stack.app.repos.requests.byId(b.id)).toMatchObject({ status: 'assigned', round: 1, excludedTeams: [bTeam] });
  });

  it('a citizen cancelling updates the card at once and removes its buttons', async () => {
    await start();
    const r = await fileRequest(stack.app, { communeId: 'long-thanh' });
    await cardIn(YOUTH, r.code);
    await stack.app.services.requests.cancelByOwner({ channel: 'telegram', userId: r.userId }, r.id);
    const card = await eventually(cardOf(YOUTH, r.code), (c) => c[0]!.text.includes('Người dân đã hủy'));
    expect(buttons(card[0]!)).toEqual([]);
    expect(card).toHaveLength(1);
  });

  it('SLA: an unclaimed card is re-posted, then escalated to the admin', async () => {
    await start({ SLA_UNCLAIMED_MINUTES: '0.02', WORKING_HOURS: '00:00-24:00' });
    const r = await fileRequest(stack.app, { communeId: 'long-thanh' });
    await cardIn(YOUTH, r.code);
    await eventually(cardOf(YOUTH, r.code), (c) => c.length === 2, 15_000);
    await eventually(() => fake.messagesTo(ADMIN_CHAT), (ms) => ms.some((m) => m.text.includes(r.code) && m.text.includes('chưa ai nhận')), 15_000);
  });

  it('an emergency mid-intake: the citizen is told to call 114 first and the duty chat is alerted', async () => {
    await start();
    const chat = 4343;
    await fake.text(chat, '/start');
    await fake.press(chat, 'Làm CCCD tại nhà');
    await fake.press(chat, 'Tôi đồng ý');
    await fake.press(chat, 'Cho chính tôi');
    await fake.text(chat, 'Nhà tôi bị cháy rồi, cứu với');
    const toCitizen = fake.messagesTo(chat).slice(-3);
    // The number first, alone; then what to do; then the question they were at.
    expect(toCitizen[0]!.text).toContain('<b>GỌI NGAY 114</b>');
    expect(toCitizen[1]!.text).toContain('Ra khỏi nhà ngay');
    expect(toCitizen[2]!.text).toContain('Họ và tên');
    const alert = await eventually(() => fake.messagesTo(ADMIN_CHAT), (ms) => ms.some((m) => m.text.includes('Tin báo khẩn')));
    expect(alert.find((m) => m.text.includes('Tin báo khẩn'))!.text).toContain(`chat ${chat}`);
    await fake.text(chat, 'Trần Văn Bình');
    expect(fake.lastTo(chat).text).toContain('sinh năm nào');
  });

  it('direct replies share the per-chat pacing with the outbound queue', async () => {
    await start({ TELEGRAM_CHAT_INTERVAL_MS: '700' });
    const chat = 4444;
    await fake.text(chat, '/start');
    await fake.press(chat, 'Làm CCCD tại nhà');
    await fake.press(chat, 'Tôi đồng ý');
    await fake.text(chat, '/huy'); // two messages: "cancelled" and the menu
    const times = fake.callsOf('sendMessage').filter((c) => String(c.params.chat_id) === String(chat)).map((c) => c.at);
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(650);
  });

  it('403 from a citizen chat marks it unreachable instead of retrying', async () => {
    await start();
    const r = await fileRequest(stack.app, { communeId: 'long-thanh', chatId: 4242 });
    fake.failingChats.set('4242', 403);
    await cardIn(YOUTH, r.code);
    await eventually(() => stack.app.repos.unreachable.isUnreachable('telegram:4242'), (x) => x);
    const tries = () => fake.callsOf('sendMessage').filter((c) => String(c.params.chat_id) === '4242').length;
    const n = tries();
    await fake.press(YOUTH, 'Nhận việc', OFFICER_Y);
    await eventually(cardOf(YOUTH, r.code), (c) => c[0]!.text.includes('đã nhận việc'));
    await drained(stack.app);
    expect(tries()).toBe(n);
    // Writing to the bot again makes the chat reachable.
    fake.failingChats.delete('4242');
    await fake.text(4242, '/trangthai');
    expect(await stack.app.repos.unreachable.isUnreachable('telegram:4242')).toBe(false);
  });

  it('an assignment run again (a retried job) posts no second card and tells the citizen once', async () => {
    await start();
    const r = await fileRequest(stack.app, { communeId: 'long-thanh', chatId: 4343 });
    await cardIn(YOUTH, r.code);
    const notices = () => fake.messagesTo(4343).filter((m) => m.text.includes(r.code));
    await eventually(notices, (ms) => ms.length === 1);
    await stack.app.jobs.queue('assign').add('assign', { requestId: r.id }, { jobId: `${r.id}.again` });
    await eventually(async () => (await stack.app.jobs.queue('assign').getJobState(`${r.id}.again`)) as string, (s) => s === 'completed');
    expect(cardOf(YOUTH, r.code)()).toHaveLength(1);
    expect(notices()).toHaveLength(1);
  });
});
