/** Two writers meeting in the database: a team filled by another worker, a request code already taken. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
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
import { DIALECTS, freshDatabase, pgAvailable, sampleRequest } from '../helpers/db.js';

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
