/** Two writers meeting in the database: a team filled by another worker, a request code already taken. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/database.js';
import { AuditRepository } from '../../src/db/repositories/audit.js';
import { CardRepository } from '../../src/db/repositories/cards.js';
import { RequestRepository } from '../../src/db/repositories/requests.js';
import { StaffRepository } from '../../src/db/repositories/staff.js';
import { TeamRepository } from '../../src/db/repositories/teams.js';
import { parseWorkingHours } from '../../src/domain/workingHours.js';
import { AssignmentService } from '../../src/core/assignment/service.js';
import { systemClock } from '../../src/core/clock.js';
import type { FollowUps } from '../../src/core/ports.js';
import { requestFollowUps } from '../../src/core/requests/followUps.js';
import { RequestService } from '../../src/core/requests/service.js';
import { DIALECTS, freshDatabase, freshDatabaseUrl, pgAvailable, sampleRequest } from '../helpers/db.js';

/** Loads read a moment too early: another worker fills the team between the read and the write. */
class StaleFirstLoads extends RequestRepository {
  stale = true;
  override async loadOnDay(date: string): Promise<Map<string, number>> {
    if (!this.stale) return super.loadOnDay(date);
    this.stale = false;
    return new Map();
  }
}

/** The outside world, recorded: which requests got a card. */
function recordingFollowUps(carded: string[]): FollowUps {
  const none = async () => undefined;
  return {
    syncCard: async (id) => void carded.push(id),
    notifyCitizen: none,
    notifyAdmin: none,
    scheduleSla: none,
    notifyOfficer: none,
    notifyTeam: none,
    enqueueAssignment: none,
    postHandoff: none,
    refreshHandoff: none,
    sendAnswer: none,
    startBroadcast: none,
    stopBroadcast: none,
  };
}

describe.each(DIALECTS)('assignment and capacity on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();
  let db: Database;
  beforeAll(async () => {
    if (skip) return;
    db = await freshDatabase(dialect);
    const teams = new TeamRepository(db);
    await teams.upsertAll([
      { id: 'a-full', name: 'A', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 1 },
      { id: 'b-room', name: 'B', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 5 },
    ]);
    await teams.linkWorkChat('a-full', { channel: 'telegram', chatId: '-3001', kind: 'group' });
    await teams.linkWorkChat('b-room', { channel: 'telegram', chatId: '-3002', kind: 'group' });
    await teams.upsertAll([{ id: 'only', name: 'C', communes: ['my-loc'], capabilities: ['home_kit'], capacityPerDay: 1 }]);
    await teams.linkWorkChat('only', { channel: 'telegram', chatId: '-3003', kind: 'group' });
  });

  function assignmentWith(requests: RequestRepository, carded: string[]) {
    const jobs = recordingFollowUps(carded);
    const [teams, staff, cards] = [new TeamRepository(db), new StaffRepository(db), new CardRepository(db)];
    const policy = { slaUnclaimedMs: 3_600_000, workingHours: parseWorkingHours('00:00-24:00') };
    const service = new RequestService(requests, new AuditRepository(db), systemClock, [requestFollowUps({ jobs, cards, teams, staff, clock: systemClock, policy })]);
    return new AssignmentService(service, requests, teams, staff, cards, systemClock, jobs, { ...policy, maxContactAttempts: 3 });
  }
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('a team filled by another worker after the loads were read: refused by the database, the next team is chosen', async () => {
    const requests = new StaleFirstLoads(db);
    const carded: string[] = [];
    const assignment = assignmentWith(requests, carded);
    const first = sampleRequest();
    const second = sampleRequest();
    await requests.insertOnce(first);
    await requests.insertOnce(second);
    requests.stale = false;
    // A (tie, by name) takes the first request and is then full.
    expect(await assignment.assign(first.id)).toEqual({ kind: 'assigned', teamId: 'a-full', waitedMs: expect.any(Number) });
    // The second sees stale loads (A empty), picks A, is refused, reads again and goes to B.
    requests.stale = true;
    expect(await assignment.assign(second.id)).toEqual({ kind: 'assigned', teamId: 'b-room', waitedMs: expect.any(Number) });
    expect((await requests.loadOnDay('2026-11-28')).get('a-full')).toBe(1);
    expect(carded).toEqual([first.id, second.id]);
  });

  it.skipIf(skip)('a place freed by another process since this worker counted the team full: assigned, not told "no room"', async () => {
    const requests = new RequestRepository(db);
    const assignment = assignmentWith(requests, []);
    const [first, second] = [sampleRequest({ communeId: 'my-loc' }), sampleRequest({ communeId: 'my-loc' })];
    await requests.insertOnce(first);
    await requests.insertOnce(second);
    expect(await assignment.assign(first.id)).toMatchObject({ kind: 'assigned', teamId: 'only' });
    // Another process cancels that request: a place is free, though this worker last saw none.
    expect(await new RequestRepository(db).transition(first.id, ['assigned'], 'cancelled', Date.now())).toBe(true);
    expect(await assignment.assign(second.id)).toMatchObject({ kind: 'assigned', teamId: 'only' });
    expect((await requests.loadOnDay('2026-11-28')).get('only')).toBe(1);
  });
});

describe.each(DIALECTS)('request codes on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();

  it.skipIf(skip)('a confirm that draws a code already in use draws again and is stored once', async () => {
    const db = await freshDatabase(dialect);
    try {
      const requests = new RequestRepository(db);
      await requests.insertOnce(sampleRequest({ code: 'TB-C001', personName: 'Người 1' }));
      const draws = ['TB-C001', 'TB-C001', 'TB-NEW1'];
      const intake = new RequestService(requests, new AuditRepository(db), systemClock, [], () => draws.shift()!);
      const { id: _id, code: _code, status: _status, channel: _channel, chatId: _chatId, userId: _userId, consentVersion: _v, createdAt: _c, updatedAt: _u, ...fields } = sampleRequest();
      const filed = await intake.submit(crypto.randomUUID(), fields, { channel: 'telegram', userId: '7002' }, { channel: 'telegram', chatId: '7002', kind: 'private' });
      expect(filed.code).toBe('TB-NEW1');
      expect(draws).toEqual([]);
      expect((await requests.byCode('TB-C001'))?.personName).toBe('Người 1');
    } finally {
      await db.close();
    }
  });
});

describe.each(DIALECTS)('assignments written together on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();

  it.skipIf(skip)('one statement for many: only the one past capacity is full, the same request twice is assigned once', async () => {
    const db = await freshDatabase(dialect);
    try {
      await new TeamRepository(db).upsertAll([
        { id: 'small', name: 'S', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 2 },
        { id: 'large', name: 'L', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 50 },
      ]);
      const requests = new RequestRepository(db);
      const filed = Array.from({ length: 12 }, () => sampleRequest());
      for (const r of filed) await requests.insertOnce(r);
      // Called in one turn of the event loop: one batch. Three for the small team (room for two),
      // the first request asked twice, the rest to the large team.
      const asked = [
        requests.assignTo(filed[0]!.id, 'large', 1),
        requests.assignTo(filed[0]!.id, 'small', 1),
        requests.assignTo(filed[1]!.id, 'small', 1),
        requests.assignTo(filed[2]!.id, 'small', 1),
        requests.assignTo(filed[3]!.id, 'small', 1),
        ...filed.slice(4).map((r) => requests.assignTo(r.id, 'large', 1)),
      ];
      const results = await Promise.all(asked);
      expect(results.slice(0, 5)).toEqual(['assigned', 'taken', 'assigned', 'assigned', 'full']);
      expect(results.slice(5)).toEqual(Array(8).fill('assigned'));
      expect((await requests.byId(filed[0]!.id))?.teamId).toBe('large');
      expect((await requests.byId(filed[3]!.id))?.status).toBe('new');
      const loads = await new RequestRepository(db).loadOnDay('2026-11-28');
      expect([loads.get('small'), loads.get('large')]).toEqual([2, 9]);
    } finally {
      await db.close();
    }
  });
});

describe('assignments written together on postgres, from two processes', () => {
  it.skipIf(!pgAvailable())('two statements over the same teams in opposite orders queue on the counters instead of deadlocking', async () => {
    const url = await freshDatabaseUrl('postgres');
    const db = await openDatabase(url);
    const [one, two] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    try {
      await new TeamRepository(db).upsertAll(['team-a', 'team-b'].map((id) => ({ id, name: id, communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 10 })));
      const requests = new RequestRepository(db);
      // Ids in key order: a statement meets its rows in this order.
      const [r1, r2, r3, r4] = ['q1', 'q2', 'q3', 'q4'].map((id) => sampleRequest({ id }));
      for (const r of [r1, r2, r3, r4]) await requests.insertOnce(r!);
      await one.connect();
      await two.connect();
      // The shape of the repository's batched assignment, in transactions held open on purpose.
      const assign = (c: pg.Client, pairs: [string, string][]) =>
        c.query(
          `update requests set status = 'assigned', team_id = case id ${pairs.map((_, i) => `when $${2 * i + 1}::text then $${2 * i + 2}::text`).join(' ')} end where id in (${pairs.map((_, i) => `$${2 * i + 1}::text`).join(', ')}) and status = 'new'`,
          pairs.flat(),
        );
      await one.query('begin');
      await assign(one, [['q1', 'team-a']]);
      await two.query('begin');
      // Meets team B's row first, then must wait for A, which the first transaction holds.
      const second = assign(two, [['q2', 'team-b'], ['q3', 'team-a']]).then(() => 'done', (e: Error) => e.message);
      await waitUntilWaiting(url);
      // The first now wants B: with B held by the waiting statement, that would be a deadlock.
      const third = await assign(one, [['q4', 'team-b']]).then(() => 'done', (e: Error) => e.message);
      await one.query('commit');
      expect([third, await second]).toEqual(['done', 'done']);
      await two.query('commit');
      const loads = await requests.loadOnDay('2026-11-28');
      expect([loads.get('team-a'), loads.get('team-b')]).toEqual([2, 2]);
    } finally {
      await one.end().catch(() => undefined);
      await two.end().catch(() => undefined);
      await db.close();
    }
  });
});

/** Until some session of this database waits on a lock (the second transaction, behind the first). */
async function waitUntilWaiting(url: string): Promise<void> {
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await watcher.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      if (r.rowCount) return;
      await new Promise((ok) => setTimeout(ok, 25));
    }
    throw new Error('the second statement never waited');
  } finally {
    await watcher.end();
  }
}
