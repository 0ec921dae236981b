import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { loadConfig } from '../src/main/config.js';
import { type Container, createContainer } from '../src/main/container.js';
import { type PrivateRedis, startPrivateRedis } from '../src/main/privateRedis.js';
import { BOT_TOKEN, FakeTelegram } from '../test/helpers/fakeTelegram.js';
import { exited, findPostgresBin, spawnWorker, startPostgres } from '../test/helpers/processes.js';

/**
 * What the benchmarks with worker processes share: a folder of their own (removed at the end),
 * the fake Bot API, a private Redis, the app as producer, and worker processes on the same
 * database and Redis.
 */
export interface BenchStack {
  dir: string;
  fake: FakeTelegram;
  redis: PrivateRedis;
  app: Container;
  workers: ChildProcess[];
  /** Starts `count` worker processes and waits until `queue` sees them all. */
  startWorkers(count: number, queue: (app: Container) => Queue): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(o: {
  name: string;
  databaseUrl: string | undefined;
  fake?: ConstructorParameters<typeof FakeTelegram>[0];
  /** Settings of this benchmark; files it needs can be written into `dir` first. */
  env: (dir: string) => Record<string, string>;
}): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), `thu7-bench-${o.name}-`));
  const fake = new FakeTelegram(o.fake);
  await fake.start();
  const redis = await startPrivateRedis(path.join(dir, 'redis'), { persist: false });
  const env = {
    DATA_DIR: dir,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    AREAS_FILE: path.resolve(import.meta.dirname, '../data/areas.json'),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'bench',
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: fake.apiRoot,
    ADMIN_CHAT_ID: '-900',
    UNIT_PHONE: '0272 3 123 456',
    PORT: '0',
    ...o.env(dir),
    LOG_LEVEL: 'silent',
  };
  const app = await createContainer(loadConfig(env), { redisUrl: redis.url });
  const workers: ChildProcess[] = [];
  return {
    dir,
    fake,
    redis,
    app,
    workers,
    async startWorkers(count, queue) {
      for (let i = 0; i < count; i++) workers.push(spawnWorker(env));
      while ((await queue(app).getWorkers()).length < workers.length) await sleep(100);
    },
    async stop() {
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => exited(w)));
      await app.close();
      await redis.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a benchmark script once on SQLite and once on a private PostgreSQL (started here as the
 * tests start theirs, on the same machine), one after the other, and returns each run's JSON line.
 */
export type BenchLine = Record<string, unknown>;

export async function onBothDatabases(script: string, args: string[], rounds = 1): Promise<{ sqlite: BenchLine; postgres: BenchLine; postgresTcp: BenchLine }[]> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('--compare needs PostgreSQL: apt-get install -y postgresql (as root)');
  const dir = mkdtempSync(path.join(tmpdir(), 'thu7-bench-pg-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its folder inside.
  const pg = await startPostgres(bin, dir);
  try {
    const out = [];
    // Round after round, each database in turn: this machine's speed drifts within minutes, so a
    // ratio is taken between runs next to each other.
    for (let round = 0; round < rounds; round++) {
      const sqlite = await runJsonLine(script, args);
      // PostgreSQL on the same machine as the bot, reached as such a one is: by its Unix socket.
      // Over TCP, as from another machine, for comparison: loopback TCP costs both sides CPU
      // per statement that a socket does not (the machine is the same, so it shows).
      // Each run on an empty database of its own, as SQLite's: the same table sizes, the same code collisions.
      const postgres = await runJsonLine(script, [...args, '--database-url', await emptyDatabase(pg.socketUrl, `bench_socket_${round}`)]);
      const postgresTcp = await runJsonLine(script, [...args, '--database-url', await emptyDatabase(pg.url, `bench_tcp_${round}`)]);
      out.push({ sqlite, postgres, postgresTcp });
    }
    return out;
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A new database on the server `url` names, and the URL that reaches it the same way. */
async function emptyDatabase(url: string, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs a benchmark script in its own process and parses the JSON line it prints last. */
function runJsonLine(script: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`${script} ${args.join(' ')} exited with ${code} and printed no JSON line`));
      }
    });
  });
}
