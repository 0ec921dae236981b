import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { BoardQuery } from '../../core/board/service.js';
import type { BoardFilter } from '../../core/ports.js';
import { maskName } from '../../core/notices/card.js';
import { CONDITIONS, REQUEST_TYPES } from '../../domain/request.js';
import { type ConsoleContext, field } from '../console.js';

export const BOARD_STATES = ['open', 'new', 'unassigned', 'assigned', 'claimed', 'overdue', 'done_today', 'all'] as const;
const COUNTED = ['new', 'unassigned', 'assigned', 'claimed', 'overdue', 'done_today'] as const;

type Source = Record<string, unknown> | undefined;

/** The filters as the form or the link sent them: unknown values are dropped, a bad one named. */
function readQuery(src: Source, c: ConsoleContext, user: WebUser): { q: BoardQuery; errors: Record<string, string> } {
  const get = (k: string) => field(src, k).trim();
  const errors: Record<string, string> = {};
  const q: BoardQuery = {};
  const state = get('state');
  q.state = (BOARD_STATES as readonly string[]).includes(state) ? (state as BoardFilter['state']) : 'open';
  const commune = get('commune');
  if (commune && c.board.areas.commune(commune) && (user.staff.communes.length === 0 || user.staff.communes.includes(commune))) q.communeId = commune;
  const team = get('team');
  if (team && /^[\w-]{1,40}$/.test(team)) q.teamId = team;
  const type = get('type');
  if ((REQUEST_TYPES as readonly string[]).includes(type)) q.type = type;
  const condition = get('condition');
  if ((CONDITIONS as readonly string[]).includes(condition)) q.condition = condition;
  const day = get('day');
  if (day) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) q.day = day;
    else errors.day = 'web:board.error_day';
  }
  const search = get('search');
  if (search) {
    // A code, or the last digits of a phone (never the whole of one typed into a URL: this is a POST).
    if (/^(tb[\s-]?)?[a-z0-9]{4}$/i.test(search) || /^\d{3,10}$/.test(search)) q.search = /^\d+$/.test(search) ? search : normaliseCode(search);
    else errors.search = 'web:board.error_search';
  }
  const page = Number(get('page'));
  if (Number.isInteger(page) && page > 1) q.page = page;
  return { q, errors };
}

function normaliseCode(s: string): string {
  const body = s.toUpperCase().replace(/^TB[\s-]?/, '');
  return `TB-${body}`;
}

/**
 * The commander's requests board: counts by state, filters, search, bedridden first then the
 * oldest. It refreshes itself: every few seconds the page asks whether anything changed since
 * the version it shows (an empty 204 when not), so a claim made in a chat shows within seconds.
 */
export function boardRoutes(app: FastifyInstance, c: ConsoleContext): void {
  async function boardData(user: WebUser, src: Source) {
    const { q, errors } = readQuery(src, c, user);
    const [counts, list, teams, v] = await Promise.all([c.board.counts(user.staff), c.board.list(user.staff, q), c.board.teamsList(), c.board.version(user.staff)]);
    const teamName = new Map(teams.map((t) => [t.id, t.name]));
    const open = list.rows.filter((r) => r.status !== 'done' && r.status !== 'cancelled').map((r) => r.id);
    const [duplicates, silent, oa] = await Promise.all([c.board.possibleDuplicates(open), c.board.silentContacts(open), c.account?.state()]);
    const communes = c.board.areas.communes().filter((a) => user.staff.communes.length === 0 || user.staff.communes.includes(a.id));
    const today = c.board.today();
    return {
      q,
      searchText: field(src, 'search').slice(0, 40),
      errors,
      counts,
      counted: COUNTED,
      states: BOARD_STATES,
      types: REQUEST_TYPES,
      conditions: CONDITIONS,
      teams,
      communes,
      total: list.total,
      page: list.page,
      pages: list.pages,
      v,
      oaDisconnected: oa !== undefined && !oa.connected,
      rows: list.rows.map((r) => ({
        code: r.code,
        type: r.type,
        status: r.status,
        reason: r.reason,
        condition: r.condition,
        name: maskName(r.personName),
        commune: c.board.areas.communeName(r.communeId),
        date: r.preferredDate,
        overdue: (r.status === 'assigned' || r.status === 'claimed') && r.preferredDate < today,
        team: r.teamId ? (teamName.get(r.teamId) ?? r.teamId) : '',
        duplicate: duplicates.has(r.id),
        silent: silent.has(r.id),
        createdAt: r.createdAt,
      })),
    };
  }

  const show = async (req: FastifyRequest, reply: FastifyReply, src: Source) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const data = await boardData(user, src);
    return c.page(reply, req, 'board', data, Object.keys(data.errors).length > 0 ? 422 : 200, '/board');
  };

  app.get('/board', async (req, reply) => show(req, reply, req.query as Source));
  app.post('/board', async (req, reply) => show(req, reply, req.body as Source));

  // The board's part that changes: what the filter form and the refresh ask for.
  app.post('/board/rows', async (req, reply) => {
    const user = c.need(req, reply, 'commander');
    if (!user) return reply;
    const seen = field(req.body, 'seen');
    if (seen && seen === (await c.board.version(user.staff))) return reply.status(204).send();
    const data = await boardData(user, req.body as Source);
    return c.page(reply, req, 'board-rows', data, Object.keys(data.errors).length > 0 ? 422 : 200);
  });
}
