/**
 * The defects that lived in the old structure, each checked over the fake platforms: Redis down,
 * staff and the duty chat on Zalo only, erasure closing the card, one delivery path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/db.js';
import { Conversation } from '../helpers/app.js';
import { FakeTelegram, type SentMessage } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/main/privateRedis.js';
import { ADMIN_CHAT, ADMIN_USER, eventually, fileRequest, linkTeam, type Stack, startStack, teamsFile, zaloEnv } from '../helpers/stack.js';

const YOUTH = -1001;
const OFFICER = 501;

let tg: FakeTelegram | undefined;
let zalo: FakeZalo | undefined;
let stack: Stack | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await stack?.stop();
  await redis?.stop();
  await tg?.stop();
  await zalo?.stop();
  stack = undefined;
  redis = undefined;
  tg = undefined;
  zalo = undefined;
});

const buttons = (m: SentMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);

/** One team, home visits, in Tân Hòa and Long Thạnh. */
const ONE_TEAM = () => teamsFile([{ id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 100 }]);

describe('Redis down', { timeout: 90_000 }, () => {
  it('/start and a confirm are answered within 2 s; the card is posted once Redis is back', async () => {
    tg = new FakeTelegram();
    await tg.start();
    const dir = tempDir('thu7-redis-');
    redis = await startPrivateRedis(dir, { persist: true });
    const redisPort = redis.port;
    stack = await startStack(tg, { REDIS_URL: redis.url, TEAMS_FILE: ONE_TEAM(), JOB_LOCK_MS: '2000' });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack.app.services.assignment.teamsChanged();
    const chat = 8801;
    for (const step of ['/start', '1', '1', '2', '1', 'Nguyen Thi Lanh', '1936', '1', 'tan hoa', 'ap Hoa Binh', '0912345678', '1,3', '28/11']) await tg.text(chat, step);
    await tg.press(chat, 'Không có');
    expect(tg.lastTo(chat).text).toContain('Xin kiểm tra lại');

    await redis.stop();
    const started = Date.now();
    await tg.text(8802, '/start');
    expect(tg.lastTo(8802).text).toContain('Cần giúp việc gì');
    expect(Date.now() - started).toBeLessThan(2000);
    const confirmAt = Date.now();
    await tg.press(chat, 'Đúng, gửi đi');
    const code = /TB-\w{4}/.exec(tg.messagesTo(chat).map((m) => m.text).join('\n'))?.[0];
    expect(code).toBeDefined();
    expect(Date.now() - confirmAt).toBeLessThan(2000);
    // The request is in the database, its assignment kept in the outbox while Redis is away.
    const r = await stack.app.repos.requests.byCode(code!);
    expect(r?.status).toBe('new');
    expect((await stack.app.repos.outbox.oldest(100)).some((j) => j.queue === 'assign' && (j.data as { requestId: string }).requestId === r!.id)).toBe(true);

    redis = await startPrivateRedis(dir, { persist: true, port: redisPort });
    const card = await eventually(() => tg!.messagesTo(YOUTH).filter((m) => m.text.includes(code!)), (c) => c.length > 0, 45_000);
    expect(card).toHaveLength(1);
    expect(await stack.app.repos.outbox.oldest(100)).toEqual([]);
  });
});

describe('officers and commanders who live on Zalo only', { timeout: 60_000 }, () => {
  it('a commander and an officer on Zalo: registered by code, the officer works from their chat, others are refused, the duty chat is a Zalo chat', async () => {
    tg = new FakeTelegram();
    zalo = new FakeZalo();
    await tg.start();
    await zalo.start();
    // No Telegram at all for the staff: the commander is a Zalo user, the duty chat is theirs.
    stack = await startStack(tg, { ...zaloEnv(zalo), TEAMS_FILE: ONE_TEAM(), ADMIN_CHAT_ID: 'zalo:cmdr-1', ADMIN_USER_IDS: 'zalo:cmdr-1' });
    expect(await zalo.text('stranger-1', '/moicanbo doan-tn')).toContain('chỉ dành cho chỉ huy');
    const invite = await zalo.text('cmdr-1', '/moicanbo doan-tn');
    const code = /\b([A-Z0-9]{6})\b/.exec(invite.split('\n')[0]!)![1]!;
    expect(await zalo.text('officer-1', `/dangky ${code}`)).toContain('là cán bộ của Tổ Đoàn Thanh niên');
    expect(await zalo.text('officer-2', `/dangky ${code}`)).toContain('Mã không đúng');
    // The team has no group (Zalo bots have none): it still gets work, through its officer.
    expect(await zalo.text('cmdr-1', '/doi')).toContain('chưa có nhóm, 1 cán bộ');

    const r = await fileRequest(stack.app, { channel: 'zalo', chatId: 'citizen-1', communeId: 'long-thanh' });
    await eventually(() => stack!.app.repos.requests.byId(r.id), (x) => x?.status === 'assigned');
    const dm = await eventually(() => zalo!.textTo('officer-1'), (t) => t.includes(`Tổ có việc mới: ${r.code}`));
    expect(dm).toContain('/viec');
    expect(dm).not.toContain(r.phone);

    // Someone who is not an officer cannot open the work list; the officer can, and claims.
    expect(await zalo.text('stranger-1', '/viec')).toContain('chưa đăng ký là cán bộ');
    const list = await zalo.text('officer-1', '/viec');
    expect(list).toContain(`1. ${r.code}`);
    const detail = await zalo.text('officer-1', '1');
    expect(detail).toContain(r.phone);
    expect(detail).toContain('1. ✋ Nhận việc');
    expect(await zalo.text('officer-1', '1')).toContain('Đã ghi nhận');
    expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('claimed');
    await eventually(() => zalo!.textTo('citizen-1'), (t) => t.includes(`đã nhận yêu cầu ${r.code}`));
    // Viewing the person's details is recorded (who, which request), as the law asks.
    expect((await stack.app.repos.audit.since(0)).some((a) => a.action === 'request_viewed' && a.subject === r.id)).toBe(true);

    // Press-equivalent actions by anyone else are refused, whatever they send.
    const act = (userId: string) => stack!.app.services.assignment.act(r.id, { kind: 'outcome', outcome: 'cccd_taken' }, { actor: { channel: 'zalo', userId } });
    expect(await act('stranger-1')).toBe('not_officer');
    expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('claimed');

    // An emergency reaches the commander's Zalo chat, the duty chat.
    await zalo.text('citizen-2', 'chay nha roi cuu voi');
    await eventually(() => zalo!.textTo('cmdr-1'), (t) => t.includes('Tin báo khẩn'));
    expect(tg.messagesTo(ADMIN_CHAT)).toEqual([]);
  });
});

describe('erasure closes the card', { timeout: 60_000 }, () => {
  it('after delete-my-data on an assigned request, the card shows no personal data and no buttons, and the team is told', async () => {
    tg = new FakeTelegram();
    await tg.start();
    stack = await startStack(tg, { TEAMS_FILE: ONE_TEAM() });
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack.app.services.assignment.teamsChanged();
    const citizen = new Conversation(stack.app, 'citizen-erase');
    const r = await fileRequest(stack.app, { channel: 'memory', chatId: 'citizen-erase', personName: 'Lê Thị Riêng Tư' });
    const card = await eventually(() => tg!.messagesTo(YOUTH).filter((m) => m.text.includes(r.code)), (c) => c.length === 1);
    expect(card[0]!.text).toContain('Lê Thị Riêng Tư');
    expect(buttons(card[0]!)).toContain('✋ Nhận việc');
    const claimData = card[0]!.reply_markup!.inline_keyboard!.flat().find((b) => b.text.includes('Nhận việc'))!.callback_data;

    await citizen.say('/xoadulieu');
    expect(await citizen.press('Xóa hết')).toContain('Đã xóa thông tin của bạn (1 yêu cầu)');
    const edited = await eventually(() => tg!.messagesTo(YOUTH).find((m) => m.message_id === card[0]!.message_id)!, (m) => m.text.includes('đã xóa thông tin'));
    expect(edited.text).not.toContain('Lê Thị Riêng Tư');
    expect(edited.text).not.toContain(r.phone);
    expect(buttons(edited)).toEqual([]);
    await eventually(() => tg!.messagesTo(YOUTH).filter((m) => m.text.includes(r.code) && m.text.includes('Không đến nhà')), (l) => l.length >= 1);
    expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('cancelled');
    // A press on the old card (a client that still shows it) is refused and changes nothing.
    await tg.pressData(YOUTH, card[0]!.message_id, claimData, OFFICER);
    expect(tg.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe('Thẻ này đã thay đổi, xin xem thẻ mới nhất.');
    expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('cancelled');
  });
});

describe('one delivery path', { timeout: 60_000 }, () => {
  it('a 403 to a direct reply marks the chat unreachable (the old direct path retried and forgot it)', async () => {
    tg = new FakeTelegram();
    await tg.start();
    stack = await startStack(tg);
    tg.failingChats.set('8901', 403);
    await tg.text(8901, '/start');
    expect(await stack.app.repos.unreachable.isUnreachable('telegram:8901')).toBe(true);
    // One attempt: a 403 is not retried.
    expect(tg.callsOf('sendMessage').filter((c) => String(c.params.chat_id) === '8901')).toHaveLength(1);
  });

  it('when the duty chat cannot be reached, an emergency goes to every commander privately', async () => {
    tg = new FakeTelegram();
    await tg.start();
    stack = await startStack(tg);
    tg.failingChats.set(String(ADMIN_CHAT), 403);
    await tg.text(8902, 'nha toi dang chay cuu voi');
    expect(tg.lastTo(8902).text).toBeDefined();
    await eventually(() => tg!.messagesTo(ADMIN_USER).map((m) => m.text).join('\n'), (t) => t.includes('Tin báo khẩn'));
    await eventually(() => stack!.app.memory.textTo('admin', stack!.app.translator), (t) => t.includes('Tin báo khẩn'));
  });
});


describe('a channel added by one registry entry', { timeout: 60_000 }, () => {
  it('no team for the commune: "being arranged" still comes after the confirm\'s own reply, however slowly the platform takes that', async () => {
    tg = new FakeTelegram();
    await tg.start();
    // The only team serves another commune: the worker decides "no team" at once.
    stack = await startStack(tg, { TEAMS_FILE: teamsFile([{ id: 'xa-khac', name: 'Tổ xã khác', communes: ['my-loc'], capabilities: ['home_kit'], capacityPerDay: 100 }]) });
    const { memory, translator } = stack.app;
    const citizen = new Conversation(stack.app, 'citizen-u');
    for (const step of ['/start', '1', '1', '2', '1', 'Nguyen Thi Lanh', '1936', '1', 'tan hoa', 'ap Hoa Binh', '0912345678', '1,3', '28/11', 'khong co']) await citizen.say(step);
    memory.slowNext.set('citizen-u', 500);
    const code = /TB-\w{4}/.exec(await citizen.press('Đúng, gửi đi'))![0];
    const arranging = (t: string) => t.includes('đang được chỉ huy sắp xếp');
    const told = await eventually(() => memory.to('citizen-u').map((s) => translator.renderAll(s.reply.text)), (texts) => texts.some(arranging));
    const received = told.findIndex((t) => t.includes(code) && !arranging(t));
    expect([received >= 0, received < told.findIndex(arranging)]).toEqual([true, true]);
  });


  it('the in-memory channel (known to nothing in src/) carries a whole request: intake, a card in its group, a press, the notices', async () => {
    tg = new FakeTelegram();
    await tg.start();
    stack = await startStack(tg, { TEAMS_FILE: ONE_TEAM() });
    const { memory, translator } = stack.app;
    const admin = new Conversation(stack.app, 'admin');
    const groupCode = /\b([A-Z0-9]{6})\b/.exec(await admin.say('/malienket doan-tn'))![1]!;
    // The team's work chat is a group on the memory channel.
    expect((await memory.inbound({ chatId: 'group-1', userId: 'officer-m', text: `/lienket ${groupCode}` })).toast).toBeUndefined();
    expect(memory.textTo('group-1', translator)).toContain('Đã liên kết nhóm này với Tổ Đoàn Thanh niên');
    const officerCode = /\b([A-Z0-9]{6})\b/.exec(await admin.say('/moicanbo doan-tn'))![1]!;
    await memory.inbound({ chatId: 'officer-m', text: `/dangky ${officerCode}`, actorName: 'Võ Thị Mai' });
    await stack.app.services.assignment.teamsChanged();

    const citizen = new Conversation(stack.app, 'citizen-m');
    for (const step of ['/start', '1', '1', '2', '1', 'Nguyen Thi Lanh', '1936', '1', 'tan hoa', 'ap Hoa Binh', '0912345678', '1,3', '28/11', 'khong co']) await citizen.say(step);
    // The platform answers the confirm's reply slowly: the worker's notice must still come after it.
    memory.slowNext.set('citizen-m', 500);
    const code = /TB-\w{4}/.exec(await citizen.press('Đúng, gửi đi'))![0];
    const told = await eventually(() => memory.to('citizen-m').map((s) => translator.renderAll(s.reply.text)), (texts) => texts.some((t) => t.includes('đã được giao cho')));
    const received = told.findIndex((t) => t.includes(code) && !t.includes('đã được giao cho'));
    expect([received >= 0, received < told.findIndex((t) => t.includes('đã được giao cho'))]).toEqual([true, true]);
    const card = await eventually(() => memory.to('group-1').find((s) => translator.renderAll(s.reply.text).includes(code)), (c) => c !== undefined);
    const claim = card!.reply.options!.find((o) => translator.render(o.label).includes('Nhận việc'))!;
    // Someone else in the group cannot press it; the registered officer can.
    expect((await memory.inbound({ chatId: 'group-1', userId: 'passer-by', option: { id: claim.id, nonce: 0 } })).toast).toContain('chưa đăng ký là cán bộ');
    expect((await memory.inbound({ chatId: 'group-1', userId: 'officer-m', option: { id: claim.id, nonce: 0 } })).toast).toBe('Đã ghi nhận.');
    await eventually(() => translator.renderAll(card!.reply.text), (t) => t.includes('Võ Thị Mai đã nhận việc'));
    expect(card!.edits).toBeGreaterThan(0);
    await eventually(() => memory.textTo('citizen-m', translator), (t) => t.includes(`Cán bộ Võ Thị Mai (Tổ Đoàn Thanh niên) đã nhận yêu cầu ${code}`));
    expect(tg.messages.filter((m) => m.text.includes(code))).toEqual([]);
  });
});
