import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZaloOaAdapter } from '../../src/channels/zalo-oa/adapter.js';
import { loadConfig } from '../../src/main/config.js';
import { testApp, type TestApp, testEnv, TestClock } from '../helpers/app.js';
import { FakeZalo, ZALO_TOKEN } from '../helpers/fakeZalo.js';
import { type FakeOaSent, type FakePushOptions, type FakeUserAction, FakeZaloOa, oaEnv } from '../helpers/fakeZaloOa.js';
import { teamsFile } from '../helpers/stack.js';

const USER = '5730261523081428931';
let fake: FakeZaloOa;
let app: TestApp | undefined;
let zalo: FakeZalo | undefined;
let last: FakeOaSent[] = [];

/** The bot with its OA channel against the fake OA, connected with a refresh token from the developer console. */
async function start(over: Record<string, string> = {}): Promise<void> {
  fake = await FakeZaloOa.start();
  const settings = oaEnv(fake, { ZALO_OA_REFRESH_TOKEN: fake.issueTokens().refreshToken, QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`, TEAMS_FILE: teamsFile([]), ...over });
  app = await testApp(settings, new TestClock(), { http: true, redis: true });
  fake.webhookUrl = `http://127.0.0.1:${app.server!.port}/zalo-oa/webhook`;
}

afterEach(async () => {
  await fake.settled();
  await app?.shutdown();
  app = undefined;
  await fake.close();
  await zalo?.stop();
  zalo = undefined;
});

const oa = () => app!.adapters.get('zalo_oa') as ZaloOaAdapter;
const shown = (ms: FakeOaSent[]) => ms.map((m) => m.text ?? `[${m.kind}]`).join('\n---\n');

/** The person does something on Zalo; what the OA sent them in answer. */
async function act(action: FakeUserAction, opts: FakePushOptions = {}, user = USER): Promise<FakeOaSent[]> {
  const before = fake.sentTo(user).length;
  await fake.userSends(user, action, opts);
  await oa().idle();
  return fake.sentTo(user).slice(before);
}

async function say(action: FakeUserAction, opts?: FakePushOptions): Promise<string> {
  last = await act(action, opts);
  return shown(last);
}

/** Taps the button whose title has `label`, or types its number when the options came as a list. */
async function choose(label: string): Promise<string> {
  for (const m of [...last].reverse()) {
    const b = m.buttons?.find((x) => x.title.includes(label));
    if (b) return say(b.payload as string);
    const line = (m.text ?? '').split('\n').find((l) => /^\d+\. /.test(l) && l.includes(label));
    if (line) return say(line.split('.')[0]!);
  }
  throw new Error(`no "${label}" in:\n${shown(last)}`);
}

describe('Zalo OA: citizens', () => {
  it('files a home-visit request with buttons; more than five choices come as a numbered list; the phone from the share-phone form', async () => {
    await start();
    const menu = await say('xin chao');
    expect(menu).toMatch(/^1\. .*Làm CCCD tại nhà/m);
    expect(last.flatMap((m) => m.buttons ?? [])).toEqual([]);

    await choose('Làm CCCD tại nhà');
    const consent = last.at(-1)!;
    expect(consent.kind).toBe('buttons');
    expect(consent.buttons!.length).toBeLessThanOrEqual(5);
    expect(consent.buttons!.every((b) => b.type === 'oa.query.hide' && /^#\d+\|[\w:.-]+$/.test(b.payload as string))).toBe(true);
    const oldButton = consent.buttons![0]!.payload as string;
    await choose('Tôi đồng ý');
    await choose('Cho người thân');
    await choose('họ đã đồng ý');
    // Typed on a phone that sends decomposed Vietnamese.
    await say('Nguyễn Thị Lành', { nfd: true });
    await say('1936');
    await choose('Nằm một chỗ');
    await say('tan hoa');
    await say('số 4 ấp Hòa Bình');
    // The phone question, then the share-phone form.
    expect(last.map((m) => m.kind)).toContain('request_user_info');
    expect(await say({ submitInfo: { name: 'Nguyễn Văn Nam', phone: '84912345678' } })).toContain('Đã ghi số 0912345678');
    await say('1,3');
    await say('28/11');
    await choose('Không có');
    expect(shown(last)).toContain('Xin kiểm tra lại');
    const done = await choose('Đúng, gửi đi');
    const code = /TB-\w{4}/.exec(done)![0];
    expect(await app!.repos.requests.byCode(code)).toMatchObject({ channel: 'zalo_oa', chatId: USER, personName: 'Nguyễn Thị Lành', phone: '0912345678', condition: 'bedridden' });
    // A button of an old prompt is refused, as on Telegram.
    expect(await say(oldButton)).toContain('Nút này đã cũ');
    expect(await app!.repos.chatContacts.lastInbound('zalo_oa', USER)).toBe(app!.clock.now());
  });

  it('a shared location answers the address question; a typed phone is taken at the phone step too; erasure forgets the contact', async () => {
    await start();
    await say('/start');
    await choose('Làm CCCD tại nhà');
    await choose('Tôi đồng ý');
    await choose('Cho chính tôi');
    await say('Tran Van Binh');
    await say('1950');
    await choose('Nằm một chỗ');
    // Where no place is asked (and no emergency was reported), a location is not something we read.
    expect(await say({ location: { lat: 10.7923119, lon: 106.7820651 } })).toContain('chỉ đọc được chữ');
    await say('tan hoa');
    expect(await say({ location: { lat: 10.7923119, lon: 106.7820651, label: 'Nhà bà Lành' } })).toContain('Số điện thoại');
    const draft = (JSON.parse((await app!.repos.states.get(`zalo_oa:${USER}`))!) as { draft: { address?: string } }).draft;
    expect(draft.address).toBe('https://maps.google.com/?q=10.792312,106.782065');
    expect(await say('0912 345 678')).toContain('Đã ghi số 0912345678');
    // Delete-my-data takes the chat's last contact too.
    expect(await app!.repos.chatContacts.lastInbound('zalo_oa', USER)).toBeDefined();
    await app!.services.privacy.eraseOwner({ channel: 'zalo_oa', userId: USER }, { channel: 'zalo_oa', chatId: USER, kind: 'private' });
    expect(await app!.repos.chatContacts.lastInbound('zalo_oa', USER)).toBeUndefined();
  });

  it('follow greets with the menu; stickers and photos get "text only"; unfollow unsubscribes and marks the chat unreachable', async () => {
    await start();
    expect(await say({ follow: true })).toContain('Làm CCCD tại nhà');
    // Zalo's "too many requests" (-32): the answer is sent again after a pause, not lost.
    fake.failNext('cs', -32);
    expect(await say({ sticker: true })).toContain('chỉ đọc được chữ');
    expect(fake.calls.filter((c) => c.endpoint === 'cs').map((c) => c.error)).toContain(-32);
    expect(await say({ media: 'image' })).toContain('chỉ đọc được chữ');
    await app!.repos.subscriptions.subscribe('zalo_oa', USER, 'tan-hoa', app!.clock.now());
    expect(await act({ unfollow: true })).toEqual([]);
    expect(await app!.repos.subscriptions.communesOf('zalo_oa', USER)).toEqual([]);
    expect(await app!.repos.unreachable.isUnreachable(`zalo_oa:${USER}`)).toBe(true);
    // Following again makes the chat reachable and greets again.
    expect(await say({ follow: true })).toContain('Làm CCCD tại nhà');
    expect(await app!.repos.unreachable.isUnreachable(`zalo_oa:${USER}`)).toBe(false);
  });
});

describe('Zalo OA: settings', () => {
  it('are checked at start, each problem named', async () => {
    fake = await FakeZaloOa.start();
    const env = (over: Record<string, string>) => testEnv({ ...oaEnv(fake), ...over });
    expect(() => loadConfig(env({ ZALO_OA_APP_SECRET: '', ZALO_OA_WEBHOOK_URL: '' }))).toThrow(
      /ZALO_OA_APP_SECRET: required when ZALO_OA_APP_ID is set[\s\S]*ZALO_OA_WEBHOOK_URL: required/,
    );
    expect(() => loadConfig(env({ ZALO_OA_SECRET_KEY: '' }))).toThrow(/ZALO_OA_SECRET_KEY: required/);
    // Checking turned off (while Zalo changes how it signs) needs no key.
    expect(loadConfig(env({ ZALO_OA_SECRET_KEY: '', ZALO_OA_VERIFY_SIGNATURE: 'false' })).ZALO_OA_VERIFY_SIGNATURE).toBe(false);
    expect(() => loadConfig(env({ ZALO_OA_APP_ID: 'my-app' }))).toThrow(/ZALO_OA_APP_ID is the app id of developers.zalo.me, digits only/);
    expect(() => loadConfig(env({ ZALO_OA_WEBHOOK_URL: 'bot.example.vn/oa' }))).toThrow(/ZALO_OA_WEBHOOK_URL must be an http\(s\) URL/);
    expect(() => loadConfig(env({ ADMIN_CHAT_ID: '' }))).toThrow(/ADMIN_CHAT_ID: required/);
  });
});

describe('Zalo OA: the webhook', () => {
  it('refuses a bad or missing signature and a body re-serialised by a proxy (401, nothing processed); takes a timestamp header signature', async () => {
    await start();
    expect(await act('xin chao', { badSignature: true })).toEqual([]);
    expect(fake.deliveries.at(-1)?.status).toBe(401);
    expect(await act('xin chao', { reserialize: true })).toEqual([]);
    expect(fake.deliveries.at(-1)?.status).toBe(401);
    const unsigned = await fetch(fake.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(fake.lastPushed!.raw) });
    expect(unsigned.status).toBe(401);
    expect(await app!.repos.chatContacts.lastInbound('zalo_oa', USER)).toBeUndefined();
    expect(await app!.repos.states.get(`zalo_oa:${USER}`)).toBeUndefined();

    expect(await say('xin chao', { timestampHeader: true })).toContain('Làm CCCD tại nhà');
    expect(fake.deliveries.at(-1)?.status).toBe(200);
  });

  it('handles a duplicate msg_id once, also when Zalo retries it with num_retry', async () => {
    await start();
    const once = (await act('xin chao', {}, '5730261523081428940')).length;
    expect(once).toBeGreaterThan(0);
    const statuses = await fake.userSends(USER, 'xin chao', { duplicate: true, retries: 2 });
    await oa().idle();
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(fake.sentTo(USER)).toHaveLength(once);
  });

  it('runs beside the Zalo Bot Platform in one process, and serves the domain verification file', async () => {
    zalo = new FakeZalo();
    await zalo.start();
    await start({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_API_ROOT: zalo.apiRoot, ZALO_POLL_SECONDS: '1', ZALO_OA_SITE_VERIFICATION: 'Ab12Cd34' });
    expect(await zalo.text('zalo-user-9', 'xin chao')).toContain('Làm CCCD tại nhà');
    expect(await say('xin chao')).toContain('Làm CCCD tại nhà');
    expect([...app!.adapters.keys()]).toEqual(expect.arrayContaining(['zalo', 'zalo_oa']));
    const file = await fetch(`http://127.0.0.1:${app!.server!.port}/zalo_verifierAb12Cd34.html`);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('content="Ab12Cd34"');
    expect((await fetch(`http://127.0.0.1:${app!.server!.port}/zalo_verifierOther.html`)).status).toBe(404);
  });
});
