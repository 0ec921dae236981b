import { and, asc, eq, gte, inArray, isNotNull, lte, or } from 'drizzle-orm';
import type { ReportData, ReportRequest } from '../../core/reports/ports.js';
import type { Database } from '../database.js';

/** Ids per query: well under both dialects' limit on bound parameters. */
const CHUNK = 500;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/** What the reports read: requests filed or done in a period, who could not be reached, the citizens' feedback. */
export class ReportDataRepository implements ReportData {
  constructor(private readonly d: Database) {}

  async requests(fromMs: number, toMs: number, communes: readonly string[]): Promise<ReportRequest[]> {
    const { db, t } = this.d;
    const r = t.requests;
    const rows = await db
      .select({
        id: r.id,
        code: r.code,
        type: r.type,
        status: r.status,
        reason: r.reason,
        communeId: r.communeId,
        teamId: r.teamId,
        preferredDate: r.preferredDate,
        createdAt: r.createdAt,
        closedAt: r.closedAt,
        outcome: r.outcome,
        outcomes: r.outcomes,
        personName: r.personName,
        birthYear: r.birthYear,
        address: r.address,
        phone: r.phone,
      })
      .from(r)
      .where(
        and(
          or(and(gte(r.createdAt, fromMs), lte(r.createdAt, toMs)), and(eq(r.status, 'done'), gte(r.closedAt, fromMs), lte(r.closedAt, toMs))),
          communes.length > 0 ? inArray(r.communeId, [...communes]) : undefined,
        ),
      )
      .orderBy(asc(r.createdAt));
    return rows.map(({ outcome, outcomes, ...x }) => {
      const list = JSON.parse(outcomes) as string[];
      return { ...x, createdAt: Number(x.createdAt), closedAt: x.closedAt === null ? null : Number(x.closedAt), outcomes: list.length > 0 ? list : outcome ? [outcome] : [] };
    });
  }

  async unreachable(ids: readonly string[]): Promise<Set<string>> {
    const { db, t } = this.d;
    const out = new Set<string>();
    for (const part of chunks(ids)) {
      const rows = await db.selectDistinct({ id: t.auditLog.subject }).from(t.auditLog).where(and(eq(t.auditLog.action, 'request_unreachable'), inArray(t.auditLog.subject, part)));
      for (const row of rows) if (row.id) out.add(row.id);
    }
    return out;
  }

  async feedback(ids: readonly string[]): Promise<Record<string, number>> {
    const { db, t } = this.d;
    const out: Record<string, number> = {};
    for (const part of chunks(ids)) {
      const rows = await db.select({ answer: t.feedback.answer }).from(t.feedback).where(and(inArray(t.feedback.requestId, part), isNotNull(t.feedback.answer)));
      for (const row of rows) out[row.answer!] = (out[row.answer!] ?? 0) + 1;
    }
    return out;
  }
}
