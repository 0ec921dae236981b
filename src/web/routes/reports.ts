import type { FastifyInstance } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import { EXPORTS, type ExportKind, kpiSheet, requestsSheet, resultsSheet, type Sheet, toCsv, toXlsx, type Words } from '../../core/reports/exports.js';
import { isIsoDate } from '../../core/reports/numbers.js';
import { RESULT_FIELDS } from '../../core/reports/ports.js';
import type { Period } from '../../core/reports/service.js';
import { htmlToPlain } from '../../domain/text.js';
import type { ConsoleContext } from '../console.js';
import { values } from '../forms.js';

/** What the charts draw: totals per week and per commune of these results. */
const CHARTED = ['cccdNew', 'vneidLevel1', 'vneidLevel2', 'fireAttendees'] as const;

/**
 * The reports: progress against each target (number, percentage, bar), the results per week and
 * per commune (tables, and charts drawn by Chart.js served from here), and how the requests
 * went; exports as XLSX and CSV with Vietnamese headers and dd/mm/yyyy dates. The requests'
 * export carries names and phones only for commanders, and each such export is audited.
 */
export function reportRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const reports = c.programme.reports;

  /** Commanders: their communes (empty: all); officers: their team's. */
  async function scope(user: WebUser): Promise<string[]> {
    if (user.staff.commander) return user.staff.communes;
    const team = user.staff.teamId ? await c.board.team(user.staff.teamId) : undefined;
    return team?.communes ?? ['-'];
  }

  function periodOf(src: unknown): { period: Period; error: boolean } {
    const v = values(src, ['from', 'to'] as const, 10);
    const d = reports.defaultPeriod();
    const from = v.from || d.from;
    const to = v.to || d.to;
    if (!isIsoDate(from) || !isIsoDate(to) || from > to) return { period: d, error: true };
    return { period: { from, to }, error: false };
  }

  app.get('/reports', async (req, reply) => {
    const user = c.need(req, reply, 'any');
    if (!user) return reply;
    const { period, error } = periodOf(req.query);
    const s = await reports.summary(period, await scope(user));
    const label = (k: string) => htmlToPlain(c.views.helpers('').t(k));
    const chart = {
      weeks: {
        labels: s.perWeek.map((w) => w.week.split('-').reverse().join('/')),
        series: CHARTED.map((f) => ({ label: label(`reports:field.${f}`), data: s.perWeek.map((w) => w.counts[f]) })),
      },
      communes: {
        labels: s.perCommune.map((x) => x.name),
        series: CHARTED.map((f) => ({ label: label(`reports:field.${f}`), data: s.perCommune.map((x) => x.counts[f]) })),
      },
    };
    return c.page(reply, req, 'reports', { s, fields: RESULT_FIELDS, charted: CHARTED, chart: JSON.stringify(chart), exports: EXPORTS, error, fmt: (n: number) => n.toLocaleString('vi-VN'), query: `from=${period.from}&to=${period.to}` }, error ? 422 : 200);
  });

  app.get<{ Params: { kind: string; format: string } }>('/reports/export/:kind.:format', async (req, reply) => {
    const user = c.need(req, reply, 'any');
    if (!user) return reply;
    const kind = EXPORTS.find((k) => k === req.params.kind);
    const format = req.params.format === 'xlsx' || req.params.format === 'csv' ? req.params.format : undefined;
    if (!kind || !format) return c.page(reply, req, 'not-found', {}, 404);
    const { period } = periodOf(req.query);
    const sheet = await sheetOf(kind, period, user);
    const body = format === 'xlsx' ? await toXlsx(sheet) : toCsv(sheet);
    const name = `${kind}-${period.from}-${period.to}.${format}`;
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${name}"`)
      .type(format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8')
      .send(body);
  });

  async function sheetOf(kind: ExportKind, period: Period, user: WebUser): Promise<Sheet> {
    const w: Words = (key, params) => htmlToPlain(c.views.helpers('').t(key, params));
    const communes = await scope(user);
    const teams = new Map((await c.board.teamsList()).map((t) => [t.id, t.name]));
    const names = { commune: (id: string) => c.board.areas.communeName(id), team: (id: string) => teams.get(id) ?? id };
    if (kind === 'kpi') return kpiSheet(await reports.summary(period, communes), w);
    if (kind === 'results') return resultsSheet(await reports.sessionResults(period, communes), names, w);
    const personal = user.staff.commander;
    return requestsSheet(await reports.requests(period, communes, personal ? { by: `staff:${user.staff.id}` } : undefined), personal, names, w);
  }
}
