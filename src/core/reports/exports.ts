import ExcelJS from 'exceljs';
import { formatVnDate, localDate } from '../../domain/dates.js';
import type { Param } from '../../domain/message.js';
import { RESULT_FIELDS, type ReportRequest, type SessionResult } from './ports.js';
import type { ReportSummary } from './service.js';

export const EXPORTS = ['kpi', 'results', 'requests'] as const;
export type ExportKind = (typeof EXPORTS)[number];

/** A day as a spreadsheet shows it; CSV gets the same text. */
type Cell = string | number | { day: string };

export interface Sheet {
  /** The sheet's and the file's name (a locale key's text). */
  name: string;
  header: string[];
  rows: Cell[][];
}

/** Words come from the locales: the caller's translator, as plain text. */
export type Words = (key: string, params?: Record<string, Param>) => string;

const day = (iso: string): Cell => ({ day: iso });
const dayOf = (ms: number | null): Cell => (ms === null ? '' : day(localDate(new Date(ms))));

export function kpiSheet(s: ReportSummary, w: Words): Sheet {
  const rows: Cell[][] = s.targets.map((p) => [
    w(`reports:field.${p.target.metric}`),
    day(p.target.periodStart),
    day(p.target.periodEnd),
    p.target.target,
    p.target.baseline,
    p.done,
    p.reached,
    p.percent,
  ]);
  for (const f of RESULT_FIELDS) rows.push([w(`reports:field.${f}`), day(s.period.from), day(s.period.to), '', '', s.totals[f], s.totals[f], '']);
  const kpi = (key: string, n: number | string) => rows.push([w(`reports:kpi.${key}`), day(s.period.from), day(s.period.to), '', '', n, n, '']);
  kpi('filed', s.filed);
  kpi('home_done', s.homeDone);
  kpi('rides_done', s.ridesDone);
  kpi('median_hours', s.medianHours ?? '');
  kpi('within_sla', s.withinSla.percent ?? '');
  kpi('unreachable', s.unreachable.percent ?? '');
  for (const a of ['came_ok', 'came_bad', 'nobody'] as const) kpi(`feedback_${a}`, s.feedback[a]);
  return { name: w('reports:export.kpi'), header: ['metric', 'from', 'to', 'target', 'baseline', 'done', 'reached', 'percent'].map((k) => w(`reports:col.${k}`)), rows };
}

export function resultsSheet(results: SessionResult[], names: { commune(id: string): string; team(id: string): string }, w: Words): Sheet {
  return {
    name: w('reports:export.results'),
    header: [w('reports:col.day'), w('reports:col.commune'), w('reports:col.team'), ...RESULT_FIELDS.map((f) => w(`reports:field.${f}`))],
    rows: results.map((r) => [day(r.day), names.commune(r.communeId), names.team(r.teamId), ...RESULT_FIELDS.map((f) => r[f])]),
  };
}

/** `personal`: the names, years, addresses and phones (a commander's export). */
export function requestsSheet(rows: ReportRequest[], personal: boolean, names: { commune(id: string): string; team(id: string): string }, w: Words): Sheet {
  const cols = ['code', 'type', 'status', 'commune', 'team', 'asked_day', 'filed', 'closed', 'outcomes', ...(personal ? ['name', 'birth_year', 'address', 'phone'] : [])];
  return {
    name: w('reports:export.requests'),
    header: cols.map((k) => w(`reports:col.${k}`)),
    rows: rows.map((r) => [
      r.code,
      w(`intake:type.${r.type}`),
      w(`web:status.${r.status}`),
      names.commune(r.communeId),
      r.teamId ? names.team(r.teamId) : '',
      day(r.preferredDate),
      dayOf(r.createdAt),
      dayOf(r.closedAt),
      r.outcomes.map((o) => w(`team:outcome.${o}`)).join('; '),
      ...(personal ? [r.personName ?? '', r.birthYear ?? '', r.address ?? '', r.phone ?? ''] : []),
    ]),
  };
}

/** An .xlsx workbook of one sheet: days are real dates shown dd/mm/yyyy, headers bold. */
export async function toXlsx(sheet: Sheet): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet(sheet.name.slice(0, 31));
  ws.addRow(sheet.header).font = { bold: true };
  for (const r of sheet.rows) {
    const row = ws.addRow(r.map((c) => (typeof c === 'object' ? new Date(`${c.day}T00:00:00Z`) : c)));
    r.forEach((c, i) => {
      if (typeof c === 'object') row.getCell(i + 1).numFmt = 'dd/mm/yyyy';
    });
  }
  ws.columns.forEach((col, i) => {
    col.width = Math.min(40, Math.max(10, ...[sheet.header[i] ?? '', ...sheet.rows.map((r) => cellText(r[i] ?? ''))].map((s) => s.length + 2)));
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** CSV for Excel in Vietnam: UTF-8 with a byte-order mark, comma-separated, days dd/mm/yyyy. */
export function toCsv(sheet: Sheet): Buffer {
  // A cell a citizen typed that starts like a formula ("=HYPERLINK(…)") would run in Excel: kept as text.
  const inert = (s: string) => (/^[=+\-@\t\r]/.test(s) && !/^-?\d+([.,]\d+)?$/.test(s) ? `'${s}` : s);
  const quote = (raw: string) => {
    const s = inert(raw);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [sheet.header, ...sheet.rows.map((r) => r.map(cellText))].map((r) => r.map((c) => quote(String(c))).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

function cellText(c: Cell): string {
  return typeof c === 'object' ? formatVnDate(c.day) : String(c);
}
