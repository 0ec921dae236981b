import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CitizenRequest } from '../../src/domain/request.js';
import { browserAvailable, loginLinkIn, newContext, screenshot, signIn } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld, stopConsoleWorld } from '../helpers/consoleWorld.js';
import type { FakeTelegram } from '../helpers/fakeTelegram.js';
import type { FakeZalo } from '../helpers/fakeZalo.js';
import { ADMIN_USER, drained, eventually, fileRequest, type Stack } from '../helpers/stack.js';

const GROUP_A = -1001;
const GROUP_B = -1002;
const OFFICER_A = 501;
const OFFICER_B = 502;
const DAY = '2026-11-28';

let tg: FakeTelegram;
let zalo: FakeZalo;
let stack: Stack;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];

/** A fresh browser (its own cookies) signed in with the link the bot sends for /dangnhap. */
async function signedIn(chatUser: number, size: 'phone' | 'desktop'): Promise<Page> {
  await tg.text(chatUser, '/dangnhap', chatUser);
  const context = await newContext(browser, size);
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, loginLinkIn(tg.lastTo(chatUser).text));
  return page;
}

/** A citizen on Zalo files a request; it is assigned (by the real queue) before we go on. */
async function filed(over: Partial<CitizenRequest> = {}, chatId = `zc-${randomBytes(3).toString('hex')}`): Promise<CitizenRequest> {
  const r = await fileRequest(stack.app, { channel: 'zalo', chatId, preferredDate: DAY, ...over });
  await eventually(() => stack.app.repos.requests.byId(r.id), (x) => x?.status !== 'new');
  await drained(stack.app);
  return (await stack.app.repos.requests.byId(r.id))!;
}

let world: ConsoleWorld | undefined;

beforeAll(async () => {
  if (!browserAvailable()) return;
  world = await startConsoleWorld(
    [
      { id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh', 'phuoc-dong'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 8 },
      { id: 'hoi-pn', name: 'Tổ Hội Phụ nữ', communes: ['my-loc', 'can-duoc', 'dong-thanh'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 1 },
    ],
    [
      ['doan-tn', GROUP_A, OFFICER_A, 'Trần Văn Hùng'],
      ['hoi-pn', GROUP_B, OFFICER_B, 'Lê Thị Mai'],
    ],
  );
  ({ tg, zalo, stack, browser, base } = world);
});

afterAll(() => stopConsoleWorld(world, contexts));

describe.skipIf(!browserAvailable())('web console: login', () => {
  it('a single-use link from /dangnhap signs in; an expired, reused or forged link is refused', async () => {
    // Not staff: no link.
    await tg.text(4242, '/dangnhap', 4242);
    expect(tg.lastTo(4242).text).toContain('chỉ dành cho cán bộ và chỉ huy');

    const context = await newContext(browser, 'desktop');
    contexts.push(context);
    const page = await context.newPage();
    await tg.text(ADMIN_USER, '/dangnhap', ADMIN_USER);
    const link = loginLinkIn(tg.lastTo(ADMIN_USER).text);
    // Opening the link (as a chat app's preview does) does not use it up: a press does.
    expect((await fetch(link)).status).toBe(200);
    await signIn(page, link);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bảng yêu cầu');
    const cookie = (await context.cookies()).find((c) => c.name === 'sid')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');

    // Used: the same link again, in another browser.
    const other = await (await newContext(browser, 'desktop')).newPage();
    contexts.push(other.context());
    const reused = await other.goto(link);
    expect(reused!.status()).toBe(410);
    expect(await other.locator('.flash').textContent()).toContain('đã được dùng rồi');

    // Forged: a token nobody issued.
    const forged = await other.goto(`${base}/login/${randomBytes(32).toString('base64url')}`);
    expect(forged!.status()).toBe(404);
    expect(await other.locator('.flash').textContent()).toContain('không đúng');
    // And posting it straight away does not sign in either.
    const post = await other.request.post(`${base}/login`, { form: { token: 'x'.repeat(43) }, maxRedirects: 0 });
    expect(post.status()).toBe(404);
    expect((await other.context().cookies()).some((c) => c.name === 'sid')).toBe(false);

    // Expired: issued, then 11 minutes pass.
    const late = await stack.app.localLoginLink();
    stack.clock.advance(11 * 60_000);
    const expired = await other.goto(late);
    expect(expired!.status()).toBe(410);
    expect(await other.locator('.flash').textContent()).toContain('hết hạn');

    // Log out everywhere: the first browser is signed out too.
    await page.getByRole('button', { name: 'Đăng xuất trên mọi máy' }).click();
    await page.waitForURL(`${base}/`);
    const after = await page.goto(`${base}/board`);
    expect(after!.status()).toBe(401);
    expect(await page.locator('h1').textContent()).toBe('Trang quản lý');
  });
});

describe.skipIf(!browserAvailable())('web console: the commander', () => {
  it('the board counts, filters and searches; a request page is audited; a name is shown as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const a = await filed({ communeId: 'long-thanh', condition: 'bedridden', personName: evil });
    const b = await filed({ communeId: 'my-loc', condition: 'very_old', type: 'home' });
    const page = await signedIn(ADMIN_USER, 'desktop');
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const rows = page.locator('#board tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'board.png');
    // Counts by state.
    const assigned = Number(await page.locator('[data-count="assigned"]').textContent());
    expect(assigned).toBeGreaterThanOrEqual(2);

    // Filter by commune (the form updates the list in place, no reload).
    await page.getByLabel('Xã/phường').selectOption('my-loc');
    await expect.poll(async () => page.locator('#board tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')))).toEqual([b.code]);
    await page.getByLabel('Xã/phường').selectOption('');
    await page.getByLabel('Hoàn cảnh').selectOption('bedridden');
    await expect.poll(async () => (await page.locator('#board tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')))).includes(b.code)).toBe(false);
    await page.getByLabel('Hoàn cảnh').selectOption('');

    // Search by the phone's last digits, and by the code typed loosely.
    await page.getByRole('searchbox').fill(b.phone.slice(-4));
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(async () => page.locator('#board tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')))).toEqual([b.code]);
    await page.getByRole('searchbox').fill(a.code.toLowerCase().replace('-', ' '));
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(async () => page.locator('#board tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')))).toEqual([a.code]);
    // A search that is neither: said kindly, what was typed stays in the box.
    await page.getByRole('searchbox').fill('abc!');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(() => page.locator('#board .error[data-field="search"]').textContent()).toContain('từ 3 đến 10 số cuối');
    expect(await page.getByRole('searchbox').inputValue()).toBe('abc!');
    await page.getByRole('searchbox').fill('');
    // No personal data in any URL the board used.
    expect(page.url()).not.toContain(b.phone.slice(-4));

    // Open the request: its view is written to the audit log.
    const before = (await stack.app.repos.audit.forSubject(a.id)).filter((e) => e.action === 'request_viewed').length;
    await page.goto(`${base}/r/${a.code}`);
    await expect.poll(async () => (await stack.app.repos.audit.forSubject(a.id)).filter((e) => e.action === 'request_viewed').length).toBe(before + 1);
    const viewed = (await stack.app.repos.audit.forSubject(a.id)).filter((e) => e.action === 'request_viewed').at(-1)!;
    expect(viewed.actor).toMatch(/^staff:/);
    // The name is text, not markup; nothing ran.
    expect(await page.locator('ul.details').textContent()).toContain(evil);
    expect(await page.locator('ul.details img').count()).toBe(0);
    expect(dialogs).toBe(0);
    // The history names what happened, and who.
    const history = await page.locator('ol.timeline').textContent();
    expect(history).toContain('gửi yêu cầu');
    expect(history).toContain('giao cho tổ');
  });

  it('reassigns under capacity (a refusal says why), refuses a stale page, cancels with a reason the citizen is told', async () => {
    const citizen = `zc-${randomBytes(3).toString('hex')}`;
    const r = await filed({ communeId: 'tan-hoa' }, citizen);
    expect(r.teamId).toBe('doan-tn');
    // hoi-pn has room for one request that day: fill it.
    await filed({ communeId: 'my-loc' });
    const page = await signedIn(ADMIN_USER, 'desktop');
    await page.goto(`${base}/r/${r.code}`);
    await page.getByLabel('Chuyển cho tổ khác').selectOption('hoi-pn');
    await page.getByRole('button', { name: 'Chuyển tổ' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toContain('Tổ Hội Phụ nữ đã đủ 1 việc ngày đó');
    expect((await stack.app.repos.requests.byId(r.id))!.teamId).toBe('doan-tn');

    // Another day, where it has room: moved. The old team hears it and its card closes; the new
    // team gets a card; the citizen hears the new team's name.
    const citizen2 = `zc-${randomBytes(3).toString('hex')}`;
    const moved = await filed({ communeId: 'tan-hoa', preferredDate: '2026-12-05' }, citizen2);
    await page.goto(`${base}/r/${moved.code}`);
    await page.getByLabel('Chuyển cho tổ khác').selectOption('hoi-pn');
    await page.getByRole('button', { name: 'Chuyển tổ' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toContain('Đã giao việc');
    await eventually(() => tg.messagesTo(GROUP_A).map((m) => m.text).join('\n'), (t) => t.includes(`Chỉ huy đã chuyển yêu cầu <b>${moved.code}</b> cho tổ khác`));
    await eventually(() => tg.messagesTo(GROUP_A).find((m) => m.text.includes(moved.code))!, (m) => m.text.includes('Chỉ huy đã chuyển cho tổ khác') && (m.reply_markup?.inline_keyboard ?? []).length === 0);
    await eventually(() => tg.messagesTo(GROUP_B).filter((m) => m.text.includes(moved.code)), (c) => c.length === 1 && (c[0]!.reply_markup?.inline_keyboard ?? []).flat().some((b) => b.text.includes('Nhận việc')));
    await eventually(() => zalo.textTo(citizen2), (t) => t.includes(`Yêu cầu ${moved.code} đã được giao cho Tổ Hội Phụ nữ`));
    expect(await page.locator('ol.timeline').textContent()).toContain('chuyển cho tổ khác');

    // Two pages on the same request: one sends it back to the queue, the other's action is refused.
    const stale = await page.context().newPage();
    await stale.goto(`${base}/r/${r.code}`);
    await page.goto(`${base}/r/${r.code}`);
    await page.getByRole('button', { name: 'Trả về hàng chờ' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toContain('Đã trả về hàng chờ');
    await eventually(() => tg.messagesTo(GROUP_A).map((m) => m.text).join('\n'), (t) => t.includes(`Chỉ huy đã đưa yêu cầu <b>${r.code}</b> về hàng chờ`));
    await eventually(() => stack.app.repos.requests.byId(r.id), (x) => x?.status === 'assigned');
    await drained(stack.app);
    await stale.locator('summary', { hasText: 'Hủy yêu cầu' }).click();
    await stale.getByLabel('Lý do').selectOption('came_to_session');
    const [response] = await Promise.all([stale.waitForResponse((res) => res.url().endsWith('/cancel')), stale.getByRole('button', { name: 'Hủy yêu cầu' }).click()]);
    expect(response.status()).toBe(409);
    await expect.poll(() => stale.locator('.flash').textContent()).toContain('vừa được người khác thay đổi');
    expect((await stack.app.repos.requests.byId(r.id))!.status).toBe('assigned');

    // The fresh page (the latest was shown) cancels, with a reason the citizen hears.
    await stale.locator('summary', { hasText: 'Hủy yêu cầu' }).click();
    await stale.getByLabel('Lý do').selectOption('came_to_session');
    await stale.getByRole('button', { name: 'Hủy yêu cầu' }).click();
    await expect.poll(() => stale.locator('.flash').textContent()).toContain('Đã hủy');
    await eventually(() => zalo.textTo(citizen), (t) => t.includes(`Yêu cầu ${r.code} đã được hủy. Lý do: người được làm đã tự đến buổi làm căn cước`));
  });

  it('a POST without the CSRF token is refused and changes nothing', async () => {
    const r = await filed({ communeId: 'phuoc-dong' });
    const page = await signedIn(ADMIN_USER, 'desktop');
    const res = await page.request.post(`${base}/r/${r.code}/cancel`, { form: { reason: 'duplicate', v: String(r.updatedAt) } });
    expect(res.status()).toBe(403);
    const wrong = await page.request.post(`${base}/r/${r.code}/cancel`, { form: { reason: 'duplicate', v: String(r.updatedAt), _csrf: 'not-the-token' } });
    expect(wrong.status()).toBe(403);
    expect((await stack.app.repos.requests.byId(r.id))!.status).toBe('assigned');
    // With it, the same request goes through.
    const ok = await page.request.post(`${base}/r/${r.code}/cancel`, { form: { reason: 'duplicate', v: String(r.updatedAt), _csrf: await csrfOf(page) } });
    expect(ok.status()).toBe(200);
    expect((await stack.app.repos.requests.byId(r.id))!.status).toBe('cancelled');
  });
});

describe.skipIf(!browserAvailable())('web console: the officer', () => {
  it('on a 360×740 phone claims work with a visit time: the Telegram card is edited and the Zalo citizen told when', async () => {
    const citizen = `zc-${randomBytes(3).toString('hex')}`;
    const r = await filed({ communeId: 'long-thanh', phone: '0912345670' }, citizen);
    const card = () => tg.messagesTo(GROUP_A).find((m) => m.text.includes(r.code))!;
    const editsBefore = card().edits;
    const page = await signedIn(OFFICER_A, 'phone');
    expect(new URL(page.url()).pathname).toBe('/work');
    const item = page.locator(`article[data-code="${r.code}"]`);
    await expect.poll(() => item.count()).toBe(1);
    // The phone is a tel: link, the address a map search.
    expect(await item.locator('a[href^="tel:"]').getAttribute('href')).toBe('tel:0912345670');
    expect(await item.locator('a[href*="google.com/maps/search"]').count()).toBe(1);
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // A wrong window is said next to the field; nothing is claimed.
    await item.getByLabel('Ngày').fill(DAY);
    await item.getByLabel('Từ').fill('10:00');
    await item.getByLabel('Đến').fill('09:00');
    await item.getByRole('button', { name: 'Tôi nhận việc này' }).click();
    await expect.poll(() => page.locator(`article[data-code="${r.code}"] .error`).textContent()).toContain('Giờ kết thúc phải sau giờ bắt đầu');
    expect((await stack.app.repos.requests.byId(r.id))!.status).toBe('assigned');

    await page.locator(`article[data-code="${r.code}"]`).getByLabel('Đến').fill('10:00');
    await page.locator(`article[data-code="${r.code}"]`).getByLabel('Từ').fill('09:00');
    await page.locator(`article[data-code="${r.code}"]`).getByRole('button', { name: 'Tôi nhận việc này' }).click();
    await expect.poll(() => page.locator('.flash.ok').first().textContent()).toContain(`Bạn đã nhận việc ${r.code}`);
    await screenshot(page, 'work.png');
    // The card in the team's Telegram group is edited to say who took it…
    await eventually(card, (m) => m.edits > editsBefore && m.text.includes('Trần Văn Hùng'));
    // …and the citizen on Zalo hears when the officer comes.
    await eventually(() => zalo.textTo(citizen), (t) => t.includes('Cán bộ sẽ đến khoảng 9:00–10:00, thứ Bảy 28/11'));

    // Done, from the phone: the card closes, the citizen is thanked.
    await page.locator(`article[data-code="${r.code}"]`).getByLabel('Kết quả').selectOption('cccd_taken');
    await page.locator(`article[data-code="${r.code}"]`).getByRole('button', { name: 'Báo đã xong' }).click();
    await expect.poll(() => page.locator('.flash.ok').first().textContent()).toContain(`Việc ${r.code} đã xong`);
    await eventually(() => zalo.textTo(citizen), (t) => t.includes(`Yêu cầu ${r.code} đã xong`));
    await eventually(card, (m) => (m.reply_markup?.inline_keyboard ?? []).length === 0);
  });

  it('a claim made on the Telegram card shows on the open board and work page without a reload', async () => {
    const r = await filed({ communeId: 'tan-hoa' });
    const board = await signedIn(ADMIN_USER, 'desktop');
    const work = await signedIn(OFFICER_A, 'phone');
    const row = board.locator(`#board tr[data-code="${r.code}"] .state`);
    await expect.poll(() => row.textContent()).toContain('Đã giao tổ');
    await expect.poll(() => work.locator(`article[data-code="${r.code}"]`).getAttribute('data-status')).toBe('assigned');
    const url = board.url();
    await tg.press(GROUP_A, 'Nhận việc', OFFICER_A, (m) => m.text.includes(r.code));
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Cán bộ đã nhận');
    await expect.poll(() => work.locator(`article[data-code="${r.code}"]`).getAttribute('data-status'), { timeout: 10_000 }).toBe('claimed');
    expect(board.url()).toBe(url);
  });

  it('an officer of team A gets 403 on team B\'s request, on the page and on its actions', async () => {
    const theirs = await filed({ communeId: 'dong-thanh', preferredDate: '2026-12-12' });
    expect(theirs.teamId).toBe('hoi-pn');
    const page = await signedIn(OFFICER_A, 'phone');
    const res = await page.goto(`${base}/r/${theirs.code}`);
    expect(res!.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Không được phép');
    expect(await page.content()).not.toContain(theirs.phone);
    const claim = await page.request.post(`${base}/work/${theirs.code}/claim`, { form: { v: String(theirs.updatedAt), _csrf: await csrfOf(page) } });
    expect(claim.status()).toBe(403);
    expect((await stack.app.repos.requests.byId(theirs.id))!.status).toBe('assigned');
    // The board is the commanders' alone.
    expect((await page.goto(`${base}/board`))!.status()).toBe(403);
  });

  it('an officer on Zalo gets a link to the work page in the "new work" message', async () => {
    await tg.text(OFFICER_A, '/lienketkenh', OFFICER_A, 'Trần Văn Hùng');
    const linkCode = /<b>([A-Z0-9]{6})<\/b>/.exec(tg.lastTo(OFFICER_A).text)![1]!;
    expect(await zalo.text('zalo-officer-a', `/dangky ${linkCode}`)).toContain('Trần Văn Hùng');
    const r = await filed({ communeId: 'long-thanh' });
    const dm = await eventually(() => zalo.textTo('zalo-officer-a'), (t) => t.includes(`Tổ có việc mới: ${r.code}`));
    expect(dm).toContain(`${base}/work`);
    // And /dangnhap on Zalo gives them a login link too.
    expect(loginLinkIn(await zalo.text('zalo-officer-a', '/dangnhap'))).toMatch(/\/login\//);
  });
});

/** The session's form token, as the page carries it. */
function csrfOf(page: Page): Promise<string> {
  return page.locator('input[name="_csrf"]').first().inputValue();
}
