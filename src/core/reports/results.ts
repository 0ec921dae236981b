import { randomUUID } from 'node:crypto';
import { localDate } from '../../domain/dates.js';
import { msg } from '../../domain/message.js';
import type { AuditLog, Clock } from '../ports.js';
import { type Checked, type FieldErrors, isIsoDate, notANumber, readCount } from './numbers.js';
import { RESULT_FIELDS, type ResultCounts, type ResultField, type ResultStore, type SessionResult, type Target, type TargetStore } from './ports.js';

export interface ResultForm {
  teamId: string;
  day: string;
  communeId: string;
  sessionId: string | null;
  counts: Partial<Record<ResultField, string>>;
}

export interface TargetForm {
  id?: string;
  metric: string;
  periodStart: string;
  periodEnd: string;
  target: string;
  baseline: string;
}

const label = (f: string) => msg(`reports:field.${f}`);

/**
 * Results a team records after a session, and the targets the province set. Every number is
 * checked before anything is saved (a bad one is named, nothing is half-saved); each change is
 * written to the audit log.
 */
export class ResultsService {
  constructor(
    private readonly results: ResultStore,
    private readonly targets: TargetStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return localDate(new Date(this.clock.now()));
  }

  of(teamId: string, day: string, communeId: string): Promise<SessionResult | undefined> {
    return this.results.of(teamId, day, communeId);
  }

  between(from: string, to: string, communes: readonly string[]): Promise<SessionResult[]> {
    return this.results.between(from, to, communes);
  }

  /** `communes`: where this team may record (its own communes). */
  async record(f: ResultForm, communes: readonly string[], by: string): Promise<Checked<SessionResult>> {
    const errors: FieldErrors = {};
    if (!isIsoDate(f.day)) errors.day = msg('reports:error.day');
    else if (f.day > this.today()) errors.day = msg('reports:error.day_future');
    if (!communes.includes(f.communeId)) errors.communeId = msg('reports:error.commune');
    const counts = {} as ResultCounts;
    for (const field of RESULT_FIELDS) {
      const raw = f.counts[field] ?? '';
      const n = readCount(raw, 0);
      if (n === undefined) errors[field] = notANumber(label(field), raw);
      else counts[field] = n;
    }
    if (!errors.cccdAtHome && !errors.cccdNew && counts.cccdAtHome > counts.cccdNew) errors.cccdAtHome = msg('reports:error.at_home_more');
    if (!errors.fireAttendees && !errors.fireClass && counts.fireAttendees > 0 && counts.fireClass === 0) errors.fireClass = msg('reports:error.no_class');
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const now = this.clock.now();
    const existing = await this.results.of(f.teamId, f.day, f.communeId);
    const r: SessionResult = { id: existing?.id ?? randomUUID(), sessionId: f.sessionId, teamId: f.teamId, day: f.day, communeId: f.communeId, ...counts, recordedBy: by, recordedAt: now };
    await this.results.save(r);
    await this.audit.record(by, 'results_recorded', r.id, now);
    return { ok: true, value: r };
  }

  targetsList(): Promise<Target[]> {
    return this.targets.all();
  }

  target(id: string): Promise<Target | undefined> {
    return this.targets.byId(id);
  }

  async saveTarget(f: TargetForm, by: string): Promise<Checked<Target>> {
    const errors: FieldErrors = {};
    const metric = RESULT_FIELDS.find((m) => m === f.metric);
    if (!metric) errors.metric = msg('reports:error.metric');
    if (!isIsoDate(f.periodStart)) errors.periodStart = msg('reports:error.date', { field: label('periodStart') });
    if (!isIsoDate(f.periodEnd)) errors.periodEnd = msg('reports:error.date', { field: label('periodEnd') });
    else if (!errors.periodStart && f.periodEnd < f.periodStart) errors.periodEnd = msg('reports:error.period');
    const target = readCount(f.target);
    if (target === undefined) errors.target = f.target.trim() ? notANumber(label('target'), f.target) : msg('reports:error.required', { field: label('target') });
    else if (target === 0) errors.target = msg('reports:error.zero');
    const baseline = readCount(f.baseline, 0);
    if (baseline === undefined) errors.baseline = notANumber(label('baseline'), f.baseline);
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const existing = f.id ? await this.targets.byId(f.id) : undefined;
    const now = this.clock.now();
    const t: Target = { id: existing?.id ?? randomUUID(), metric: metric!, periodStart: f.periodStart, periodEnd: f.periodEnd, target: target!, baseline: baseline!, updatedBy: by, updatedAt: now };
    await this.targets.save(t);
    await this.audit.record(by, 'target_changed', t.id, now);
    return { ok: true, value: t };
  }

  async removeTarget(id: string, by: string): Promise<boolean> {
    if (!(await this.targets.remove(id))) return false;
    await this.audit.record(by, 'target_changed', id, this.clock.now());
    return true;
  }
}
