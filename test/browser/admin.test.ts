import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CitizenRequest } from '../../src/domain/request.js';
import { browserAvailable, screenshot, signedInWith } from '../helpers/browser.js';
import { type ConsoleWorld, startConsoleWorld, stopConsoleWorld } from '../helpers/consoleWorld.js';
import type { FakeTelegram } from '../helpers/fakeTelegram.js';
import { ADMIN_USER, drained, eventually, fileRequest, type Stack, startStack } from '../helpers/stack.js';

const GROUP_A = -2001;
const GROUP_NEW = -2003;
const OFFICER_A = 601;
const OFFICER_NEW = 603;
const NEW_COMMANDER = 888;
const DAY = '2026-11-28';

let tg: FakeTelegram;
let stack: Stack;
let browser: Browser;
let base: string;
let env: Record<string, string>;
const contexts: BrowserContext[] = [];

const signedIn = (chatUser: number, size: 'phone' | 'desktop' = 'desktop') => signedInWith(tg, browser, chatUser, size, contexts);

/** A citizen on Zalo files a request; we go on once the queue has decided where it goes. */
async function filed(over: Partial<CitizenRequest> = {}): Promise<CitizenRequest> {
  const r = await fileRequest(stack.app, { channel: 'zalo', chatId: `zc-${randomBytes(3).toString('hex')}`, preferredDate: DAY, ...over });
  await eventually(() => stack.app.repos.requests.byId(r.id), (x) => x?.status !== 'new');
  await drained(stack.app);
  return (await stack.app.repos.requests.byId(r.id))!;
}

let adminPage: Page | undefined;

/** The root commander's browser: signed in once (the bot limits how often one person asks for codes). */
async function admin(): Promise<Page> {
  adminPage ??= await signedIn(ADMIN_USER);
  return adminPage;
}

const fieldError = (page: Page, name: string) => page.locator(`.error[data-field="${name}"]`).first().textContent();

let world: ConsoleWorld | undefined;

beforeAll(async () => {
  if (!browserAvailable()) return;
  world = await startConsoleWorld(
    [{ id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 8 }],
    [['doan-tn', GROUP_A, OFFICER_A, 'Trần Văn Hùng']],
  );
  ({ tg, stack, browser, base, env } = world);
});

// A test restarts the stack: the one running now is stopped.
afterAll(() => stopConsoleWorld(world, contexts, stack));

describe.skipIf(!browserAvailable())('running the unit from the console', () => {
  it('a team with a bad name or capacity is refused field by field and nothing is saved; a team created here gets the next request of its commune', async () => {
    const before = await filed({ communeId: 'my-loc' });
    expect(before.status).toBe('unassigned');
    const page = await admin();
    await page.goto(`${base}/teams`);
    await page.getByText('+ Thêm tổ mới').click();
    await page.getByLabel('Số việc tối đa mỗi ngày').fill('-1');
    await page.getByRole('button', { name: 'Tạo tổ' }).click();
    await expect.poll(() => fieldError(page, 'name')).toContain('Xin ghi tên tổ');
    expect(await fieldError(page, 'capacityPerDay')).toContain('từ 1 đến 1000');
    expect(await fieldError(page, 'communes')).toContain('ít nhất một xã');
    expect(await fieldError(page, 'capabilities')).toContain('ít nhất một việc');
    expect((await stack.app.repos.teams.all()).map((t) => t.id)).toEqual(['doan-tn']);

    // What was typed is kept; the name and the rest are put right.
    expect(await page.getByLabel('Số việc tối đa mỗi ngày').inputValue()).toBe('-1');
    await page.getByLabel('Tên tổ').fill('Tổ Công an Mỹ Lộc');
    await page.getByLabel('Xã Mỹ Lộc').check();
    await page.getByLabel('Làm CCCD tại nhà').check();
    await page.getByLabel('Số việc tối đa mỗi ngày').fill('5');
    await page.getByRole('button', { name: 'Tạo tổ' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Tổ Công an Mỹ Lộc');
    const team = (await stack.app.repos.teams.all()).find((t) => t.name === 'Tổ Công an Mỹ Lộc')!;
    expect(team).toMatchObject({ communes: ['my-loc'], capabilities: ['home_kit'], capacityPerDay: 5, active: true });
    // The engine tried the waiting request again at once: a team covers it now, but has no group or officer yet.
    await eventually(() => stack.app.repos.requests.byId(before.id), (x) => x?.reason === 'no_team_linked');

    // Its group is linked with the code this page gives, as in chat.
    await page.getByRole('button', { name: 'Lấy mã liên kết nhóm' }).click();
    const code = (await page.locator('.invite b').textContent())!;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    await tg.text(GROUP_NEW, `/lienket ${code}`, OFFICER_NEW, 'Phạm Văn Cường');
    await page.reload();
    await expect.poll(() => page.locator('.work-chat').textContent()).toContain('Telegram');
    await screenshot(page, 'team.png');

    await eventually(() => stack.app.repos.requests.byId(before.id), (x) => x?.status === 'assigned' && x.teamId === team.id);
    const next = await filed({ communeId: 'my-loc' });
    expect(next.teamId).toBe(team.id);
    await eventually(() => tg.messagesTo(GROUP_NEW).map((m) => m.text).join('\n'), (t) => t.includes(next.code));
  });

  it('a removed officer is signed out at once and their press on a card is refused', async () => {
    const work = await signedIn(OFFICER_A, 'phone');
    const r = await filed({ communeId: 'tan-hoa' });
    expect(r.teamId).toBe('doan-tn');
    await eventually(() => tg.messagesTo(GROUP_A).filter((m) => m.text.includes(r.code)), (m) => m.length > 0);

    const commander = await admin();
    await commander.goto(`${base}/teams/doan-tn`);
    const officer = commander.locator('li[data-staff]', { hasText: 'Trần Văn Hùng' });
    await officer.getByRole('button', { name: 'Cho nghỉ' }).click();
    await expect.poll(() => commander.locator('.flash.ok').textContent()).toContain('Đã cho cán bộ nghỉ');
    expect(await commander.locator('li[data-staff]', { hasText: 'Trần Văn Hùng' }).count()).toBe(0);

    expect((await work.goto(`${base}/work`))!.status()).toBe(401);
    await tg.press(GROUP_A, 'Nhận việc', OFFICER_A, (m) => m.text.includes(r.code));
    await drained(stack.app);
    expect((await stack.app.repos.requests.byId(r.id))!.status).toBe('assigned');
    await tg.text(OFFICER_A, '/dangnhap', OFFICER_A);
    expect(tg.lastTo(OFFICER_A).text).not.toContain('/login/');
  });

  it('settings changed in the browser are in effect in the next reply; a bad one is named and nothing is saved', async () => {
    const page = await admin();
    await page.goto(`${base}/settings`);
    await page.getByLabel('Tên đơn vị').fill('Công an xã Mỹ Lộc');
    await page.getByLabel('Số điện thoại của đơn vị').fill('114');
    await page.getByLabel('Giờ gửi nhắc lịch').fill('25');
    await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await expect.poll(() => fieldError(page, 'unitPhone')).toContain('113, 114, 115');
    expect(await fieldError(page, 'reminderHour')).toContain('từ 0 đến 23');
    expect(await stack.app.repos.settings.all()).toEqual([]);

    await page.getByLabel('Số điện thoại của đơn vị').fill('0272 3 999 888');
    await page.getByLabel('Giờ gửi nhắc lịch').fill('19');
    await page.getByLabel('Ngày nghỉ lễ').fill('1/1/2027\n2027-04-30');
    await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã lưu');
    expect(await page.getByLabel('Ngày nghỉ lễ').inputValue()).toBe('01/01/2027\n30/04/2027');
    expect((await stack.app.repos.audit.since(0)).filter((e) => e.action === 'setting_changed').length).toBe(4);

    const citizen = 9301;
    await tg.text(citizen, '/start');
    expect(tg.lastTo(citizen).text).toContain('Công an xã Mỹ Lộc');
    await tg.press(citizen, 'Hỏi cán bộ trực');
    expect(tg.lastTo(citizen).text).toContain('0272 3 999 888');
    expect(stack.app.services.unit.retentionDays).toBe(90);
  });

  it('areas: look-alike names are flagged; a CSV with a broken row names the row and saves nothing; a good one is understood at once', async () => {
    const page = await admin();
    await page.goto(`${base}/areas`);
    await expect.poll(() => page.locator('tr[data-area="dong-thanh"] .confusable').textContent()).toContain('Xã Phước Đông');
    const broken = 'ma,ten,ten_cu,ap\nbinh-an,Xã Bình An,Xã Bình An Cũ,Ấp Một; Ấp Hai\n,,Xã Không Tên,\n';
    await page.locator('textarea[name="csv"]').fill(broken);
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await expect.poll(() => page.locator('.flash.bad').textContent()).toContain('Dòng 3');
    expect(stack.app.services.areas.match('xa binh an').kind).not.toBe('exact');

    await page.locator('textarea[name="csv"]').fill('ma,ten,ten_cu,ap\nbinh-an,Xã Bình An,"Xã Bình An Cũ; Xã An Hòa",Ấp Một; Ấp Hai\n');
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã nhập 1');
    const m = stack.app.services.areas.match('binh an cu');
    expect(m.kind === 'exact' && m.area.id).toBe('binh-an');
    expect(await page.locator('tr[data-area="binh-an"]').textContent()).toContain('Ấp Hai');
  });

  it('a commander added here signs in with their communes; removed, they are signed out and get no link', async () => {
    const page = await admin();
    await page.goto(`${base}/commanders`);
    await page.getByLabel('Hoặc ghi tài khoản', { exact: false }).fill('not an account');
    await page.getByRole('button', { name: 'Thêm chỉ huy' }).click();
    await expect.poll(() => fieldError(page, 'account')).toContain('Tài khoản không đúng');
    await page.getByLabel('Hoặc ghi tài khoản', { exact: false }).fill(`telegram:${NEW_COMMANDER}`);
    await page.getByLabel('Họ tên').fill('Võ Văn Tư');
    await page.locator('form[action="/commanders"]').getByLabel('Xã Mỹ Lộc').check();
    await page.getByRole('button', { name: 'Thêm chỉ huy' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã thêm chỉ huy');
    const added = (await stack.app.repos.staff.commanders()).find((c) => c.name === 'Võ Văn Tư')!;
    expect(added.communes).toEqual(['my-loc']);

    const theirs = await signedIn(NEW_COMMANDER);
    expect(new URL(theirs.url()).pathname).toBe('/board');
    // Not a root commander: the settings are shown, not changed; commanders are not added.
    await theirs.goto(`${base}/settings`);
    expect(await theirs.getByLabel('Tên đơn vị').getAttribute('readonly')).not.toBeNull();
    const _csrf = await theirs.locator('input[name="_csrf"]').first().inputValue();
    expect((await theirs.request.post(`${base}/settings`, { form: { _csrf, unitName: 'Ai đó', unitPhone: '0909 000 000' } })).status()).toBe(403);
    expect((await theirs.request.post(`${base}/commanders`, { form: { _csrf, account: 'telegram:999' } })).status()).toBe(403);
    expect(stack.app.services.unit.name).not.toBe('Ai đó');
    await page.reload();
    await page.locator(`article[data-staff="${added.id}"]`).getByRole('button', { name: 'Bỏ quyền chỉ huy' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã bỏ quyền chỉ huy');
    expect((await theirs.goto(`${base}/board`))!.status()).toBe(401);
    await tg.text(NEW_COMMANDER, '/dangnhap', NEW_COMMANDER);
    expect(tg.lastTo(NEW_COMMANDER).text).not.toContain('/login/');
  });

  it('every page of the unit fits a 360 px phone', async () => {
    const page = await admin();
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/teams', '/teams/doan-tn', '/areas', '/areas/tan-hoa', '/commanders', '/settings']) {
      expect((await page.goto(`${base}${path}`))!.status(), path).toBe(200);
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(360);
    }
    await screenshot(page, 'settings-phone.png');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('a team stopped in the console stays stopped after a restart, and teams export as JSON', async () => {
    const page = await admin();
    await page.goto(`${base}/teams/doan-tn`);
    await page.getByRole('button', { name: 'Ngừng tổ này' }).click();
    await expect.poll(() => page.locator('.flash.ok').textContent()).toContain('Đã ngừng');
    const exported = await page.request.get(`${base}/teams/export`);
    const json = (await exported.json()) as { teams: { id: string; active: boolean }[] };
    expect(json.teams.find((t) => t.id === 'doan-tn')?.active).toBe(false);

    await stack.stop();
    stack = await startStack(tg, { ...env, DATA_DIR: stack.env.DATA_DIR! }, { http: true });
    expect((await stack.app.services.staff.teamList()).map((t) => t.id)).not.toContain('doan-tn');
    expect((await stack.app.repos.teams.all()).find((t) => t.id === 'doan-tn')?.active).toBe(false);
    // The settings saved in the console outlive the restart too.
    expect(stack.app.services.unit.phone).toBe('0272 3 999 888');
    const r = await filed({ communeId: 'tan-hoa' });
    expect(r.status).toBe('unassigned');
  });
});
