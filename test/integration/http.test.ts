import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../src/main/privateRedis.js';
import { Conversation, testApp, type TestApp, TestClock } from '../helpers/app.js';
import { freshDatabaseUrl, pgAvailable, tempDir } from '../helpers/db.js';
import { eventually, fileRequest, teamsFile } from '../helpers/stack.js';

let app: TestApp | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await app?.shutdown();
  await redis?.stop();
  app = undefined;
  redis = undefined;
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${app!.server!.port}${path}`);
  return { status: res.status, text: await res.text() };
};
const json = async (path: string) => {
  const r = await get(path);
  return { status: r.status, body: JSON.parse(r.text) as { ok: boolean; checks: Record<string, string> } };
};

/** Refuses, then allows again, connections to one PostgreSQL database: "the database is down" for that app. */
async function pgDatabase(url: string, allow: boolean): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow}`);
  if (!allow) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await admin.end();
}

describe('health, readiness and metrics on the one HTTP server', { timeout: 60_000 }, () => {
  it.skipIf(!pgAvailable())('/healthz while the process runs; /readyz 503 naming Redis or the database while either is down', async () => {
    const dir = tempDir('thu7-redis-');
    redis = await startPrivateRedis(dir, { persist: false });
    const port = redis.port;
    const databaseUrl = await freshDatabaseUrl('postgres');
    app = await testApp({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url }, new TestClock(), { redis: true, http: true });
    expect(await json('/healthz')).toEqual({ status: 200, body: { ok: true } });
    // Ready once both answer (Redis connects in the background, so a loaded machine may take a moment).
    const ready = await eventually(() => json('/readyz'), (r) => r.status === 200, 10_000);
    expect(ready).toEqual({ status: 200, body: { ok: true, checks: { database: 'ok', redis: 'ok' } } });

    await redis.stop();
    const down = await eventually(() => json('/readyz'), (r) => r.status === 503);
    expect(down.body.checks).toMatchObject({ database: 'ok', redis: 'down' });
    expect((await json('/healthz')).status).toBe(200);
    redis = await startPrivateRedis(dir, { persist: false, port });
    await eventually(() => json('/readyz'), (r) => r.status === 200, 15_000);

    await pgDatabase(databaseUrl, false);
    try {
      const dbDown = await eventually(() => json('/readyz'), (r) => r.status === 503);
      expect(dbDown.body.checks).toMatchObject({ database: 'down', redis: 'ok' });
    } finally {
      await pgDatabase(databaseUrl, true);
    }
    await eventually(() => json('/readyz'), (r) => r.status === 200, 15_000);
  });

  it('/metrics: updates in, messages out, send failures by kind, queue depths, assignment latency, emergencies', async () => {
    app = await testApp(
      { TEAMS_FILE: teamsFile([{ id: 't1', name: 'Tổ 1', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 10 }]), QUEUE_PREFIX: `h${Date.now()}` },
      new TestClock(Date.now(), true),
      { redis: true, http: true },
    );
    const workers = await app.startWorkers();
    try {
      await new Conversation(app, 'm-1').say('/start');
      app.memory.blocked.add('m-2');
      await new Conversation(app, 'm-2').say('/start');
      await new Conversation(app, 'm-3').say('chay nha roi cuu voi');
      // A team that works without a group (its officer is the memory admin, registered by code).
      const code = /\b([A-Z0-9]{6})\b/.exec(await new Conversation(app, 'admin').say('/moicanbo t1'))![1]!;
      await new Conversation(app, 'officer-9').say(`/dangky ${code}`);
      const r = await fileRequest(app, { channel: 'memory', chatId: 'm-4' });
      await eventually(() => app!.repos.requests.byId(r.id), (x) => x?.status === 'assigned');
      // The worker counts the latency once the database answered: a moment after the row changed.
      const m = await eventually(async () => (await get('/metrics')).text, (text) => /bot_assignment_latency_seconds_count 1/.test(text));
      expect(m).toMatch(/bot_updates_in_total\{channel="memory"\} [4-9]/);
      expect(m).toMatch(/bot_messages_out_total\{channel="memory"\} \d+/);
      expect(m).toContain('bot_send_failures_total{channel="memory",kind="blocked"} 1');
      expect(m).toContain('bot_emergency_alerts_total 1');
      expect(m).toMatch(/bot_queue_jobs\{queue="assign",state="waiting"\} \d+/);
      expect(m).toMatch(/bot_assignment_latency_seconds_count 1/);
    } finally {
      await workers.stop();
    }
  });
});
