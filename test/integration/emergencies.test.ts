/** Emergencies and understanding, round 2, tried as citizens type, over the in-memory channel and fake Telegram. */
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/conversation/registry.js';
import type { RunningWorkers } from '../../src/main/container.js';
import { Conversation, fileHomeRequest, testApp, type TestApp, TestClock } from '../helpers/app.js';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { drained, eventually, fileRequest, type Stack, startStack } from '../helpers/stack.js';

let app: TestApp | undefined;
let workers: RunningWorkers | undefined;
let stack: Stack | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  await workers?.stop();
  await app?.shutdown();
  await stack?.stop();
  await tg?.stop();
  app = undefined;
  workers = undefined;
  stack = undefined;
  tg = undefined;
});

/** A bot whose duty chat is a chat on the in-memory channel, with its queue workers running. */
async function bot(): Promise<TestApp> {
  app = await testApp({ ADMIN_CHAT_ID: 'memory:duty', QUEUE_PREFIX: `e${Math.random().toString(36).slice(2, 8)}` }, new TestClock(), { redis: true });
  workers = await app.startWorkers();
  return app;
}
const dutyText = () => app!.memory.textTo('duty', app!.translator);
const emergencies = async () => (await app!.repos.handoffs.unposted(0, Date.now() + 60_000)).length + (await app!.memory.to('duty').length);

describe('the right number first', { timeout: 60_000 }, () => {
  it.each([
    ['ông tôi ngã bất tỉnh', ['115']],
    ['ba toi bi dot quy', ['115']],
    ['bi dien giat', ['114']],
    ['có trộm đang vào nhà', ['113']],
    ['có cháy', ['114']],
    ['nhà cháy, bà bị bỏng bất tỉnh', ['114', '115']],
  ])('"%s": GỌI NGAY %s, in the first message alone; then what to do; the duty alert says which number', async (text, calls) => {
    await bot();
    const c = new Conversation(app!);
    await c.say(text);
    const [first, second] = c.replies.map((r) => app!.translator.renderAll(r.text));
    expect(first).toMatch(new RegExp(`^\\S+ <b>GỌI NGAY ${calls[0]}</b>`));
    for (const n of calls.slice(1)) expect(first).toContain(`gọi cả <b>${n}</b>`);
    for (const n of ['113', '114', '115'].filter((x) => !calls.includes(x))) expect(first).not.toContain(`GỌI NGAY ${n}`);
    expect(second!.split('\n').filter((l) => l.startsWith('•'))).toHaveLength(2);
    const alert = await eventually(dutyText, (t) => t.includes('Tin báo khẩn'));
    expect(alert).toContain(`Đã nhắc người gửi gọi ${calls.join(' và ')}`);
  });
});

describe('no false alarms', { timeout: 60_000 }, () => {
  it('no command alarms anyone: /help, every command the bot knows, and unknown ones that look like cries', async () => {
    await bot();
    const names = [...COMMANDS.flatMap((cmd) => [cmd.name, ...(cmd.aliases ?? [])]), 'help', 'cuu', 'chay', 'cuuhoa', '114', 'chaynha'];
    for (const name of names) {
      const c = new Conversation(app!);
      await c.say(`/${name}`);
      expect(c.text, `/${name}`).not.toContain('GỌI NGAY');
    }
    // A marker that comes after any alarm would have: the queue has nothing left, the duty chat is quiet.
    await drained(app!);
    expect(await emergencies()).toBe(0);
  });

  it('fire-safety questions and slang get guidance or nothing, a fire happening now alarms', async () => {
    await bot();
    for (const q of ['bình chữa cháy dùng sao', 'lớp PCCC ở đâu', 'hôm nay cháy hàng rồi', 'tháng này cháy túi quá']) {
      expect(await new Conversation(app!).say(q), q).not.toContain('GỌI NGAY');
    }
    for (const q of ['đang cháy ở chợ Tân Hòa', 'cháy rồi', 'xe máy đang bốc cháy dưới hầm gửi xe']) {
      expect(await new Conversation(app!).say(q), q).toContain('GỌI NGAY 114');
    }
  });
});

describe('one chat cannot bury the others', { timeout: 90_000 }, () => {
  it('40 alarms from one chat, then one from another: the other\'s first alert reaches the duty chat right after the first chat\'s one', async () => {
    tg = new FakeTelegram();
    await tg.start();
    // Real group pacing: 20 messages a minute to the duty group.
    stack = await startStack(tg, { TELEGRAM_GROUP_PER_MINUTE: '20' }, { realTime: true });
    const flooder = new Conversation(stack.app, 'flood-1');
    for (let i = 0; i < 40; i++) await flooder.say('chay nha');
    const real = new Conversation(stack.app, 'real-2');
    await real.say('nhà bà tôi đang cháy ở ấp 3, cứu với');
    const alerts = await eventually(() => tg!.messagesTo(-900), (ms) => ms.length >= 2, 30_000);
    expect(alerts[0]!.text).toContain('chay nha');
    expect(alerts[1]!.text).toContain('nhà bà tôi đang cháy ở ấp 3');
    // The flood is one report, its count shown on it (an edit, not 39 more posts).
    const repeats = await eventually(() => tg!.messagesTo(-900)[0]!.text, (t) => t.includes('nhắn thêm 39 lần'), 30_000);
    expect(repeats).toContain('chay nha');
    expect(tg.messagesTo(-900)).toHaveLength(2);
  });
});

describe('never a destructive default', { timeout: 60_000 }, () => {
  it('"giúp tôi với" with an open request opens help, not a cancel prompt; "1" at a cancel prompt cancels nothing', async () => {
    await bot();
    const c = new Conversation(app!);
    const code = await fileHomeRequest(c);
    await c.say('/menu');
    const help = await c.say('giúp tôi với');
    expect(help).not.toContain('Hủy yêu cầu');
    expect(help).toContain('cán bộ trực');
    await c.say('/huy');
    // The prompt names the request and puts keeping it first.
    expect(c.text).toContain(`Hủy yêu cầu ${code}`);
    expect(c.replies.at(-1)!.options!.map((o) => o.id)).toEqual(['cancel:no', 'cancel:yes']);
    expect(await c.say('1')).toContain('Yêu cầu vẫn được giữ nguyên');
    await c.say('/huy');
    await c.say('2');
    expect((await app!.repos.requests.byCode(code))?.status).not.toBe('cancelled');
    // Its button, or the word, does cancel.
    await c.say('/huy');
    expect(await c.say('huy')).toContain(`Đã hủy yêu cầu ${code}`);
    // Erasing too: "1" keeps everything.
    await c.say('/xoadulieu');
    expect(await c.say('1')).toContain('Chưa xóa gì');
    expect((await app!.repos.requests.byCode(code))?.personName).not.toBe('');
  });

  it('a scam call gets the warning', async () => {
    await bot();
    const out = await new Conversation(app!).say('có người gọi xưng công an bảo đọc mã OTP');
    expect(out).toContain('Cẩn thận lừa đảo');
    expect(out).toContain('Công an không bao giờ');
    expect(out).not.toContain('GỌI NGAY');
  });
});

describe('what the duty officers are told', { timeout: 60_000 }, () => {
  it('the alert carries the phone and address of the person\'s open request, and where they are once shared', async () => {
    await bot();
    const r = await fileRequest(app!, { channel: 'memory', chatId: 'caller-1', phone: '0987000111', address: 'Số 9, Ấp Bình Lợi' });
    const c = new Conversation(app!, 'caller-1');
    await c.say('ông tôi ngã bất tỉnh rồi');
    const alert = await eventually(dutyText, (t) => t.includes('Tin báo khẩn'));
    expect(alert).toContain(`Có yêu cầu ${r.code}: ĐT 0987000111 · Số 9, Ấp Bình Lợi, Xã Tân Hòa`);
    expect(alert).toContain('qua memory');
    expect(await c.send({ location: { lat: 10.5, lon: 106.4 } })).toContain('Đã gửi vị trí');
    await eventually(dutyText, (t) => t.includes('https://www.google.com/maps?q=10.5,106.4'));
  });

  it('a reply after the duty officer answered goes to the same thread', async () => {
    await bot();
    const c = new Conversation(app!, 'asker-1');
    await c.say('/start');
    await c.press('Hỏi cán bộ trực');
    const code = /HD-\w{4}/.exec(await c.say('Bao giờ cán bộ đến nhà tôi?'))![0];
    await eventually(dutyText, (t) => t.includes(`Câu hỏi ${code}`));
    const officer = new Conversation(app!, 'admin');
    expect(await officer.say(`/traloi ${code} Sáng thứ Bảy bác nhé`)).toContain('Đã gửi câu trả lời');
    await eventually(() => app!.memory.textTo('asker-1', app!.translator), (t) => t.includes('Sáng thứ Bảy bác nhé'));
    expect(await c.say('vậy mấy giờ ạ, tôi còn đi làm')).toContain(`mã ${code}`);
    await eventually(dutyText, (t) => t.includes(`Câu hỏi ${code} (người hỏi nhắn tiếp)`) && t.includes('vậy mấy giờ ạ'));
    // The officer answers the follow-up by the same code; the person sees the same code.
    await officer.say(`/traloi ${code} 8 giờ sáng`);
    await eventually(() => app!.memory.textTo('asker-1', app!.translator), (t) => t.includes(`(${code})`) && t.includes('8 giờ sáng'));
    // A clear wish is still a wish: it is not sent to the officer.
    expect(await c.say('tui muon lam can cuoc tai nha cho ba noi')).toContain('Làm CCCD tại nhà');
  });
});
