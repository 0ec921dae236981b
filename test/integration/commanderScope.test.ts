import { afterEach, describe, expect, it } from 'vitest';
import { Conversation, testApp, type TestApp, TestClock } from '../helpers/app.js';
import { sampleRequest } from '../helpers/db.js';

/**
 * A commander of some communes (tan-hoa and long-thanh, not root) through the real console over
 * HTTP and the real chat flow: they see and change only what is theirs, and are told kindly when not.
 */
let app: TestApp | undefined;

afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

const MINE = ['tan-hoa', 'long-thanh'];
const base = () => `http://127.0.0.1:${app!.server!.port}`;

/** A signed-in session of a new commander of these communes: its cookie and a form token. */
async function signIn(communes: string[]): Promise<{ get(path: string): Promise<Response>; post(path: string, form: Record<string, string | string[]>): Promise<Response> }> {
  const id = `cmd-${communes.join('-')}`;
  await app!.repos.staff.create({ id, name: 'Chỉ huy hai xã', teamId: null, commander: true }, app!.services.clock.now());
  await app!.repos.staff.setCommunes(id, communes);
  const token = (await app!.services.access.linkFor(id)).split('/').pop()!;
  const login = await fetch(`${base()}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const get = (path: string) => fetch(`${base()}${path}`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('/teams')).text())![1]!;
  const post = (path: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams({ _csrf: csrf });
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return fetch(`${base()}${path}`, { method: 'POST', headers: { cookie }, body });
  };
  return { get, post };
}

const text = (key: string) => app!.translator.render({ key });
const seed = (id: string, communes: string[]) => ({ id, name: `Tổ ${id}`, communes, capabilities: ['home_kit' as const], capacityPerDay: 4 });

describe('a commander of some communes', () => {
  it('teams and areas pages: only theirs to see, a shared team only to look at, every change beyond refused kindly', async () => {
    app = await testApp({}, new TestClock(), { http: true });
    await app.repos.teams.upsertAll([seed('mine', ['tan-hoa']), seed('shared', ['long-thanh', 'my-loc']), seed('theirs', ['my-loc'])]);
    app.repos.teams.invalidate();
    const me = await signIn(MINE);

    const teams = await (await me.get('/teams')).text();
    expect(teams).toContain('data-team="mine"');
    expect(teams).toContain('data-team="shared"');
    expect(teams).not.toContain('data-team="theirs"');
    expect(teams).not.toContain('action="/teams/import"');
    // The new team's communes: only theirs to tick.
    expect(teams).toContain('name="communes" value="tan-hoa"');
    expect(teams).not.toContain('name="communes" value="my-loc"');

    const shared = await me.get('/teams/shared');
    const sharedPage = await shared.text();
    expect(shared.status).toBe(200);
    expect(sharedPage).toContain(text('scope:team.not_yours'));
    expect(sharedPage).not.toContain('action="/teams/shared"');
    expect(sharedPage).not.toContain('action="/teams/shared/active"');
    const hidden = await me.get('/teams/theirs');
    expect(hidden.status).toBe(403);
    expect(await hidden.text()).toContain(text('scope:team.hidden'));

    // A form sent anyway (an old page, a crafted request) changes nothing.
    const edit = await me.post('/teams/shared', { name: 'Tổ đổi tên', communes: ['long-thanh'], capabilities: ['home_kit'], capacityPerDay: '9' });
    expect(edit.status).toBe(403);
    expect(await edit.text()).toContain(text('scope:team.not_yours'));
    const stop = await me.post('/teams/theirs/active', { active: '0' });
    expect(stop.status).toBe(403);
    expect(await stop.text()).toContain(text('scope:team.hidden'));
    expect((await me.post('/teams/shared/invite', { kind: 'officer' })).status).toBe(403);
    const create = await me.post('/teams', { name: 'Tổ mới', communes: ['tan-hoa', 'my-loc'], capabilities: ['home_kit'], capacityPerDay: '3' });
    expect(create.status).toBe(422);
    expect(await create.text()).toContain(text('scope:team.outside'));
    // Each refused change is on the record, under who tried and which team.
    const refused = (await app.repos.audit.since(0)).filter((e) => e.action === 'scope_refused');
    expect(refused.map((e) => [e.actor, e.subject])).toEqual([['staff:cmd-tan-hoa-long-thanh', 'shared'], ['staff:cmd-tan-hoa-long-thanh', 'theirs'], ['staff:cmd-tan-hoa-long-thanh', 'shared']]);
    const after = (await app.repos.teams.all()).filter((t) => ['mine', 'shared', 'theirs'].includes(t.id)).map((t) => [t.id, t.name, t.capacityPerDay, t.active]).sort();
    expect(after).toEqual([['mine', 'Tổ mine', 4, true], ['shared', 'Tổ shared', 4, true], ['theirs', 'Tổ theirs', 4, true]]);
    // Their own team they change.
    expect((await me.post('/teams/mine', { name: 'Tổ Tân Hòa', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: '5' })).status).toBe(200);
    expect((await app.repos.teams.all()).find((t) => t.id === 'mine')).toMatchObject({ name: 'Tổ Tân Hòa', capacityPerDay: 5 });

    const areas = await (await me.get('/areas')).text();
    expect(areas).toContain('data-area="tan-hoa"');
    expect(areas).not.toContain('data-area="my-loc"');
    expect(areas).not.toContain('action="/areas/import"');
    const other = await me.post('/areas/my-loc', { name: 'Xã Mỹ Lộc Mới', oldNames: '', hamlets: '' });
    expect(other.status).toBe(403);
    expect(await other.text()).toContain(text('scope:area.not_yours'));
    expect((await me.get('/areas/my-loc')).status).toBe(403);
    expect((await me.post('/areas/import', { csv: 'ma,ten\nmy-loc,Xã Mỹ Lộc Mới\n' })).status).toBe(403);
    expect(app.services.areas.communeName('my-loc')).toBe('Xã Mỹ Lộc');
    // The refused changes of areas are on the record too (a look at another's page is not a change).
    const areaRefusals = (await app.repos.audit.since(0)).filter((e) => e.action === 'scope_refused' && /^area/.test(e.subject ?? ''));
    expect(areaRefusals.map((e) => [e.actor, e.subject])).toEqual([['staff:cmd-tan-hoa-long-thanh', 'area:my-loc'], ['staff:cmd-tan-hoa-long-thanh', 'areas']]);
    expect((await me.post('/areas/tan-hoa', { name: 'Xã Tân Hòa', oldNames: 'Xã Tân Bình', hamlets: 'Ấp Bình Lợi' })).status).toBe(200);
  });

  it('/thongbao: "everyone" and "open requests" reach only their communes, and only theirs can be chosen', async () => {
    app = await testApp();
    const { sessions } = app.services;
    await sessions.subscribe('memory', 'sub-tan-hoa', 'tan-hoa');
    await sessions.subscribe('memory', 'sub-my-loc', 'my-loc');
    for (const [chatId, communeId] of [['req-tan-hoa', 'tan-hoa'], ['req-my-loc', 'my-loc']] as const) {
      await app.repos.requests.insertOnce(sampleRequest({ channel: 'memory', chatId, userId: chatId, communeId }));
    }
    const admin = (await app.repos.staff.byIdentity({ channel: 'memory', userId: 'admin' }))!;
    await app.repos.staff.setCommunes(admin.id, ['tan-hoa']);

    const a = new Conversation(app, 'admin');
    await a.say('/thongbao');
    await a.say('Thứ Bảy này làm căn cước ở Tân Hòa');
    await a.press('Tất cả người đăng ký');
    // Their commune's subscriber and their commune's open request; not Mỹ Lộc's.
    expect(a.text).toContain('gửi tới 2 người');
    await a.say('/thongbao');
    await a.say('Ai có yêu cầu đang chờ xin nghe máy');
    await a.press('Người có yêu cầu đang chờ');
    expect(a.text).toContain('gửi tới 1 người');
    await a.press('Gửi');
    expect((await app.repos.broadcasts.latest(1))[0]).toMatchObject({ total: 1, audience: { kind: 'open_requests', communeIds: ['tan-hoa'] } });

    await a.say('/thongbao');
    await a.say('Chỉ cho Mỹ Lộc');
    await a.press('Chọn xã');
    expect(a.text).toContain('Xã Tân Hòa');
    expect(a.text).not.toContain('Xã Mỹ Lộc');
    // An old or forged button for another commune is not taken.
    await a.send({ option: { id: 'aud:c:my-loc', nonce: a.lastNonce } });
    await a.press('Xong');
    expect(a.text).toContain(app.translator.renderAll([{ key: 'broadcast:admin.ask_communes' }]));
    expect(a.text).not.toContain('gửi tới');
  });

  it('reports: a request filed before the period and done in it counts as done, the same on the page and in the exports', async () => {
    const clock = new TestClock();
    app = await testApp({}, clock, { http: true });
    const filed = Date.UTC(2026, 9, 1, 3);
    const r = sampleRequest({ communeId: 'tan-hoa', createdAt: filed, updatedAt: filed, preferredDate: '2026-12-01' });
    await app.repos.requests.insertOnce(r);
    await app.repos.requests.transition(r.id, ['new'], 'done', clock.now(), { outcomes: ['cccd_taken'] });
    const me = await signIn(MINE);
    const q = 'from=2026-11-01&to=2026-11-30';

    const page = await (await me.get(`/reports?${q}`)).text();
    expect(page).toMatch(/data-kpi="filed"><span class="n">0</);
    expect(page).toMatch(/data-kpi="home_done"><span class="n">1</);
    expect(page).toMatch(/data-commune="tan-hoa">.*<td>1<\/td><\/tr>/);
    const kpi = await (await me.get(`/reports/export/kpi.csv?${q}`)).text();
    expect(kpi).toMatch(new RegExp(`${text('reports:kpi.home_done')},01/11/2026,30/11/2026,,,1,1,`));
    expect(kpi).toMatch(new RegExp(`${text('reports:kpi.filed')},01/11/2026,30/11/2026,,,0,0,`));
    const rows = await (await me.get(`/reports/export/requests.csv?${q}`)).text();
    expect(rows).toContain(r.code);
  });
});
