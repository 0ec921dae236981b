import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService, WebUser } from '../core/access/service.js';
import type { CommanderActions } from '../core/assignment/byHand.js';
import type { AssignmentService } from '../core/assignment/service.js';
import type { BoardService } from '../core/board/service.js';
import type { AreaAdmin } from '../core/areas/admin.js';
import type { RequestService } from '../core/requests/service.js';
import type { SettingsService } from '../core/settings/service.js';
import type { UnitAdmin } from '../core/teams/admin.js';
import { registerAssets } from './assets.js';
import { areaRoutes } from './routes/areas.js';
import { boardRoutes } from './routes/board.js';
import { commanderRoutes } from './routes/commanders.js';
import { loginRoutes } from './routes/login.js';
import { requestRoutes } from './routes/request.js';
import { settingsRoutes } from './routes/settings.js';
import { accountRoutes, type PlatformAccount } from './routes/account.js';
import { teamRoutes } from './routes/teams.js';
import { workRoutes } from './routes/work.js';
import { announcementRoutes } from './routes/announcements.js';
import { calendarRoutes } from './routes/calendar.js';
import { inboxRoutes } from './routes/inbox.js';
import { reportRoutes } from './routes/reports.js';
import { resultRoutes } from './routes/results.js';
import type { BroadcastService } from '../core/broadcast/service.js';
import type { SessionService } from '../core/calendar/service.js';
import type { DutyInbox } from '../core/handoff/inbox.js';
import type { ResultsService } from '../core/reports/results.js';
import type { ReportService } from '../core/reports/service.js';
import type { Views } from './views.js';

export interface ConsoleDeps {
  access: AccessService;
  board: BoardService;
  requests: RequestService;
  assignment: AssignmentService;
  commander: CommanderActions;
  views: Views;
  unitName: string;
  /** Running the unit: teams and officers, commanders, areas, settings (read live: the unit's name too). */
  admin: { unit: UnitAdmin; areas: AreaAdmin; settings: SettingsService; inviteHours: number };
  /** Cookies only over HTTPS (PUBLIC_URL is https). */
  secure: boolean;
  /** How often an officer may find nobody before the request goes back to the commander. */
  maxContactAttempts: number;
  /** Login attempts per client per minute. */
  loginPerMinute: number;
  /** Running the programme: the calendar, announcements, the duty inbox, results, targets and reports. */
  programme: Programme;
  /** A messaging account that holds its own sending permission (the OA), when it runs: its page, and the board's warning. */
  account?: PlatformAccount;
}

/** The chat's own services, so the console and the chat tell the same people the same things. */
export interface Programme {
  sessions: SessionService;
  broadcast: BroadcastService;
  inbox: DutyInbox;
  results: ResultsService;
  reports: ReportService;
}

export const SESSION_COOKIE = 'sid';

declare module 'fastify' {
  interface FastifyRequest {
    user: WebUser | null;
  }
}

export type Role = 'commander' | 'officer';

/** What every route module is given: the services, and how to answer with a page. */
export interface ConsoleContext extends ConsoleDeps {
  /** `url`: the page's own address, where the browser shows an answer to a POST (htmx replaces it). */
  page(reply: FastifyReply, req: FastifyRequest, template: string, data: object, status?: number, url?: string): FastifyReply;
  /** The signed-in person with this role, or the refusal already sent (undefined). */
  need(req: FastifyRequest, reply: FastifyReply, role: Role | 'any'): WebUser | undefined;
}

/**
 * The web console, mounted on the one HTTP server: login by one-time link, the commander's
 * board and request pages, the officers' work page. Server-rendered HTML with htmx for the
 * small updates; security headers with a CSP that allows no inline script; a session cookie
 * (HttpOnly, SameSite=Lax, Secure behind HTTPS); a CSRF token on every change; no personal data
 * in any URL; every page no-store (personal data must not sit in a shared computer's cache).
 */
export function consolePlugin(d: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(d.secure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: d.secure,
      referrerPolicy: { policy: 'no-referrer' },
    });
    await app.register(rateLimit, { global: false });
    app.decorateRequest('user', null);

    app.addHook('onRequest', async (req) => {
      req.user = (await d.access.resolve(req.cookies[SESSION_COOKIE])) ?? null;
    });
    // Every change needs the session's token (a form field, or the header htmx sends) and, when
    // the browser names one, our own origin: another site cannot act in a signed-in browser.
    app.addHook('preHandler', async (req, reply) => {
      if (req.method !== 'POST' || req.routeOptions.url === '/login') return;
      const origin = req.headers.origin;
      if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) return refuse(reply, 403);
      const sent = String((req.headers['x-csrf-token'] as string | undefined) ?? (req.body as Record<string, unknown> | undefined)?._csrf ?? '');
      if (!req.user || !sameToken(sent, req.user.session.csrf)) return refuse(reply, 403);
    });

    const ctx: ConsoleContext = {
      ...d,
      page(reply, req, template, data, status = 200, url) {
        const user = req.user;
        const html = d.views.render(template, {
          ...d.views.helpers(user?.session.csrf ?? ''),
          unit: d.admin.settings.unit.name,
          me: user ? { name: user.staff.name, commander: user.staff.commander, officer: user.staff.teamId !== null } : null,
          path: req.routeOptions.url ?? '',
          ...data,
        });
        if (url) reply.header('hx-replace-url', url);
        return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
      },
      need(req, reply, role) {
        const user = req.user;
        if (!user) {
          ctx.page(reply, req, 'signed-out', {}, 401);
          return undefined;
        }
        const allowed = role === 'any' || (role === 'commander' ? user.staff.commander : user.staff.teamId !== null);
        if (!allowed) {
          ctx.page(reply, req, 'forbidden', {}, 403);
          return undefined;
        }
        return user;
      },
    };

    // Too many login attempts: a page that says to wait, not a bare error. Anything else goes on
    // to the server's handler (logged masked, answered 500).
    app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err.statusCode === 429) return ctx.page(reply, req, 'slow-down', {}, 429);
      throw err;
    });

    registerAssets(app);
    loginRoutes(app, ctx);
    boardRoutes(app, ctx);
    requestRoutes(app, ctx);
    workRoutes(app, ctx);
    calendarRoutes(app, ctx);
    announcementRoutes(app, ctx);
    inboxRoutes(app, ctx);
    resultRoutes(app, ctx);
    reportRoutes(app, ctx);
    teamRoutes(app, ctx);
    areaRoutes(app, ctx);
    commanderRoutes(app, ctx);
    settingsRoutes(app, ctx);
    accountRoutes(app, ctx);

    app.get('/', async (req, reply) => {
      const user = req.user;
      if (!user) return ctx.page(reply, req, 'signed-out', {});
      return reply.redirect(user.staff.commander ? '/board' : '/work', 303);
    });

    function refuse(reply: FastifyReply, status: number) {
      return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(d.views.render('refused', { ...d.views.helpers(''), unit: d.admin.settings.unit.name, me: null, path: '' }));
    }
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A form's field as one string (a repeated field keeps its first value). */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof (Array.isArray(v) ? v[0] : v) === 'string' ? String(Array.isArray(v) ? v[0] : v) : '';
}

/** The version of a request a page showed, as its form sent it back. */
export function version(body: unknown): number {
  const n = Number(field(body, 'v'));
  return Number.isFinite(n) ? n : -1;
}
