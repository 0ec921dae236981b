/** Two writers meeting in the database: a team filled by another worker, a request code already taken. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { AuditRepository } from '../../src/db/repositories/audit.js';
import { CardRepository } from '../../src/db/repositories/cards.js';
import { RequestRepository } from '../../src/db/repositories/requests.js';
import { TeamRepository } from '../../src/db/repositories/teams.js';
import { parseWorkingHours } from '../../src/domain/workingHours.js';
import { type AssignmentEffects, AssignmentService } from '../../src/services/assignment.js';
import { systemClock } from '../../src/services/clock.js';
import { IntakeService } from '../../src/services/intake.js';
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
function recordingEffects(carded: string[]): AssignmentEffects {
  const none = async () => undefined;
  return { syncCard: async (id) => void carded.push(id), notifyCitizen: none, notifyAdmin: none, scheduleSla: none, notifyOfficer: none, enqueueAssignment: none };
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
    await teams.linkChat('a-full', '-3001');
    await teams.linkChat('b-room', '-3002');
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('a team filled by another worker after the loads were read: refused by the database, the next team is chosen', async () => {
    const requests = new StaleFirstLoads(db);
    const carded: string[] = [];
    const service = new AssignmentService(requests, new TeamRepository(db), new CardRepository(db), new AuditRepository(db), systemClock, recordingEffects(carded), {
      slaUnclaimedMs: 3_600_000,
      workingHours: parseWorkingHours('00:00-24:00'),
      maxContactAttempts: 3,
    });
    const first = sampleRequest();
    const second = sampleRequest();
    await requests.insertOnce(first);
    await requests.insertOnce(second);
    requests.stale = false;
    // A (tie, by name) takes the first request and is then full.
    expect(await service.assign(first.id)).toEqual({ kind: 'assigned', teamId: 'a-full' });
    // The second sees stale loads (A empty), picks A, is refused, reads again and goes to B.
    requests.stale = true;
    expect(await service.assign(second.id)).toEqual({ kind: 'assigned', teamId: 'b-room' });
    expect((await requests.loadOnDay('2026-11-28')).get('a-full')).toBe(1);
    expect(carded).toEqual([first.id, second.id]);
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
      const intake = new IntakeService(requests, new AuditRepository(db), systemClock, () => draws.shift()!);
      const { id: _id, code: _code, status: _status, channel: _channel, chatId: _chatId, userId: _userId, consentVersion: _v, createdAt: _c, updatedAt: _u, ...fields } = sampleRequest();
      const filed = await intake.submit(crypto.randomUUID(), fields, { channel: 'telegram', userId: '7002' }, '7002');
      expect(filed.code).toBe('TB-NEW1');
      expect(draws).toEqual([]);
      expect((await requests.byCode('TB-C001'))?.personName).toBe('Người 1');
    } finally {
      await db.close();
    }
  });
});
