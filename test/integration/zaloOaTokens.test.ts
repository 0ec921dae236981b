import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZaloOaAdapter } from '../../src/channels/zalo-oa/adapter.js';
import { msg } from '../../src/domain/message.js';
import { testApp, type TestApp, TestClock } from '../helpers/app.js';
import { tempDir } from '../helpers/db.js';
import { FakeZaloOa, oaEnv } from '../helpers/fakeZaloOa.js';
import { eventually, teamsFile } from '../helpers/stack.js';

const USER = '5730261523081428931';
let fake: FakeZaloOa;
const apps: TestApp[] = [];

afterEach(async () => {
  await fake.settled();
  for (const a of apps.splice(0)) await a.shutdown();
  await fake.close();
});

async function bot(settings: Record<string, string>): Promise<TestApp> {
  const app = await testApp(settings, new TestClock(), { http: true, redis: true });
  apps.push(app);
  return app;
}
const oaOf = (app: TestApp) => app.adapters.get('zalo_oa') as ZaloOaAdapter;
const base = (app: TestApp) => `http://127.0.0.1:${app.server!.port}`;

/** A console page as the local (root) commander sees it. */
async function page(app: TestApp, path: string): Promise<string> {
  const token = (await app.localLoginLink()).split('/').pop()!;
  const login = await fetch(`${base(app)}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${base(app)}${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('Zalo OA tokens', () => {
  it('two processes on one database and Redis spend each refresh token once; a -216 is cured from the store, not by refreshing again', async () => {
    fake = await FakeZaloOa.start();
    // A pair near its end: both processes find it due at once.
    fake.accessTtlSec = 3600;
    const first = fake.issueTokens();
    const shared = oaEnv(fake, { DATA_DIR: tempDir(), QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`, TEAMS_FILE: teamsFile([]), ZALO_OA_REFRESH_TOKEN: first.refreshToken });
    // Both start with the same setting: only one of them may spend it.
    const [a, b] = await Promise.all([bot(shared), bot(shared)]);
    expect(fake.refreshUses(first.refreshToken)).toBe(1);
    expect(fake.refreshCount).toBe(1);

    fake.accessTtlSec = 90_000;
    fake.oauthDelayMs = 300;
    const stored = (await a.repos.platformTokens.load('zalo_oa'))!;
    const [ta, tb] = await Promise.all([oaOf(a).keeper.accessToken(), oaOf(b).keeper.accessToken()]);
    expect(fake.refreshUses(stored.refreshToken)).toBe(1);
    expect(fake.refreshCount).toBe(2);
    expect(ta).toBe(tb);
    expect(ta).toBe(fake.liveAccessToken);
    expect((await b.repos.platformTokens.load('zalo_oa'))?.accessToken).toBe(ta);

    // Process b is told its token is dead (say an admin re-issued it): it refreshes, which kills a's.
    const renewed = await oaOf(b).keeper.onTokenRejected(tb);
    expect(fake.isAlive(ta)).toBe(false);
    expect(fake.refreshCount).toBe(3);
    // a still holds the dead token; its send gets -216, reads the store and succeeds, spending nothing.
    fake.user(USER).lastInteraction = Date.now();
    const sent = await a.delivery.deliver({ channel: 'zalo_oa', chatId: USER, kind: 'private' }, { text: [msg('common:errors.blank')] }, { patience: 'direct' });
    expect(sent.status).toBe('sent');
    expect(fake.refreshCount).toBe(3);
    expect(fake.liveAccessToken).toBe(renewed);
    expect(fake.calls.filter((c) => c.endpoint === 'cs').map((c) => c.error)).toEqual([-216, 0]);
  });

  it('a refused refresh alerts the duty chat and is kept for the console; sends fail for later, nothing is lost', async () => {
    fake = await FakeZaloOa.start();
    fake.accessTtlSec = 3600;
    const app = await bot(oaEnv(fake, { QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`, TEAMS_FILE: teamsFile([]), ZALO_OA_REFRESH_TOKEN: fake.issueTokens().refreshToken }));
    fake.failNext('oauth', -14014);
    await expect(oaOf(app).keeper.accessToken()).rejects.toMatchObject({ kind: 'token', code: -14014 });
    const alert = await eventually(() => app.memory.sent.filter((s) => s.to.chatId === 'duty'), (s) => s.length > 0);
    expect(app.translator.renderAll(alert[0]!.reply.text)).toContain('Zalo OA');
    expect((await app.repos.platformTokens.load('zalo_oa'))?.error).toContain('-14014');
    expect(await oaOf(app).state()).toMatchObject({ connected: false, lastError: { code: -14014 } });
  });

  it('connects the OA from the consent link (PKCE): the first pair is stored; a forged, reused or other OA\'s answer is refused', async () => {
    fake = await FakeZaloOa.start();
    const app = await bot(oaEnv(fake, { QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`, TEAMS_FILE: teamsFile([]) }));
    expect(await oaOf(app).state()).toMatchObject({ connected: false });
    // The board warns; the OA's page shows the state and the link the OA's administrator opens.
    expect(await page(app, '/board')).toContain('Zalo OA đang mất kết nối');
    const oaPage = await page(app, '/oa');
    expect(oaPage).toContain('data-oa="not-connected"');
    const link = /data-oa="consent"/.test(oaPage) ? /<a href="([^"]+)"[^>]*data-oa="consent"/.exec(oaPage)![1]!.replace(/&amp;/g, '&') : '';
    expect(link).toMatch(/\/v4\/oa\/permission\?app_id=\d+&redirect_uri=.+&code_challenge=[\w-]{43}&state=/);
    const back = await fake.approve(link);
    expect(back.redirectUri).toBe('http://127.0.0.1/zalo-oa/callback');
    const callback = (q: Record<string, string>) => fetch(`${base(app)}/zalo-oa/callback?${new URLSearchParams(q).toString()}`);

    const forged = await callback({ code: back.code, oa_id: back.oaId, state: back.state.slice(0, -2) + (back.state.endsWith('AA') ? 'BB' : 'AA') });
    expect(forged.status).toBe(400);
    expect(await callback({ code: back.code, oa_id: '999', state: back.state }).then((r) => r.status)).toBe(400);
    expect(fake.codeExchangeCount).toBe(0);

    const ok = await callback({ code: back.code, oa_id: back.oaId, state: back.state });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Đã kết nối');
    const stored = await app.repos.platformTokens.load('zalo_oa');
    expect(stored?.accessToken).toBe(fake.liveAccessToken);
    expect(await oaOf(app).state()).toMatchObject({ connected: true });
    expect(await page(app, '/oa')).toContain('data-oa="connected"');
    expect(await page(app, '/board')).not.toContain('Zalo OA đang mất kết nối');

    // The code works once.
    expect((await callback({ code: back.code, oa_id: back.oaId, state: back.state })).status).toBe(502);
    expect((await app.repos.platformTokens.load('zalo_oa'))?.accessToken).toBe(stored?.accessToken);
  });
});
