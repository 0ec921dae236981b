import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { eventually, linkTeam, type Stack, startStack, zaloEnv } from '../helpers/stack.js';

const YOUTH = -1001;
const OFFICER = 501;
const CITIZEN = 'zalo-citizen-9';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack;

afterEach(async () => {
  await stack?.stop();
  await tg?.stop();
  await zalo?.stop();
});

describe('one process, Telegram and Zalo at once', () => {
  it('a Zalo citizen\'s request becomes a card in a Telegram team group; the officer\'s actions reach the citizen on Zalo', async () => {
    tg = new FakeTelegram();
    zalo = new FakeZalo();
    await tg.start();
    await zalo.start();
    stack = await startStack(tg, zaloEnv(zalo));
    await linkTeam(tg, 'doan-tn', YOUTH, OFFICER, 'Trần Văn Hùng');
    await stack.app.services.assignment.teamsChanged();

    // The officer links their Zalo account: a code asked for on Telegram, sent to the Zalo bot.
    await tg.text(OFFICER, '/lienketkenh', OFFICER, 'Trần Văn Hùng');
    const linkCode = /<b>([A-Z0-9]{6})<\/b>/.exec(tg.lastTo(OFFICER).text)![1]!;
    expect(await zalo.text('zalo-officer-1', '/dangky WRONG1')).toContain('Mã không đúng');
    expect(await zalo.text('zalo-officer-1', `/dangky ${linkCode}`)).toContain('Đã liên kết tài khoản này với Trần Văn Hùng');
    expect(await zalo.text('zalo-officer-2', `/dangky ${linkCode}`)).toContain('Mã không đúng');

    for (const step of ['/start', '1', '1', '2', '1', 'Nguyen Thi Lanh', '1936', '1', 'long thanh', 'ap Long Hung', '0912345678', '1,3', '28/11', '1']) {
      await zalo.text(CITIZEN, step);
    }
    const code = /TB-\w{4}/.exec(await zalo.text(CITIZEN, '1'))![0];
    const card = await eventually(() => tg.messagesTo(YOUTH).filter((m) => m.text.includes(code)), (c) => c.length === 1);
    expect(card[0]!.text).toContain('Nguyen Thi Lanh');
    await eventually(() => zalo.textTo(CITIZEN), (t) => t.includes(`Yêu cầu ${code} đã được giao cho Tổ Đoàn Thanh niên`));
    // The linked officer hears of it on Zalo, without the person's name, phone or address.
    const dm = await eventually(() => zalo.textTo('zalo-officer-1'), (t) => t.includes(`Tổ có việc mới: ${code}`));
    expect(dm).toContain('Xã Long Thạnh');
    expect(dm).not.toContain('0912345678');
    expect(dm).not.toContain('Nguyen Thi Lanh');
    await tg.press(YOUTH, 'Nhận việc', OFFICER);
    await eventually(() => zalo.textTo(CITIZEN), (t) => t.includes(`Cán bộ Trần Văn Hùng (Tổ Đoàn Thanh niên) đã nhận yêu cầu ${code}`));
    await tg.press(YOUTH, 'Đã xong', OFFICER);
    await eventually(() => tg.messagesTo(YOUTH).filter((m) => m.text.includes(code)), (c) => (c[0]!.reply_markup?.inline_keyboard ?? []).flat().some((b) => b.text === 'Đã nhận hồ sơ CCCD'));
    await tg.press(YOUTH, 'Đã nhận hồ sơ CCCD', OFFICER);
    await eventually(() => zalo.textTo(CITIZEN), (t) => t.includes(`Yêu cầu ${code} đã xong`));
    // Zalo gets plain text: no HTML tags.
    expect(zalo.to(CITIZEN).every((m) => !/<\/?b>/.test(m.text))).toBe(true);
  });
});
