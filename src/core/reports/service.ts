import { addDays, localDate, weekday } from '../../domain/dates.js';
import type { AreaService } from '../areas/service.js';
import type { AuditLog, Clock } from '../ports.js';
import { RESULT_FIELDS, type ReportData, type ReportRequest, type ResultCounts, type ResultStore, type SessionResult, type Target, type TargetStore } from './ports.js';

/** Days from..to, inclusive (YYYY-MM-DD, Vietnam). */
export interface Period {
  from: string;
  to: string;
}

export interface TargetProgress {
  target: Target;
  /** Counted from the results recorded in the target's period. */
  done: number;
  /** baseline + done */
  reached: number;
  /** reached / target, in percent, one decimal. */
  percent: number;
}

export interface Share {
  n: number;
  of: number;
  /** percent, one decimal; null when there is nothing to count. */
  percent: number | null;
}

export interface ReportSummary {
  period: Period;
  totals: ResultCounts;
  sessions: number;
  targets: TargetProgress[];
  perWeek: { week: string; counts: ResultCounts; done: number }[];
  perCommune: { communeId: string; name: string; counts: ResultCounts; done: number }[];
  /** Requests filed in the period (by when they were filed). */
  filed: number;
  /** Requests done in the period (by when they were done, wherever they were filed): so are the per-week and per-commune `done`. */
  homeDone: number;
  ridesDone: number;
  /** From filing to done, in hours (one decimal); null without any done request. */
  medianHours: number | null;
  /** Done on or before the day asked for (after it the board shows it overdue). */
  withinSla: Share;
  /** Of those filed, the requests an officer could not reach at least once. */
  unreachable: Share;
  feedback: { came_ok: number; came_bad: number; nobody: number };
}

export function zeroCounts(): ResultCounts {
  return Object.fromEntries(RESULT_FIELDS.map((f) => [f, 0])) as ResultCounts;
}

function add(into: ResultCounts, r: ResultCounts): void {
  for (const f of RESULT_FIELDS) into[f] += r[f];
}

export function percent(n: number, of: number): number | null {
  return of > 0 ? Math.round((n / of) * 1000) / 10 : null;
}

/** The Monday of a day's week: the per-week chart's key. */
export function weekOf(day: string): string {
  return addDays(day, -((weekday(day) + 6) % 7));
}

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3600_000;
/** The first instant of a Vietnamese day. */
export function startOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - VN_OFFSET_MS;
}

/** The period's first and last instants. */
function bounds(period: Period): { from: number; to: number } {
  return { from: startOf(period.from), to: startOf(period.to) + DAY_MS - 1 };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The programme's numbers for a period: progress against each target, the results per week and
 * per commune, and how the requests went (done, how fast, within the day asked for, unreachable,
 * what the citizens said). A commander with a list of communes sees only those.
 */
export class ReportService {
  constructor(
    private readonly results: ResultStore,
    private readonly targets: TargetStore,
    private readonly data: ReportData,
    private readonly areas: AreaService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return localDate(new Date(this.clock.now()));
  }

  /** From the first of January to today: the default period. */
  defaultPeriod(): Period {
    const today = this.today();
    return { from: `${today.slice(0, 4)}-01-01`, to: today };
  }

  async summary(period: Period, communes: readonly string[]): Promise<ReportSummary> {
    const [results, touched, targets] = await Promise.all([this.results.between(period.from, period.to, communes), this.requests(period, communes), this.targets.all()]);
    const { from, to } = bounds(period);
    const within = (ms: number | null) => ms !== null && ms >= from && ms <= to;
    // Filed in the period counts by when it was filed; done, by when it was done (filed before, too).
    const filed = touched.filter((r) => within(r.createdAt));
    const done = touched.filter((r) => r.status === 'done' && within(r.closedAt));
    const totals = zeroCounts();
    const weeks = new Map<string, { counts: ResultCounts; done: number }>();
    const byCommune = new Map<string, { counts: ResultCounts; done: number }>();
    const slot = <K>(m: Map<K, { counts: ResultCounts; done: number }>, k: K) => {
      let v = m.get(k);
      if (!v) m.set(k, (v = { counts: zeroCounts(), done: 0 }));
      return v;
    };
    for (const r of results) {
      add(totals, r);
      add(slot(weeks, weekOf(r.day)).counts, r);
      add(slot(byCommune, r.communeId).counts, r);
    }
    for (const r of done) {
      slot(weeks, weekOf(localDate(new Date(r.closedAt!)))).done++;
      slot(byCommune, r.communeId).done++;
    }
    const [unreachable, feedback] = await Promise.all([this.data.unreachable(filed.map((r) => r.id)), this.data.feedback(done.map((r) => r.id))]);
    const onTime = done.filter((r) => localDate(new Date(r.closedAt!)) <= r.preferredDate).length;
    const hours = median(done.map((r) => (r.closedAt! - r.createdAt) / 3_600_000));
    return {
      period,
      totals,
      sessions: results.length,
      targets: await Promise.all(targets.map((t) => this.progress(t, communes))),
      perWeek: [...weeks].sort(([a], [b]) => a.localeCompare(b)).map(([week, v]) => ({ week, ...v })),
      perCommune: [...byCommune].map(([communeId, v]) => ({ communeId, name: this.areas.communeName(communeId), ...v })).sort((a, b) => a.name.localeCompare(b.name, 'vi')),
      filed: filed.length,
      homeDone: done.filter((r) => r.type === 'home').length,
      ridesDone: done.filter((r) => r.type === 'ride').length,
      medianHours: hours === null ? null : Math.round(hours * 10) / 10,
      withinSla: { n: onTime, of: done.length, percent: percent(onTime, done.length) },
      unreachable: { n: unreachable.size, of: filed.length, percent: percent(unreachable.size, filed.length) },
      feedback: { came_ok: feedback.came_ok ?? 0, came_bad: feedback.came_bad ?? 0, nobody: feedback.nobody ?? 0 },
    };
  }

  async progress(t: Target, communes: readonly string[]): Promise<TargetProgress> {
    const rows = await this.results.between(t.periodStart, t.periodEnd, communes);
    const done = rows.reduce((s, r) => s + r[t.metric], 0);
    const reached = t.baseline + done;
    return { target: t, done, reached, percent: percent(reached, t.target) ?? 0 };
  }

  sessionResults(period: Period, communes: readonly string[]): Promise<SessionResult[]> {
    return this.results.between(period.from, period.to, communes);
  }

  /**
   * Requests filed in the period or done in it (the export's rows, so each of the summary's
   * numbers can be counted again from the sheet); `personal`: with names and phones (a
   * commander's export, audited).
   */
  async requests(period: Period, communes: readonly string[], personal?: { by: string }): Promise<ReportRequest[]> {
    const { from, to } = bounds(period);
    const rows = await this.data.requests(from, to, communes);
    if (personal) {
      await this.audit.record(personal.by, 'report_exported', `requests:${period.from}..${period.to}`, this.clock.now());
      return rows;
    }
    return rows.map((r) => ({ ...r, personName: null, birthYear: null, address: null, phone: null }));
  }
}
