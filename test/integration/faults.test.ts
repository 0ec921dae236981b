import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { CitizenRequest } from '../../src/domain/request.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/main/privateRedis.js';
import { tempDir } from '../helpers/db.js';
import { FakeTelegram } from '../helpers/fakeTelegram.js';
import { exited, killAll, spawnWorker } from '../helpers/processes.js';
import { drained, eventually, fileRequest, linkTeam, onDialect, type Stack, startStack, teamsFile } from '../helpers/stack.js';
import { DIALECTS, pgAvailable } from '../helpers/db.js';

const YOUTH = -1001;
const WOMEN = -1002;
const CARS = -1003;

let fake: FakeTelegram;
let stack: Stack | undefined;
const children: ChildProcess[] = [];

beforeEach(async () => {
  fake = new FakeTelegram();
  await fake.start();
});
afterEach(async () => {
  await killAll(children);
  await stack?.stop();
  stack = undefined;
  await fake.stop();
});

async function linkAll(): Promise<void> {
  await linkTeam(fake, 'doan-tn', YOUTH, 501, 'Trần Văn Hùng');
  await linkTeam(fake, 'hoi-pn', WOMEN, 502, 'Lê Thị Mai');
  await linkTeam(fake, 'to-xe', CARS, 503, 'Phạm Văn Tài');
  await stack!.app.services.assignment.teamsChanged();
}

// Room for every request of these tests on one day: capacity is not what they test.
const ROOMY = () =>
  teamsFile([
    { id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa', 'long-thanh'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 1000 },
    { id: 'hoi-pn', name: 'Tổ Hội Phụ nữ', communes: ['tan-hoa', 'my-loc'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 1000 },
    { id: 'to-xe', name: 'Tổ xe', communes: ['tan-hoa'], capabilities: ['vehicle'], capacityPerDay: 1000 },
  ]);

/** Another bot process running only the queue workers, on the same database and Redis. */
function workerProcess(env: Record<string, string>): ChildProcess {
  const child = spawnWorker(env);
  children.push(child);
  return child;
}

/** Both processes' workers are taking jobs (this one's and the child's). */
const workersReady = (n: number) => eventually(async () => (await stack!.app.jobs.queue('assign').getWorkers()).length, (c) => c >= n, 30_000);

/** Every request has exactly one card message across the team groups. */
function cardCounts(codes: string[]): number[] {
  const all = [YOUTH, WOMEN, CARS].flatMap((g) => fake.messagesTo(g));
  return codes.map((code) => all.filter((m) => m.text.includes(code) && m.text.startsWith('📋')).length);
}

describe.each(DIALECTS)('faults on %s', { timeout: 90_000 }, (dialect) => {
  beforeAll(() => onDialect(dialect));
  beforeEach((t) => {
    if (dialect === 'postgres' && !pgAvailable()) t.skip();
  });

  it('Redis restarted while requests are being confirmed: each ends assigned exactly once, none lost', async () => {
    const dir = tempDir('thu7-redis-');
    let redis: PrivateRedis = await startPrivateRedis(dir, { persist: true });
    const port = redis.port;
    try {
      stack = await startStack(fake, { REDIS_URL: redis.url, RECONCILE_SECONDS: '0.5', JOB_LOCK_MS: '2000', TEAMS_FILE: ROOMY() });
      await linkAll();
      const filed: CitizenRequest[] = [];
      for (let i = 0; i < 30; i++) {
        if (i === 10) await redis.stop();
        if (i === 20) redis = await startPrivateRedis(dir, { persist: true, port });
        // Confirming never waits for Redis: the request is committed, the queue catches up.
        filed.push(await fileRequest(stack.app, { communeId: i % 2 ? 'tan-hoa' : 'long-thanh' }));
      }
      // The reconciler takes requests that stayed "new" past a grace period: let it pass.
      stack.clock.advance(10_000);
      await eventually(() => cardCounts(filed.map((r) => r.code)), (c) => c.every((n) => n >= 1), 45_000);
      await drained(stack.app);
      expect(cardCounts(filed.map((r) => r.code))).toEqual(filed.map(() => 1));
      const statuses = await Promise.all(filed.map(async (r) => (await stack!.app.repos.requests.byId(r.id))!.status));
      expect(statuses.every((s) => s === 'assigned')).toBe(true);
      const assigned = (await stack.app.repos.audit.since(0)).filter((a) => a.action === 'request_assigned');
      expect(assigned).toHaveLength(30);
    } finally {
      await stack?.stop();
      stack = undefined;
      await redis.stop();
    }
  });

  it('a worker killed in the middle of posting a card: the job is retried and the team sees one card', async () => {
    stack = await startStack(fake, { JOB_LOCK_MS: '1500', TEAMS_FILE: ROOMY() }, { workers: false, realTime: true });
    await linkAll();
    const env = { ...stack.env, REDIS_URL: inject('redisUrl'), JOB_LOCK_MS: '1500' };
    const first = workerProcess(env);
    let killed = false;
    fake.onRequest = (method, params) => {
      if (!killed && method === 'sendMessage' && String(params.text).startsWith('📋')) {
        killed = true;
        first.kill('SIGKILL');
        return 'drop';
      }
    };
    const r = await fileRequest(stack.app, { communeId: 'long-thanh' });
    await eventually(() => killed, (k) => k, 20_000);
    await exited(first);
    workerProcess(env);
    await eventually(() => cardCounts([r.code]), (c) => c[0] === 1, 30_000);
    await drained(stack.app);
    expect(cardCounts([r.code])).toEqual([1]);
    expect((await stack.app.repos.requests.byId(r.id))?.status).toBe('assigned');
  });

  it('two worker processes taking the same request at once: it is assigned once (the conditional update, not BullMQ, decides)', async () => {
    stack = await startStack(fake, { ASSIGN_CONCURRENCY: '4', TEAMS_FILE: ROOMY() }, { realTime: true });
    await linkAll();
    workerProcess({ ...stack.env, REDIS_URL: inject('redisUrl') });
    await workersReady(2);
    const filed: CitizenRequest[] = [];
    for (let i = 0; i < 40; i++) filed.push(await fileRequest(stack.app, { communeId: ['tan-hoa', 'long-thanh', 'my-loc'][i % 3]! }));
    // The same request in three jobs at once (a retried job, an enqueue after a Redis restart):
    // BullMQ hands each job to one worker, so only our own guard keeps it one assignment.
    const assign = stack.app.jobs.queue('assign');
    await assign.addBulk(filed.flatMap((r) => ['dup-a', 'dup-b'].map((d) => ({ name: 'assign', data: { requestId: r.id }, opts: { jobId: `${r.id}.${d}` } }))));
    await eventually(() => cardCounts(filed.map((r) => r.code)), (c) => c.every((n) => n >= 1), 30_000);
    await eventually(async () => (await assign.getJobCounts('waiting', 'active', 'prioritized', 'delayed')) as Record<string, number>, (c) => Object.values(c).every((n) => n === 0), 30_000);
    expect(cardCounts(filed.map((r) => r.code))).toEqual(filed.map(() => 1));
    const assigned = (await stack.app.repos.audit.since(0)).filter((a) => a.action === 'request_assigned');
    expect(assigned.map((a) => a.subject).sort()).toEqual(filed.map((r) => r.id).sort());
  });

  it('two worker processes at once fill each team exactly to its capacity, the rest to the admin', async () => {
    const tight = teamsFile([
      { id: 'doan-tn', name: 'Tổ Đoàn Thanh niên', communes: ['tan-hoa'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 4 },
      { id: 'hoi-pn', name: 'Tổ Hội Phụ nữ', communes: ['tan-hoa'], capabilities: ['home_kit', 'vneid'], capacityPerDay: 3 },
      { id: 'to-xe', name: 'Tổ xe', communes: ['tan-hoa'], capabilities: ['vehicle'], capacityPerDay: 1000 },
    ]);
    stack = await startStack(fake, { ASSIGN_CONCURRENCY: '8', TEAMS_FILE: tight }, { realTime: true });
    await linkAll();
    workerProcess({ ...stack.env, REDIS_URL: inject('redisUrl') });
    await workersReady(2);
    const filed = await Promise.all(Array.from({ length: 16 }, () => fileRequest(stack!.app, { communeId: 'tan-hoa' })));
    const settled = async () => Promise.all(filed.map(async (r) => (await stack!.app.repos.requests.byId(r.id))!));
    await eventually(settled, (rs) => rs.every((r) => r.status !== 'new'), 30_000);
    const rs = await settled();
    const count = (team: string) => rs.filter((r) => r.status === 'assigned' && r.teamId === team).length;
    expect([count('doan-tn'), count('hoi-pn')]).toEqual([4, 3]);
    expect(rs.filter((r) => r.status === 'unassigned' && r.reason === 'no_capacity')).toHaveLength(9);
  });
});
