import type { FastifyInstance } from 'fastify';
import { type ConsoleContext, field, SESSION_COOKIE } from '../console.js';

const STATUS = { expired: 410, used: 410, unknown: 404 } as const;

/**
 * A login link opens a page with one button: chat apps fetch links to show a preview, and a
 * GET that logged in would spend the link before the person ever saw it. The press (a POST)
 * uses it once and starts the session.
 */
export function loginRoutes(app: FastifyInstance, c: ConsoleContext): void {
  // One budget (one store) for the link pages and the press: a guesser gets a handful of tries a minute.
  const limit = { onRequest: app.rateLimit({ max: c.loginPerMinute, timeWindow: 60_000 }) };

  app.get<{ Params: { token: string } }>('/login/:token', limit, async (req, reply) => {
    const state = await c.access.check(req.params.token);
    if (state !== 'ok') return c.page(reply, req, 'login', { state }, STATUS[state]);
    return c.page(reply, req, 'login', { state, token: req.params.token });
  });

  app.post('/login', limit, async (req, reply) => {
    const r = await c.access.login(field(req.body, 'token'));
    if (!r.ok) return c.page(reply, req, 'login', { state: r.reason }, STATUS[r.reason]);
    reply.setCookie(SESSION_COOKIE, r.cookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: c.secure, maxAge: Math.round(c.access.o.idleMs / 1000) });
    return reply.redirect(r.staff.commander ? '/board' : '/work', 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.user) await c.access.logout(req.user);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  app.post('/logout-all', async (req, reply) => {
    if (req.user) await c.access.logoutEverywhere(req.user);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
}
