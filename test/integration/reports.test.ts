import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import { ResultsService } from '../../src/core/reports/results.js';
import { ReportService, zeroCounts } from '../../src/core/reports/service.js';
import { AreaService } from '../../src/core/areas/service.js';
import type { Database } from '../../src/db/database.js';
import { AreaRepository } from '../../src/db/repositories/areas.js';
import { AuditRepository } from '../../src/db/repositories/audit.js';
import { DutyInboxRepository } from '../../src/db/repositories/dutyInbox.js';
import { FeedbackRepository } from '../../src/db/repositories/feedback.js';
import { HandoffRepository } from '../../src/db/repositories/handoffs.js';
import { ReportDataRepository } from '../../src/db/repositories/reportData.js';
import { RequestRepository } from '../../src/db/repositories/requests.js';
import { ResultRepository, TargetRepository } from '../../src/db/repositories/results.js';
import { DIALECTS, freshDatabase, pgAvailable, sampleRequest } from '../helpers/db.js';

const HOUR = 3_600_000;
// Monday 23/11/2026 10:00 in Vietnam.
const NOW = Date.UTC(2026, 10, 23, 3);

describe.each(DIALECTS)('results, targets and reports on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();
  let db: Database;
  let results: ResultsService;
  let reports: ReportService;
  let requests: RequestRepository;
  let audit: AuditRepository;
  const clock: Clock = { now: () => NOW };

  beforeAll(async () => {
    if (skip) return;
    db = await freshDatabase(dialect);
    audit = new AuditRepository(db);
    requests = new RequestRepository(db);
    // No areas loaded: a commune is named by its id.
    const areas = new AreaService(new AreaRepository(db));
    results = new ResultsService(new ResultRepository(db), new TargetRepository(db), audit, clock);
    reports = new ReportService(new ResultRepository(db), new TargetRepository(db), new ReportDataRepository(db), areas, audit, clock);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('records results once per team, day and commune (again: replaced), refusing a bad number whole', async () => {
    const bad = await results.record({ teamId: 't1', day: '2026-11-21', communeId: 'tan-hoa', sessionId: null, counts: { cccdNew: '5', vneidLevel1: 'abc', fireAttendees: '-3' } }, ['tan-hoa'], 'staff:a');
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.errors).sort()).toEqual(['fireAttendees', 'vneidLevel1']);
    expect(await results.between('2026-01-01', '2026-12-31', [])).toEqual([]);
    expect((await results.record({ teamId: 't1', day: '2026-11-24', communeId: 'tan-hoa', sessionId: null, counts: {} }, ['tan-hoa'], 'staff:a')).ok).toBe(false);
    expect((await results.record({ teamId: 't1', day: '2026-11-21', communeId: 'other', sessionId: null, counts: {} }, ['tan-hoa'], 'staff:a')).ok).toBe(false);

    const first = await results.record({ teamId: 't1', day: '2026-11-21', communeId: 'tan-hoa', sessionId: null, counts: { cccdNew: '5', vneidLevel2: '1.200' } }, ['tan-hoa'], 'staff:a');
    const again = await results.record({ teamId: 't1', day: '2026-11-21', communeId: 'tan-hoa', sessionId: null, counts: { cccdNew: '6', vneidLevel2: '1,300' } }, ['tan-hoa'], 'staff:b');
    expect(first.ok && again.ok && first.value.id === again.value.id).toBe(true);
    await results.record({ teamId: 't1', day: '2026-11-14', communeId: 'long-thanh', sessionId: null, counts: { cccdNew: '2', vneidLevel2: '100' } }, ['long-thanh'], 'staff:a');
    const rows = await results.between('2026-01-01', '2026-12-31', []);
    expect(rows.map((r) => [r.day, r.cccdNew, r.vneidLevel2, r.recordedBy])).toEqual([
      ['2026-11-14', 2, 100, 'staff:a'],
      ['2026-11-21', 6, 1300, 'staff:b'],
    ]);
    expect(await results.between('2026-01-01', '2026-12-31', ['long-thanh'])).toHaveLength(1);
  });

  it.skipIf(skip)('a target of "abc" names the field; a saved one is counted from its baseline', async () => {
    const bad = await results.saveTarget({ metric: 'vneidLevel2', periodStart: '2026-01-01', periodEnd: '2026-12-31', target: 'abc', baseline: '' }, 'staff:a');
    expect(bad.ok ? undefined : bad.errors.target).toEqual({ key: 'reports:error.not_number', params: { field: { key: 'reports:field.target' }, typed: 'abc' } });
    expect(await results.targetsList()).toEqual([]);
    const t = await results.saveTarget({ metric: 'vneidLevel2', periodStart: '2026-01-01', periodEnd: '2026-12-31', target: '86.686', baseline: '35 322' }, 'staff:a');
    expect(t.ok && t.value).toMatchObject({ target: 86_686, baseline: 35_322 });
    const [p] = (await reports.summary({ from: '2026-11-01', to: '2026-11-30' }, [])).targets;
    expect(p).toMatchObject({ done: 1400, reached: 36_722, percent: 42.4 });
  });

  it.skipIf(skip)('counts requests: done at home and by ride, the median hours, within the day asked for, unreachable, feedback', async () => {
    const at = (h: number) => NOW - h * HOUR;
    const put = async (over: Parameters<typeof sampleRequest>[0], closedHoursAgo?: number) => {
      const r = sampleRequest({ createdAt: at(48), updatedAt: at(48), ...over });
      await requests.insertOnce(r);
      if (closedHoursAgo !== undefined) {
        await requests.transition(r.id, ['new'], 'claimed', at(40));
        await requests.transition(r.id, ['claimed'], 'done', at(closedHoursAgo), { outcomes: ['cccd_taken', 'vneid_done'] });
      }
      return r;
    };
    // Done 8 h, 24 h and 40 h after filing; one after the day asked for (23/11 > 22/11).
    const a = await put({ type: 'home', preferredDate: '2026-11-23' }, 40);
    await put({ type: 'home', preferredDate: '2026-11-23' }, 24);
    await put({ type: 'ride', preferredDate: '2026-11-22' }, 8);
    const open = await put({ type: 'home' });
    await audit.record('staff:x', 'request_unreachable', open.id, at(30));
    await new FeedbackRepository(db).ask(a.id, at(5));
    await new FeedbackRepository(db).answer(a.id, 'came_ok', at(4));

    const s = await reports.summary({ from: '2026-11-21', to: '2026-11-23' }, []);
    expect(s).toMatchObject({ filed: 4, homeDone: 2, ridesDone: 1, medianHours: 24, withinSla: { n: 2, of: 3, percent: 66.7 }, unreachable: { n: 1, of: 4, percent: 25 }, feedback: { came_ok: 1, came_bad: 0, nobody: 0 } });
    const rows = await reports.requests({ from: '2026-11-21', to: '2026-11-23' }, []);
    expect(rows.find((r) => r.id === a.id)).toMatchObject({ outcomes: ['cccd_taken', 'vneid_done'], personName: null, phone: null });
    const personal = await reports.requests({ from: '2026-11-21', to: '2026-11-23' }, [], { by: 'staff:boss' });
    expect(personal.find((r) => r.id === a.id)!.phone).toBe('0912345678');
    expect((await audit.forSubject('requests:2026-11-21..2026-11-23')).map((e) => e.actor)).toEqual(['staff:boss']);
    expect((await requests.byId(a.id))!.outcomes).toEqual(['cccd_taken', 'vneid_done']);
  });

  it.skipIf(skip)('done in the period counts by when it was done: filed before and done inside is counted, done before is not', async () => {
    const day = (iso: string, hour = 10) => Date.parse(`${iso}T${String(hour - 7).padStart(2, '0')}:00:00Z`);
    const put = async (filed: string, done?: string) => {
      const r = sampleRequest({ communeId: 'old-filed', preferredDate: '2026-11-30', createdAt: day(filed), updatedAt: day(filed) });
      await requests.insertOnce(r);
      if (done) await requests.transition(r.id, ['new'], 'done', day(done), { outcomes: ['cccd_taken'] });
      return r;
    };
    const late = await put('2026-11-10', '2026-11-22');
    const fresh = await put('2026-11-22');
    await put('2026-11-01', '2026-11-15');
    const period = { from: '2026-11-21', to: '2026-11-23' };
    const s = await reports.summary(period, ['old-filed']);
    expect(s).toMatchObject({ filed: 1, homeDone: 1, medianHours: 12 * 24, withinSla: { n: 1, of: 1 } });
    // Sunday 22/11 is in the week of Monday 16/11.
    expect(s.perWeek).toEqual([{ week: '2026-11-16', counts: zeroCounts(), done: 1 }]);
    expect(s.perCommune.map((x) => [x.communeId, x.done])).toEqual([['old-filed', 1]]);
    // The export's rows: what was filed and what was done in the period, so its numbers add up again.
    expect((await reports.requests(period, ['old-filed'])).map((r) => r.id).sort()).toEqual([late.id, fresh.id].sort());
  });

  it.skipIf(skip)('the duty inbox lists the waiting ones first, newest first; handled once; its version changes', async () => {
    const handoffs = new HandoffRepository(db);
    const inbox = new DutyInboxRepository(db);
    const add = (code: string, at: number) => handoffs.create({ id: crypto.randomUUID(), code, kind: 'question', channel: 'zalo', chatId: `z-${code}`, question: code, createdAt: at });
    await add('HD-AAAA', NOW - 3 * HOUR);
    await add('HD-BBBB', NOW - 2 * HOUR);
    await add('HD-CCCC', NOW - HOUR);
    const answered = (await handoffs.byCode('HD-CCCC'))!;
    await handoffs.addAnswer(answered.id, NOW);
    const v1 = await inbox.version();
    const older = (await handoffs.byCode('HD-AAAA'))!;
    expect(await inbox.markHandled(older.id, NOW)).toBe(true);
    expect(await inbox.markHandled(older.id, NOW + 1)).toBe(false);
    expect(await inbox.version()).not.toBe(v1);
    const list = await inbox.list(10);
    expect(list.map((h) => [h.code, h.answers, h.handledAt])).toEqual([
      ['HD-BBBB', 0, null],
      ['HD-CCCC', 1, null],
      ['HD-AAAA', 0, NOW],
    ]);
  });
});
