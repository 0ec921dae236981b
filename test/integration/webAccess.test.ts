import { afterEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp, TestClock } from '../helpers/app.js';
import { eventually, fileRequest } from '../helpers/stack.js';

let app: TestApp | undefined;

afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

const base = () => `http://127.0.0.1:${app!.server!.port}`;

/** Signs in with a fresh link of the local commander: the session cookie. */
async function session(): Promise<string> {
  const token = (await app!.localLoginLink()).split('/').pop()!;
  const res = await fetch(`${base()}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('web console access', () => {
  it('login attempts are limited per client: the next one gets a page that says to wait', async () => {
    app = await testApp({ WEB_LOGIN_PER_MINUTE: '3' }, new TestClock(), { http: true });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base()}/login/${'x'.repeat(43)}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await fetch(`${base()}/login`, { method: 'POST', body: new URLSearchParams({ token: 'y' }) });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Xin chờ một phút rồi thử lại');
  });

  it('a session ends after 12 idle hours, and at once when logged out; activity keeps it alive', async () => {
    const clock = new TestClock();
    app = await testApp({}, clock, { http: true });
    const cookie = await session();
    const board = () => fetch(`${base()}/board`, { headers: { cookie } });
    expect((await board()).status).toBe(200);
    clock.advance(11 * 3600_000);
    expect((await board()).status).toBe(200);
    // Seen 11 h in: another 11 h is still within 12 idle hours.
    clock.advance(11 * 3600_000);
    expect((await board()).status).toBe(200);
    clock.advance(12 * 3600_000 + 1000);
    expect((await board()).status).toBe(401);

    const again = await session();
    const html = await (await fetch(`${base()}/board`, { headers: { cookie: again } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const out = await fetch(`${base()}/logout`, { method: 'POST', headers: { cookie: again }, body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect((await fetch(`${base()}/board`, { headers: { cookie: again } })).status).toBe(401);
    expect((await app.repos.audit.since(0)).map((e) => e.action)).toEqual(expect.arrayContaining(['web_login', 'web_logout']));
  });

  it('pages carry a CSP without inline script and are never cached; a POST from another site is refused', async () => {
    app = await testApp({}, new TestClock(), { http: true });
    const cookie = await session();
    const res = await fetch(`${base()}/board`, { headers: { cookie } });
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    // No inline script anywhere: every <script> loads a file of ours.
    expect([...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].every((m) => /src="\/assets\//.test(m[1]!) && m[2]!.trim() === '')).toBe(true);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const forged = await fetch(`${base()}/logout`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' }, body: new URLSearchParams({ _csrf: csrf }), redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect((await fetch(`${base()}/board`, { headers: { cookie } })).status).toBe(200);
    // The assets are ours, cached a day, revalidated by ETag.
    const js = await fetch(`${base()}/assets/htmx.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('max-age=86400');
    expect((await fetch(`${base()}/assets/htmx.min.js`, { headers: { 'if-none-match': js.headers.get('etag')! } })).status).toBe(304);
  });

  it('behind HTTPS (PUBLIC_URL https://…) the cookie is Secure and links name that origin', async () => {
    app = await testApp({ PUBLIC_URL: 'https://console.example.vn' }, new TestClock(), { http: true });
    const link = await app.localLoginLink();
    expect(link).toMatch(/^https:\/\/console\.example\.vn\/login\/[\w-]{43}$/);
    const token = link.split('/').pop()!;
    const res = await fetch(`${base()}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/);
  });

  it('the database holds only hashes of links and sessions', async () => {
    app = await testApp({}, new TestClock(), { http: true });
    const token = (await app.localLoginLink()).split('/').pop()!;
    const cookie = (await session()).split('=')[1]!;
    const { db, t } = app.database;
    const rows = JSON.stringify([await db.select().from(t.loginLinks), await db.select().from(t.webSessions)]);
    expect(rows).not.toContain(token);
    expect(rows).not.toContain(cookie);
  });

  it('the board flags possible duplicates: the same phone, or the same person, open twice', async () => {
    app = await testApp({}, new TestClock(), { http: true });
    const a = await fileRequest(app, { phone: '0911222333', personName: 'Lê Văn Một' });
    const b = await fileRequest(app, { phone: '0911222333', personName: 'Lê Văn Hai' });
    const c = await fileRequest(app, { phone: '0944555666', personName: 'LÊ VĂN BA', birthYear: 1940 });
    const d = await fileRequest(app, { phone: '0988777666', personName: 'lê văn ba', birthYear: 1940 });
    const alone = await fileRequest(app, { phone: '0900111222', personName: 'Trần Thị Riêng' });
    const cookie = await session();
    const html = await (await fetch(`${base()}/board?state=all`, { headers: { cookie } })).text();
    const flagged = (code: string) => new RegExp(`${code}</strong></a> <span class="badge duplicate"`).test(html);
    expect([a, b, c, d].map((r) => flagged(r.code))).toEqual([true, true, true, true]);
    expect(flagged(alone.code)).toBe(false);
    // The flags are remembered with the page, until a request changes: a second request from the
    // same phone, filed elsewhere, flags the first within the board's refresh.
    await fileRequest(app, { phone: '0900111222', personName: 'Trần Văn Khác' });
    await eventually(
      async () => (await fetch(`${base()}/board?state=all`, { headers: { cookie } })).text(),
      (page) => new RegExp(`${alone.code}</strong></a> <span class="badge duplicate"`).test(page),
      5000,
    );
  });
});
