import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CitizenRequest } from '../../src/domain/request.js';
import { browserAvailable, screenshot, signedInWith } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld, stopConsoleWorld } from '../helpers/consoleWorld.js';
import type { FakeTelegram } from '../helpers/fakeTelegram.js';
import type { FakeZalo } from '../helpers/fakeZalo.js';
import { ADMIN_USER, drained, eventually, fileRequest, type Stack } from '../helpers/stack.js';

const GROUP_A = -1101;
const OFFICER_A = 511;
// The test clock's today is Monday 23/11/2026.
const TODAY = '2026-11-23';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

const signedIn = (chatUser: number, size: 'phone' | 'desktop') => signedInWith(tg, browser, chatUser, size, contexts);

/** An exported .xlsx, read back with exceljs. */
async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  return book;
}

const zaloUser = () => `zp-${randomBytes(3).toString('hex')}`;

let world: ConsoleWorld | undefined;

beforeAll(async () => {
  if (!browserAvailable()) return;
  world = await startConsoleWorld(
    [{ id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh'], capabilities: ['home_kit', 'vneid', 'vehicle'], capacityPerDay: 20 }],
    [['doan-tn', GROUP_A, OFFICER_A, 'Trần Văn Hùng']],
  );
  ({ tg, zalo, stack, browser, base } = world);
});

afterAll(() => stopConsoleWorld(world, contexts));

describe.skipIf(!browserAvailable())('running the programme from the console', () => {
  it('a session moved in the calendar tells its commune\'s subscribers, and only them', async () => {
    const s = await stack.app.services.sessions.create(
      { communeId: 'tan-hoa', date: '2026-11-28', startTime: '07:30', endTime: '11:30', placeName: 'Nhà văn hóa ấp 3', address: 'Ấp 3', mapUrl: null, services: ['cccd'], homeCapacity: 5, rideCapacity: 2, notes: null },
      'test',
    );
    await drained(stack.app);
    const sub = zaloUser();
    const other = zaloUser();
    await stack.app.services.sessions.subscribe('zalo', sub, 'tan-hoa');
    await stack.app.services.sessions.subscribe('zalo', other, 'long-thanh');

    const page = await signedIn(ADMIN_USER, 'desktop');
    await page.goto(`${base}/calendar?month=2026-11`);
    const item = page.locator(`li[data-session="${s.id}"]`);
    expect(await item.locator('.places').textContent()).toContain('Tại nhà: 0/5 (còn 5)');
    await item.getByRole('link').click();
    await page.waitForURL(`${base}/calendar/${s.id}`);
    // A time that is not one: said next to the field, nothing moved.
    await page.getByLabel('Ngày').fill('2026-12-05');
    await page.getByLabel('Đến giờ').fill('06:00');
    await page.getByRole('button', { name: 'Dời buổi' }).click();
    await expect.poll(() => page.locator('.error[data-field="end"]').textContent()).toContain('Giờ kết thúc phải sau giờ bắt đầu');
    expect((await stack.app.services.sessions.byId(s.id))!.date).toBe('2026-11-28');

    await page.getByLabel('Đến giờ').fill('11:00');
    await page.getByRole('button', { name: 'Dời buổi' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã dời buổi');
    expect(await page.locator('[data-status]').first().getAttribute('data-status')).toBe('moved');
    await eventually(() => zalo.textTo(sub), (t) => t.includes('05/12/2026') && t.includes('28/11/2026'));
    await drained(stack.app);
    expect(zalo.textTo(other)).toBe('');

    // A new evening session, from the form: a capacity of -1 is named, nothing is saved.
    await page.goto(`${base}/calendar`);
    const add = page.locator('form[action="/calendar"]');
    await page.getByText('Thêm buổi', { exact: true }).click();
    await add.getByLabel('Xã/phường').selectOption('long-thanh');
    await add.getByLabel('Ngày').fill('2026-12-10');
    await add.getByLabel('Buổi tối').check();
    await add.getByLabel('Nơi làm').fill('Nhà máy may Long Thạnh');
    await add.getByLabel('Số nhận làm tại nhà').fill('-1');
    await add.getByRole('button', { name: 'Lưu buổi mới' }).click();
    await expect.poll(() => page.locator('.error[data-field="home"]').textContent()).toContain('«Số nhận làm tại nhà» không được là số âm');
    expect((await stack.app.services.sessions.between('2026-12-10', '2026-12-10')).length).toBe(0);
    await page.locator('form[action="/calendar"]').getByLabel('Số nhận làm tại nhà').fill('4');
    await page.locator('form[action="/calendar"]').getByRole('button', { name: 'Lưu buổi mới' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã thêm buổi ngày 10/12/2026');
    const [evening] = await stack.app.services.sessions.between('2026-12-10', '2026-12-10');
    expect(evening).toMatchObject({ communeId: 'long-thanh', startTime: '18:00', endTime: '23:00', homeCapacity: 4 });
    await eventually(() => zalo.textTo(other), (t) => t.includes('10/12/2026'));
    expect(await page.locator(`li[data-session="${evening!.id}"]`).textContent()).toContain('Buổi tối');

    // The Saturday rotation, in the list's order: 28/11 Long Thạnh; 05/12 Tân Hòa already has one (moved there).
    await page.getByText('Xếp lịch thứ Bảy luân phiên', { exact: true }).click();
    const rotation = page.locator('form[action="/calendar/rotation"]');
    await rotation.locator('input[name="communes"][value="tan-hoa"]').check();
    await rotation.locator('input[name="communes"][value="long-thanh"]').check();
    await rotation.getByLabel('Số tuần').fill('2');
    await rotation.getByRole('button', { name: 'Tạo các buổi' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã tạo 1 buổi');
    const made = (await stack.app.services.sessions.between('2026-11-28', '2026-12-05')).map((x) => `${x.date} ${x.communeId} ${x.status}`);
    expect(made.sort()).toEqual(['2026-11-28 long-thanh planned', '2026-12-05 tan-hoa moved']);
  });

  it('an announcement sent from the browser reaches the subscribers on both apps, the bar reaching 100 %', async () => {
    const zaloSubs = [zaloUser(), zaloUser(), zaloUser()];
    const tgSub = 9301;
    for (const z of zaloSubs) await stack.app.services.sessions.subscribe('zalo', z, 'my-loc');
    await stack.app.services.sessions.subscribe('telegram', String(tgSub), 'my-loc');
    const elsewhere = zaloUser();
    await stack.app.services.sessions.subscribe('zalo', elsewhere, 'tan-hoa');
    const text = `Thứ Bảy này có làm CCCD tại Nhà văn hóa ${randomBytes(2).toString('hex')}`;

    const page = await signedIn(ADMIN_USER, 'desktop');
    await page.goto(`${base}/announce`);
    // Nothing typed: said, nothing sent.
    await page.getByRole('button', { name: 'Xem trước' }).click();
    await expect.poll(() => page.locator('.error[data-field="text"]').textContent()).toContain('Xin gõ nội dung');
    await page.getByLabel('Nội dung thông báo').fill(text);
    await page.getByLabel('Chỉ những xã đã chọn').check();
    await page.locator('details:has(input[name="communes"]) summary').click();
    await page.locator('input[name="communes"][value="my-loc"]').check();
    await page.getByRole('button', { name: 'Xem trước' }).click();
    // The exact count: three on Zalo, one on Telegram (nobody in my-loc has an open request).
    await expect.poll(() => page.locator('[data-count]').getAttribute('data-count')).toBe('4');
    await page.getByRole('button', { name: 'Gửi cho 4 người' }).click();
    await page.waitForURL(/\/announce\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('[data-percent]').getAttribute('data-percent'), { timeout: 15_000 }).toBe('100');
    expect(await page.locator('#progress').textContent()).toContain('Đã gửi 4/4');
    for (const z of zaloSubs) expect(zalo.textTo(z)).toContain(text);
    expect(tg.messagesTo(tgSub).map((m) => m.text).join('\n')).toContain(text);
    expect(zalo.textTo(elsewhere)).not.toContain(text);
    // The history shows it with its result.
    await page.goto(`${base}/announce`);
    expect(await page.locator('tbody').textContent()).toContain('Đã gửi 4/4');

    // A long one (Zalo sends about 10 a second) is stopped half-way: nobody else gets it.
    const many = Array.from({ length: 200 }, () => zaloUser());
    for (const z of many) await stack.app.services.sessions.subscribe('zalo', z, 'can-duoc');
    const long = `Lịch tiêm phòng dại ${randomBytes(2).toString('hex')}`;
    await page.getByLabel('Nội dung thông báo').fill(long);
    await page.getByLabel('Chỉ những xã đã chọn').check();
    await page.locator('details:has(input[name="communes"]) summary').click();
    await page.locator('input[name="communes"][value="can-duoc"]').check();
    await page.getByRole('button', { name: 'Xem trước' }).click();
    await page.getByRole('button', { name: 'Gửi cho 200 người' }).click();
    await expect.poll(() => page.locator('#progress').getAttribute('data-status')).toBe('sending');
    await page.getByRole('button', { name: 'Dừng gửi' }).click();
    await expect.poll(() => page.locator('#progress').getAttribute('data-status')).toBe('cancelled');
    await drained(stack.app);
    const reached = many.filter((z) => zalo.textTo(z).includes(long)).length;
    expect(reached).toBeLessThan(200);
    expect(await page.locator('.flash.ok').textContent()).toContain('Đã dừng');
  });

  it('an answer typed in the duty inbox reaches the citizen on Zalo; an emergency report can be marked handled', async () => {
    const asker = zaloUser();
    const q = await stack.app.services.handoff.forward('zalo', asker, 'Cho hỏi bà tôi 90 tuổi làm CCCD có cần mang sổ hộ khẩu không?', 'question');
    const alarm = await stack.app.services.handoff.forward('zalo', zaloUser(), 'nhà hàng xóm đang cháy', 'emergency', { calls: ['114'] });
    await drained(stack.app);

    const page = await signedIn(ADMIN_USER, 'desktop');
    await page.goto(`${base}/inbox`);
    const item = page.locator(`article[data-code="${q.code}"]`);
    expect(await item.getAttribute('data-waiting')).toBe('true');
    expect(await item.textContent()).toContain('sổ hộ khẩu');
    // Not answered ones come first.
    const order = await page.locator('article.inbox').evaluateAll((as) => as.map((a) => a.getAttribute('data-waiting')));
    expect(order.indexOf('false') === -1 || order.lastIndexOf('true') < order.indexOf('false')).toBe(true);

    await item.getByRole('textbox').fill('Dạ không cần sổ hộ khẩu, chỉ cần mang CCCD cũ nếu có.');
    await item.getByRole('button', { name: 'Gửi trả lời' }).click();
    await expect.poll(() => page.locator(`article[data-code="${q.code}"] .flash.ok`).textContent()).toContain(`Đã gửi câu trả lời cho ${q.code}`);
    await eventually(() => zalo.textTo(asker), (t) => t.includes('chỉ cần mang CCCD cũ nếu có'));
    expect(await page.locator(`article[data-code="${q.code}"]`).getAttribute('data-waiting')).toBe('false');

    await page.locator(`article[data-code="${alarm.code}"]`).getByRole('button', { name: 'Đánh dấu đã xử lý' }).click();
    await expect.poll(() => page.locator(`article[data-code="${alarm.code}"]`).getAttribute('data-waiting')).toBe('false');
    const audit = await stack.app.repos.audit.forSubject(alarm.code);
    expect(audit.map((e) => e.action)).toContain('handoff_handled');
  });

  it('a target of "abc" is refused with a message naming the field; nothing is saved', async () => {
    const page = await signedIn(ADMIN_USER, 'desktop');
    await page.goto(`${base}/targets`);
    const add = page.locator('article', { has: page.getByRole('heading', { name: 'Thêm chỉ tiêu' }) });
    await add.getByLabel('Mục tiêu').fill('abc');
    await add.getByRole('button', { name: 'Thêm chỉ tiêu' }).click();
    await expect.poll(() => page.locator('.error[data-field="target"]').textContent()).toContain('Ô «Mục tiêu» phải là một số');
    expect(await page.locator('.error[data-field="target"]').textContent()).toContain('«abc»');
    expect(await stack.app.services.results.targetsList()).toEqual([]);

    // Every page of the programme fits a 360 px phone (wide tables scroll inside their box).
    const phone = await signedIn(ADMIN_USER, 'phone');
    for (const path of ['/calendar', '/announce', '/inbox', '/results', '/targets', '/reports']) {
      await phone.goto(`${base}${path}`);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
    }
  });

  it('the report\'s numbers match the database, on the page and in the exported XLSX', async () => {
    const officer = (await stack.app.repos.staff.byIdentity({ channel: 'telegram', userId: String(OFFICER_A) }))!;
    /** Filed, claimed and done through the card's service, with these outcomes. */
    async function done(over: Partial<CitizenRequest>, outcome: 'cccd_taken' | 'ride_done') {
      const r = await fileRequest(stack.app, { channel: 'zalo', chatId: zaloUser(), preferredDate: TODAY, ...over });
      await eventually(() => stack.app.repos.requests.byId(r.id), (x) => x?.status === 'assigned');
      expect(await stack.app.services.assignment.act(r.id, { kind: 'claim' }, { staffId: officer.id })).toBe('ok');
      expect(await stack.app.services.assignment.act(r.id, { kind: 'outcome', outcome }, { staffId: officer.id })).toBe('ok');
      return r;
    }
    // On the Telegram card: one press for the CCCD taken and VNeID level 2 activated.
    const onCard = await fileRequest(stack.app, { channel: 'zalo', chatId: zaloUser(), preferredDate: TODAY, communeId: 'tan-hoa' });
    const cardOf = (m: { text: string }) => m.text.includes(onCard.code);
    await eventually(() => tg.messagesTo(GROUP_A).some((m) => cardOf(m) && (m.reply_markup?.inline_keyboard ?? []).length > 0), Boolean);
    await tg.press(GROUP_A, 'Nhận việc', OFFICER_A, cardOf);
    await tg.press(GROUP_A, 'Đã xong', OFFICER_A, cardOf);
    await tg.press(GROUP_A, 'Nhận hồ sơ CCCD và kích hoạt VNeID mức 2', OFFICER_A, cardOf);
    await eventually(() => stack.app.repos.requests.byId(onCard.id), (x) => x?.status === 'done');
    expect((await stack.app.repos.requests.byId(onCard.id))!.outcomes).toEqual(['cccd_taken', 'vneid_done']);
    await eventually(() => tg.messagesTo(GROUP_A).find(cardOf)!.text, (t) => t.includes('Đã nhận hồ sơ CCCD, Đã kích hoạt VNeID mức 2'));
    await done({ communeId: 'tan-hoa', type: 'home' }, 'cccd_taken');
    await done({ communeId: 'long-thanh', type: 'ride', pickupAddress: 'Số 9 ấp 2', people: 1, services: ['cccd_new'] }, 'ride_done');
    const open = await fileRequest(stack.app, { channel: 'zalo', chatId: zaloUser(), preferredDate: TODAY, communeId: 'long-thanh' });
    await drained(stack.app);
    expect((await stack.app.repos.requests.byId(open.id))!.status).not.toBe('done');

    // Done from the phone with two outcomes: the CCCD taken and VNeID level 2 activated.
    const phone = await signedIn(OFFICER_A, 'phone');
    const both = await fileRequest(stack.app, { channel: 'zalo', chatId: zaloUser(), preferredDate: TODAY, communeId: 'tan-hoa' });
    await eventually(() => stack.app.repos.requests.byId(both.id), (x) => x?.status === 'assigned');
    expect(await stack.app.services.assignment.act(both.id, { kind: 'claim' }, { staffId: officer.id })).toBe('ok');
    await phone.goto(`${base}/work`);
    const work = phone.locator(`article[data-code="${both.code}"]`);
    await work.getByLabel('Kết quả').selectOption('cccd_taken');
    await work.getByLabel('Đã kích hoạt VNeID mức 2', { exact: true }).check();
    await work.getByRole('button', { name: 'Báo đã xong' }).click();
    await expect.poll(() => phone.locator('.flash.ok').first().textContent()).toContain(`Việc ${both.code} đã xong`);
    expect((await stack.app.repos.requests.byId(both.id))!.outcomes).toEqual(['cccd_taken', 'vneid_done']);

    // The team lead records a session's results from the phone; a second day by the service.
    await phone.goto(`${base}/results?day=${TODAY}&commune=tan-hoa`);
    const numbers = { cccdNew: '12', cccdAtHome: '5', cccdReissue: '3', vneidLevel1: '30', vneidLevel2: '1.020', vneidDocuments: '7', fireClass: '1', fireAttendees: '45', peopleDriven: '4' };
    // At home more than taken: refused, nothing saved.
    for (const [k, v] of Object.entries(numbers)) await phone.locator(`input[name="${k}"]`).fill(k === 'cccdAtHome' ? '13' : v);
    await phone.getByRole('button', { name: 'Lưu kết quả' }).click();
    await expect.poll(() => phone.locator('.error[data-field="cccdAtHome"]').textContent()).toContain('không thể nhiều hơn');
    expect(await stack.app.services.results.between('2026-01-01', TODAY, [])).toEqual([]);
    await phone.locator('input[name="cccdAtHome"]').fill('5');
    await phone.getByRole('button', { name: 'Lưu kết quả' }).click();
    await expect.poll(() => phone.locator('.flash.ok').textContent()).toContain('Đã lưu kết quả của Xã Tân Hòa ngày 23/11/2026');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const second = await stack.app.services.results.record(
      { teamId: 'doan-tn', day: '2026-11-14', communeId: 'long-thanh', sessionId: null, counts: { cccdNew: '8', cccdAtHome: '2', vneidLevel1: '10', vneidLevel2: '500', fireClass: '1', fireAttendees: '30' } },
      ['tan-hoa', 'long-thanh'],
      'staff:test',
    );
    expect(second.ok).toBe(true);

    const commander = await signedIn(ADMIN_USER, 'desktop');
    await commander.goto(`${base}/targets`);
    const add = commander.locator('article', { has: commander.getByRole('heading', { name: 'Thêm chỉ tiêu' }) });
    await add.getByLabel('Chỉ tiêu').selectOption('vneidLevel2');
    await add.getByLabel('Từ ngày').fill('2026-01-01');
    await add.getByLabel('Đến ngày').fill('2026-12-31');
    await add.getByLabel('Mục tiêu').fill('86.686');
    await add.getByLabel('Đã có từ trước').fill('35322');
    await add.getByRole('button', { name: 'Thêm chỉ tiêu' }).click();
    await expect.poll(() => commander.locator('.flash.ok').textContent()).toContain('Đã lưu chỉ tiêu');

    // What the database holds, summed here independently of the report.
    const rows = await stack.app.services.results.between('2026-01-01', TODAY, []);
    const sum = (f: 'cccdNew' | 'vneidLevel2' | 'fireAttendees') => rows.reduce((s, r) => s + r[f], 0);
    expect(sum('vneidLevel2')).toBe(1520);
    const reached = 35_322 + 1520;

    await commander.goto(`${base}/reports?from=2026-01-01&to=${TODAY}`);
    const kpi = (k: string) => commander.locator(`[data-kpi="${k}"] .n`).textContent();
    expect(await kpi('cccdNew')).toBe(String(sum('cccdNew')));
    expect(await kpi('fireAttendees')).toBe(String(sum('fireAttendees')));
    expect(await kpi('vneidLevel2')).toBe((1520).toLocaleString('vi-VN'));
    expect(await kpi('home_done')).toBe('3');
    expect(await kpi('rides_done')).toBe('1');
    expect(await commander.locator('[data-metric="vneidLevel2"] [data-reached]').getAttribute('data-reached')).toBe(String(reached));
    expect(await commander.locator('[data-metric="vneidLevel2"] [data-percent]').getAttribute('data-percent')).toBe(String(Math.round((reached / 86_686) * 1000) / 10));
    expect(await commander.locator('#per-commune tr[data-commune="long-thanh"] td').nth(1).textContent()).toBe('8');
    // The chart library runs under the CSP (no inline script): it drew on the canvas.
    await expect.poll(() => commander.locator('#chart-weeks').evaluate((c: HTMLCanvasElement) => c.width > 0 && !!(window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart?.getChart(c))).toBe(true);
    await screenshot(commander, 'reports.png');

    // The KPI summary as XLSX, read back.
    const kpiFile = await commander.request.get(`${base}/reports/export/kpi.xlsx?from=2026-01-01&to=${TODAY}`);
    expect(kpiFile.status()).toBe(200);
    const book = await workbook(await kpiFile.body());
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toContain('Chỉ tiêu');
    const rowOf = (label: string) => {
      for (let i = 2; i <= sheet.rowCount; i++) if (sheet.getRow(i).getCell(1).value === label) return sheet.getRow(i);
      throw new Error(`no row ${label}`);
    };
    const target = rowOf('Kích hoạt VNeID mức 2');
    expect(target.getCell(4).value).toBe(86_686);
    expect(target.getCell(7).value).toBe(reached);
    expect(rowOf('Lần đến nhà đã xong').getCell(6).value).toBe(3);
    expect((target.getCell(2).value as Date).toISOString().slice(0, 10)).toBe('2026-01-01');
    expect(target.getCell(2).numFmt).toBe('dd/mm/yyyy');

    // Session results: both rows, summed the same.
    const resultsBook = await workbook(await (await commander.request.get(`${base}/reports/export/results.xlsx?from=2026-01-01&to=${TODAY}`)).body());
    const rs = resultsBook.worksheets[0]!;
    expect(rs.rowCount).toBe(3);
    let cccd = 0;
    for (let i = 2; i <= rs.rowCount; i++) cccd += Number(rs.getRow(i).getCell(4).value);
    expect(cccd).toBe(sum('cccdNew'));

    // Requests: names for the commander (audited), none for the officer; CSV with dd/mm/yyyy.
    const before = (await stack.app.repos.audit.forSubject(`requests:2026-01-01..${TODAY}`)).length;
    const csv = (await (await commander.request.get(`${base}/reports/export/requests.csv?from=2026-01-01&to=${TODAY}`)).body()).toString('utf8');
    expect(csv.startsWith('\uFEFFMã,Loại việc,Tình trạng')).toBe(true);
    expect(csv).toContain('Họ tên');
    expect(csv).toContain('Nguyễn Thị Lành');
    expect(csv).toContain('23/11/2026');
    expect(csv.split('\r\n').find((l) => l.startsWith(both.code))).toContain('Đã nhận hồ sơ CCCD; Đã kích hoạt VNeID mức 2');
    expect((await stack.app.repos.audit.forSubject(`requests:2026-01-01..${TODAY}`)).length).toBe(before + 1);
    const plain = (await (await phone.request.get(`${base}/reports/export/requests.csv?from=2026-01-01&to=${TODAY}`)).body()).toString('utf8');
    expect(plain).not.toContain('Họ tên');
    expect(plain).not.toContain('Nguyễn Thị Lành');
    // An officer has no commander's page.
    for (const path of ['/calendar', '/announce', '/inbox', '/targets']) expect((await phone.request.get(`${base}${path}`)).status(), path).toBe(403);
    expect(plain.split('\r\n').filter((l) => l.startsWith('TB-')).length).toBe(csv.split('\r\n').filter((l) => l.startsWith('TB-')).length);
  });
});
