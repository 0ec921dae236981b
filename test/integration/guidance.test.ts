import { afterEach, describe, expect, it } from 'vitest';
import { loadResources } from '../../src/i18n.js';
import { FakeTelegram, type SentMessage } from '../helpers/fakeTelegram.js';
import { FakeZalo } from '../helpers/fakeZalo.js';
import { ADMIN_CHAT, ADMIN_USER, drained, eventually, type Stack, startStack, zaloEnv } from '../helpers/stack.js';

const UNIT_PHONE = '0274 3812 345';
const CITIZEN = 4242;
const DUTY_OFFICER = 611;

const guide = loadResources().vi!.guide as Record<'vneid' | 'fire', { screens: Record<string, { title: string }> }>;
const screensOf = (topic: 'vneid' | 'fire') => Object.values(guide[topic].screens).map((s) => s.title);

let tg: FakeTelegram;
let zalo: FakeZalo | undefined;
let stack: Stack;

afterEach(async () => {
  await stack?.stop();
  await tg?.stop();
  await zalo?.stop();
  zalo = undefined;
});

async function start(withZalo = false): Promise<void> {
  tg = new FakeTelegram();
  await tg.start();
  if (withZalo) {
    zalo = new FakeZalo();
    await zalo.start();
  }
  stack = await startStack(tg, {
    UNIT_PHONE,
    ...(zalo ? zaloEnv(zalo) : {}),
  });
}

const buttons = (m: SentMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
const last = () => tg.lastTo(CITIZEN);

describe('guidance menus on Telegram', () => {
  it.each(['vneid', 'fire'] as const)('%s: the list, every screen with next / other questions / main menu', async (topic) => {
    await start();
    await tg.text(CITIZEN, '/start');
    await tg.press(CITIZEN, topic === 'vneid' ? 'VNeID' : 'Phòng cháy');
    const titles = screensOf(topic);
    expect(buttons(last())).toEqual([...titles, '🏠 Về menu chính']);

    await tg.press(CITIZEN, titles[0]!);
    for (let i = 1; i <= titles.length; i++) {
      const screen = last();
      expect(screen.text).toContain(`Mục ${i}/${titles.length}`);
      // The unit's contact comes from the configuration.
      expect(screen.text).toContain(UNIT_PHONE);
      const expected = i < titles.length ? ['➡️ Tiếp theo', '📋 Câu hỏi khác', '🏠 Về menu chính'] : ['📋 Câu hỏi khác', '🏠 Về menu chính'];
      expect(buttons(screen)).toEqual(expected);
      if (i < titles.length) await tg.press(CITIZEN, 'Tiếp theo');
    }
    await tg.press(CITIZEN, 'Câu hỏi khác');
    expect(buttons(last())).toEqual([...titles, '🏠 Về menu chính']);
    await tg.press(CITIZEN, titles[2]!);
    await tg.text(CITIZEN, 'quay lai');
    expect(buttons(last())).toEqual([...titles, '🏠 Về menu chính']);
    await tg.press(CITIZEN, 'Về menu chính');
    expect(buttons(last())).toContain('🏠 Làm CCCD tại nhà');
  });

  it('typed questions open the right screen, start the right form, or ask which was meant', async () => {
    await start();
    await tg.text(CITIZEN, 'vneid ko nhan dc otp');
    expect(last().text).toContain('Không nhận được mã (OTP)');
    await tg.text(CITIZEN, 'binh chua chay xai sao vay');
    expect(last().text).toContain('Dùng bình chữa cháy');
    await tg.text(CITIZEN, 'app bao chay 114 la gi');
    expect(last().text).toContain('Ứng dụng Báo cháy 114');
    // Fire-safety classes come from the session calendar.
    await tg.text(CITIZEN, 'lop hoc pccc o dau');
    expect(last().text).toContain('Hiện chưa có lịch lớp phòng cháy');
    await stack.app.services.sessions.create(
      { communeId: 'my-loc', date: '2026-12-05', startTime: '08:00', endTime: '11:00', placeName: 'Sân UBND xã', address: 'Ấp 1', mapUrl: null, services: ['cccd', 'fire_class'], homeCapacity: 0, rideCapacity: 0, notes: null },
      'test',
    );
    await tg.text(CITIZEN, 'lop hoc pccc o dau');
    expect(last().text).toContain('Các buổi sắp tới có lớp phòng cháy');
    expect(last().text).toContain('05/12/2026');

    await tg.text(CITIZEN, 'thu 7 nay lam can cuoc o dau');
    expect(last().text).toContain('Các buổi "Ngày thứ 7 vì dân" sắp tới');
    expect(last().text).toContain('<b>05/12/2026</b>, 08:00–11:00: Xã Mỹ Lộc');

    // Not understood: said kindly, and the choices where the person is stay on offer.
    await tg.text(CITIZEN, 'asdfgh qwerty');
    expect(last().text).toContain('tôi chưa hiểu câu này');
    // A danger the classifier missed still meets the three numbers.
    for (const n of ['113 (công an)', '114 (cháy, cứu nạn)', '115 (cấp cứu)']) expect(last().text).toContain(n);
    expect(buttons(last())).toContain('🏠 Về menu chính');
    await tg.text(CITIZEN, '/menu');
    await tg.text(CITIZEN, 'asdfgh qwerty');
    expect(buttons(last())).toContain('🏠 Làm CCCD tại nhà');

    // Unsure between a home visit and a ride: both are offered, nothing is started.
    await tg.text(CITIZEN, 'lam cccd tai nha hay xe dua');
    expect(last().text).toContain('chưa chắc đã hiểu đúng');
    const offered = buttons(last());
    expect(offered.slice(0, 2).sort()).toEqual(['🏠 Làm CCCD tại nhà', '🚐 Xe đưa đón đi làm CCCD']);
    expect(offered[2]).toBe('📋 Không phải, xem tất cả');
    await tg.press(CITIZEN, 'Không phải, xem tất cả');
    expect(buttons(last())).toContain('🧯 Phòng cháy, app Báo cháy 114');

    await tg.text(CITIZEN, 'tui muon lam can cuoc tai nha cho ba noi');
    expect(tg.messagesTo(CITIZEN).at(-2)!.text).toContain('Tôi hiểu là bạn muốn: 🏠 Làm CCCD tại nhà');
    expect(last().text).toContain('đồng ý');
  });
});

describe('guidance menus on Zalo', () => {
  it.each(['vneid', 'fire'] as const)('%s: numbered screens, next by number, plain text', async (topic) => {
    await start(true);
    const Z = 'zalo-guide-1';
    const menu = await zalo!.text(Z, '/start');
    const item = topic === 'vneid' ? 'Hỏi về VNeID' : 'Phòng cháy';
    const n = /(\d+)\. [^\n]*/.exec(menu.split('\n').find((l) => l.includes(item))!)![1]!;
    const titles = screensOf(topic);
    const list = await zalo!.text(Z, n);
    for (const [i, t] of titles.entries()) expect(list).toContain(`${i + 1}. ${t}`);
    let screen = await zalo!.text(Z, '1');
    for (let i = 1; i <= titles.length; i++) {
      expect(screen).toContain(`Mục ${i}/${titles.length}`);
      expect(screen).toContain(UNIT_PHONE);
      expect(screen).not.toMatch(/<\/?[bi]>/);
      if (i < titles.length) {
        expect(screen).toContain('1. ➡️ Tiếp theo');
        screen = await zalo!.text(Z, '1');
      }
    }
    expect(screen).toContain('1. 📋 Câu hỏi khác');
    expect(await zalo!.text(Z, '2')).toContain('Làm CCCD tại nhà');
    // Typed without diacritics, straight to a screen.
    expect(await zalo!.text(Z, topic === 'vneid' ? 'quen passcode vneid' : 'nha ong thoat hiem sao')).toContain(
      topic === 'vneid' ? 'Quên mật khẩu hoặc passcode' : 'Thoát nạn khi có khói',
    );
  });
});

describe('emergencies and human handoff', () => {
  it('an emergency mid-intake on Zalo: 114 first, the duty chat is alerted, an officer\'s reply reaches the citizen, the form goes on', async () => {
    await start(true);
    const Z = 'zalo-fire-1';
    await zalo!.text(Z, '/start');
    await zalo!.text(Z, '1'); // home visit
    await zalo!.text(Z, '1'); // consent
    await zalo!.text(Z, '2'); // for someone else
    const question = await zalo!.text(Z, '1'); // they agree → the name question
    const answer = await zalo!.text(Z, 'chay nha roi cuu voi');
    expect(answer.indexOf('GỌI NGAY 114')).toBeGreaterThanOrEqual(0);
    expect(answer.indexOf('GỌI NGAY 114')).toBeLessThan(answer.indexOf(question.split('\n')[0]!));
    const alert = await eventually(() => tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes('Tin báo khẩn')), (l) => l.length === 1);
    expect(alert[0]!.text).toContain('qua Zalo');
    expect(alert[0]!.text).toContain('chay nha roi cuu voi');

    const before = zalo!.to(Z).length;
    await tg.replyTo(ADMIN_CHAT, alert[0]!.message_id, 'Đã báo 114, xe chữa cháy đang tới, bác ra ngoài ngay', DUTY_OFFICER, 'Lê Văn Trực');
    expect(tg.lastTo(ADMIN_CHAT).text).toContain('Đã gửi câu trả lời');
    await eventually(() => zalo!.textTo(Z, before), (t) => t.includes('Cán bộ trực trả lời') && t.includes('xe chữa cháy đang tới'));

    // Resume: the same question was asked again, the draft kept.
    expect(await zalo!.text(Z, 'Nguyen Thi Lanh')).toContain('sinh năm nào');
  });

  it('a Telegram citizen asks a person: question to the duty chat, replies come back, only from the duty chat or an admin', async () => {
    await start();
    await tg.text(CITIZEN, '/start');
    await tg.press(CITIZEN, 'Hỏi cán bộ trực');
    expect(last().text).toContain('cán bộ trực');
    await tg.text(CITIZEN, 'Nhà tôi có 3 người già, làm căn cước một lần được không?');
    const code = /HD-[A-Z0-9]{4}/.exec(tg.messagesTo(CITIZEN).at(-2)!.text)![0];
    const posted = await eventually(() => tg.messagesTo(ADMIN_CHAT).filter((m) => m.text.includes(code)), (l) => l.length === 1);
    expect(posted[0]!.text).toContain('Nhà tôi có 3 người già');
    expect(posted[0]!.text).toContain('qua Telegram');

    const reply = await tg.replyTo(ADMIN_CHAT, posted[0]!.message_id, 'Được ạ, cán bộ làm cho cả 3 người trong một lần', DUTY_OFFICER, 'Lê Văn Trực');
    await eventually(() => last().text, (t) => t.includes('Cán bộ trực trả lời') && t.includes('cả 3 người') && t.includes('Lê Văn Trực'));
    // The same reply delivered again (a restart before Telegram heard it was handled): sent once.
    await tg.redeliverPushed(reply);
    await drained(stack.app);
    expect(tg.messagesTo(CITIZEN).filter((m) => m.text.includes('cả 3 người')).length).toBe(1);

    // By code, from the admin in private; a reply to an ordinary message in the duty chat is left alone.
    await tg.text(ADMIN_USER, `/traloi ${code.toLowerCase()} Bác nhớ chuẩn bị sổ hộ khẩu cũ nếu có`);
    expect(tg.lastTo(ADMIN_USER).text).toContain('Đã gửi câu trả lời');
    await eventually(() => last().text, (t) => t.includes('sổ hộ khẩu cũ'));
    const dutyCount = tg.messagesTo(ADMIN_CHAT).length;
    await tg.replyTo(ADMIN_CHAT, tg.lastTo(ADMIN_CHAT).message_id, 'ok', DUTY_OFFICER);
    expect(tg.messagesTo(ADMIN_CHAT).length).toBe(dutyCount);
    // Someone who is neither in the duty chat nor an admin cannot answer.
    await tg.text(9999, `/traloi ${code} tôi trả lời bừa`);
    expect(tg.lastTo(9999).text).toContain('chỉ dành cho chỉ huy');

    // The citizen erases their data: the question is erased, answers have nowhere to go.
    await tg.text(CITIZEN, '/xoadulieu');
    await tg.press(CITIZEN, 'Xóa hết');
    const row = await stack.app.repos.handoffs.byCode(code);
    expect(row).toMatchObject({ chatId: null, question: null });
    await tg.text(ADMIN_USER, `/traloi ${code} còn câu nào nữa không bác`);
    expect(tg.lastTo(ADMIN_USER).text).toContain('đã xóa thông tin');
  });
});
