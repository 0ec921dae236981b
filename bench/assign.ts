/**
 * Confirms N requests across 20 teams, assigned by separate worker processes, and prints one
 * JSON line. Latency: to the team card's sendMessage call arriving at the fake Bot API, from the
 * moment the confirm was due (its slot at the offered rate: a producer that falls behind does not
 * hide its lag) and, separately, from just before the commit.
 *
 * Confirms arrive at a steady `--rate` per second (open loop: a confirm is not held back because
 * earlier cards are still on their way), which is what "p99 under 1 s at 500/s" asks about.
 * `--rate 0` confirms as fast as the producer can instead: that shows the most the workers
 * assign per second, and its latency is only the backlog the producer runs ahead by.
 *   npm run bench:assign -- [--requests 10000] [--rate 500] [--workers 2] [--teams 20]
 * `--compare` runs it on SQLite and then on a private PostgreSQL (as fast as possible unless
 * `--rate` is given), each on an empty database: through PostgreSQL's Unix socket (as a server on
 * the same machine is reached), then over TCP (as from another machine), and prints the rates
 * and their ratios to SQLite's on one line. `--rounds N`: N rounds in turn, medians printed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CONDITIONS } from '../src/domain/request.js';
import { type BenchLine, onBothDatabases, startBenchStack } from './stack.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    teams: { type: 'string', default: '20' },
    rate: { type: 'string', default: '500' },
    // A fresh worker process runs its first seconds slowly (the JIT is still compiling):
    // these requests go first, unmeasured, and the measured ones start once they are done.
    warmup: { type: 'string', default: '2000' },
    // Citizens confirm from many chats at once: this many confirms in flight.
    concurrency: { type: 'string', default: '32' },
    'database-url': { type: 'string' },
    compare: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
  },
});
const N = Number(values.requests);
const RATE = Number(values.rate);
const WARMUP = Number(values.warmup);
const communes = ['tan-hoa', 'long-thanh', 'phuoc-dong', 'my-loc', 'can-duoc', 'dong-thanh'];

if (values.compare) await compare();
else await measure();

/**
 * SQLite, then PostgreSQL, on the same machine in the same minutes: the ratio is what matters.
 * With `--rounds N`, N rounds in turn; the rates and ratios printed are the medians of the rounds.
 */
async function compare(): Promise<void> {
  const args: string[] = [];
  for (const [k, v] of Object.entries(values)) if (!['compare', 'rounds'].includes(k) && v !== undefined) args.push(`--${k}`, String(v));
  if (!process.argv.some((a) => a === '--rate' || a.startsWith('--rate='))) args.splice(args.indexOf('--rate'), 2, '--rate', '0');
  const rounds = await onBothDatabases('bench/assign.ts', args, Number(values.rounds));
  const all = rounds.flatMap((r) => [r.sqlite, r.postgres, r.postgresTcp]);
  const duplicates = all.reduce((n, r) => n + Number(r.duplicates), 0);
  const lost = all.reduce((n, r) => n + Number(r.lost), 0);
  const rate = (r: BenchLine) => Number(r.assigned_per_s);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const ratios = rounds.map((r) => round2(rate(r.postgres) / rate(r.sqlite)));
  const ratiosTcp = rounds.map((r) => round2(rate(r.postgresTcp) / rate(r.sqlite)));
  process.stdout.write(
    `${JSON.stringify({
      sqlite_per_s: median(rounds.map((r) => rate(r.sqlite))),
      postgres_per_s: median(rounds.map((r) => rate(r.postgres))),
      ratio: median(ratios),
      postgres_tcp_per_s: median(rounds.map((r) => rate(r.postgresTcp))),
      ratio_tcp: median(ratiosTcp),
      duplicates,
      lost,
      ok: duplicates === 0 && lost === 0,
      rounds: rounds.map((r, i) => ({ sqlite: rate(r.sqlite), postgres: rate(r.postgres), ratio: ratios[i], postgres_tcp: rate(r.postgresTcp), ratio_tcp: ratiosTcp[i], cpu_ms_per_request: { sqlite: r.sqlite.cpu_ms_per_request, postgres: r.postgres.cpu_ms_per_request, postgres_tcp: r.postgresTcp.cpu_ms_per_request } })),
    })}\n`,
  );
  if (duplicates > 0 || lost > 0) process.exitCode = 1;
}

async function measure(): Promise<void> {
  const stack = await startBenchStack({
    name: 'assign',
    databaseUrl: values['database-url'],
    env: (dir) => {
      const teamsFile = path.join(dir, 'teams.json');
      writeFileSync(
        teamsFile,
        JSON.stringify({
          teams: Array.from({ length: Number(values.teams) }, (_, i) => ({
            id: `team-${i + 1}`,
            name: `Tổ ${i + 1}`,
            communes: [communes[i % communes.length]!, communes[(i + 1) % communes.length]!],
            capabilities: ['home_kit', 'vehicle', 'vneid'],
            capacityPerDay: 100_000,
          })),
        }),
      );
      return {
        TEAMS_FILE: teamsFile,
        // The platform's limits are not what this measures: the fake server has none here.
        TELEGRAM_GLOBAL_PER_SECOND: '100000',
        TELEGRAM_GROUP_PER_MINUTE: '6000000',
        TELEGRAM_CHAT_INTERVAL_MS: '0',
        // A job waits up to 20 ms for its SLA check to be stored together with others': more slots in flight.
        ASSIGN_CONCURRENCY: '64',
        OUTBOUND_CONCURRENCY: '32',
      };
    },
  });
  const { app, fake, redis, workers: children } = stack;

  /** When each confirm was due (its slot at --rate) and when its commit began. */
  const dueAt = new Map<string, number>();
  const submittedAt = new Map<string, number>();
  const confirmedAt = new Map<string, number>();
  /** Every message to a citizen, by chat and text: the same notice twice is a duplicate too. */
  const citizenSends = new Map<string, number>();
  /** The codes of the measured requests (not the warm-up's). */
  const measured = new Set<string>();
  const cardAt = new Map<string, number[]>();
  fake.onRequest = (method, params) => {
    if (method !== 'sendMessage') return;
    const text = String(params.text);
    if (!String(params.chat_id).startsWith('-')) {
      const key = `${String(params.chat_id)}\u0000${text}`;
      citizenSends.set(key, (citizenSends.get(key) ?? 0) + 1);
    }
    if (!text.startsWith('📋')) return;
    const code = /TB-\w{4}/.exec(text)?.[0];
    if (code) cardAt.set(code, [...(cardAt.get(code) ?? []), performance.now()]);
  };

  for (const [i, team] of (await app.repos.teams.active()).entries()) await app.repos.teams.linkWorkChat(team.id, { channel: 'telegram', chatId: String(-2000 - i), kind: 'group' });
  await stack.startWorkers(Number(values.workers), (a) => a.jobs.queue('assign'));

  async function confirm(i: number, due: number): Promise<string> {
    const ride = i % 3 === 0;
    const before = performance.now();
    const r = await app.services.requests.submit(
      randomUUID(),
      {
        type: ride ? 'ride' : 'home',
        filedFor: 'other',
        consentAt: Date.now(),
        personName: `Nguyễn Văn ${i}`,
        birthYear: 1930 + (i % 60),
        condition: CONDITIONS[i % CONDITIONS.length]!,
        communeId: communes[i % communes.length]!,
        address: `Số ${i}, Ấp ${i % 9}`,
        ...(ride ? { pickupAddress: `Số ${i}`, people: 1 + (i % 3) } : {}),
        phone: `09${String(10_000_000 + i).slice(-8)}`,
        services: ['cccd_new'],
        preferredDate: '2026-11-28',
      },
      { channel: 'telegram', userId: String(100_000 + i) },
      { channel: 'telegram', chatId: String(100_000 + i), kind: 'private' },
    );
    confirmedAt.set(r.code, performance.now());
    submittedAt.set(r.code, before);
    dueAt.set(r.code, due);
    return r.code;
  }

  /** Confirms `count` requests numbered from `first` at RATE per second; resolves when all are confirmed. */
  async function confirmMany(first: number, count: number, onConfirmed: (code: string) => void): Promise<void> {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (next < count) {
          const i = next++;
          const due = RATE > 0 ? start + (i * 1000) / RATE : performance.now();
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          onConfirmed(await confirm(first + i, due));
        }
      }),
    );
  }

  async function allCarded(codes: Iterable<string>, deadline: number): Promise<void> {
    for (const code of codes) while (!cardAt.has(code) && Date.now() < deadline) await sleep(100);
  }

  /** CPU seconds a process has used so far (Linux /proc; 0 elsewhere). */
  function cpuSeconds(pid: number): number {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  }

  /** The database server's CPU, when it is a PostgreSQL on this machine: its backends for our database. */
  const pgBackends = async (): Promise<number[]> => {
    if (!values['database-url']) return [];
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: values['database-url'] });
    await client.connect();
    try {
      const rows = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      return rows.rows.map((r) => r.pid);
    } finally {
      await client.end();
    }
  };

  const warm: string[] = [];
  await confirmMany(0, WARMUP, (code) => warm.push(code));
  await allCarded(warm, Date.now() + 5 * 60_000);
  // Start-up (compiling, connecting, warming up) is not per-request work: measure from here.
  const backendsAtStart = await pgBackends();
  const cpuAtStart = { producer: process.cpuUsage(), workers: children.map((c) => cpuSeconds(c.pid!)), redis: cpuSeconds(redis.pid), postgres: new Map(backendsAtStart.map((pid) => [pid, cpuSeconds(pid)])) };
  const started = performance.now();
  await confirmMany(WARMUP, N, (code) => measured.add(code));
  const submitSeconds = (performance.now() - started) / 1000;
  await allCarded(measured, Date.now() + 10 * 60_000);
  await sleep(1000);
  const postgresCpu = (await pgBackends()).reduce((sum, pid) => sum + cpuSeconds(pid) - (cpuAtStart.postgres.get(pid) ?? 0), 0);
  const lastCard = Math.max(...[...measured].map((code) => cardAt.get(code)?.[0] ?? 0));

  const carded = [...measured].filter((code) => cardAt.has(code));
  const sorted = (from: Map<string, number>) => carded.map((code) => cardAt.get(code)![0]! - from.get(code)!).sort((a, b) => a - b);
  const fromDue = sorted(dueAt);
  const fromSubmit = sorted(submittedAt);
  const pct = (l: number[], p: number) => l[Math.min(l.length - 1, Math.floor(l.length * p))] ?? NaN;
  // Cards and citizens' notices alike: anything sent twice is a duplicate.
  const duplicates = [...cardAt.values()].filter((v) => v.length > 1).length + [...citizenSends.values()].filter((n) => n > 1).length;
  // Warm-up requests count too: none may be lost or carded twice.
  const lost = confirmedAt.size - [...confirmedAt.keys()].filter((c) => cardAt.has(c)).length;
  // Where the machine's CPU went, per request: what to make cheaper next.
  const perRequestMs = (seconds: number) => Math.round((seconds * 1000 * 100) / N) / 100;
  const producerCpu = process.cpuUsage(cpuAtStart.producer);
  const cpu_ms_per_request = {
    producer_and_fake_api: perRequestMs((producerCpu.user + producerCpu.system) / 1e6),
    workers: perRequestMs(children.reduce((sum, c, i) => sum + cpuSeconds(c.pid!) - cpuAtStart.workers[i]!, 0)),
    redis: perRequestMs(cpuSeconds(redis.pid) - cpuAtStart.redis),
    ...(values['database-url'] ? { postgres: perRequestMs(postgresCpu) } : {}),
  };

  await stack.stop();
  process.stdout.write(
    `${JSON.stringify({
      requests: N,
      warmup: WARMUP,
      workers: children.length,
      offered_per_s: RATE > 0 ? RATE : 'max',
      assigned_per_s: Math.round(N / ((lastCard - started) / 1000)),
      p50_ms: Math.round(pct(fromDue, 0.5)),
      p99_ms: Math.round(pct(fromDue, 0.99)),
      p50_from_submit_ms: Math.round(pct(fromSubmit, 0.5)),
      p99_from_submit_ms: Math.round(pct(fromSubmit, 0.99)),
      duplicates,
      lost,
      ok: duplicates === 0 && lost === 0,
      confirm_per_s: Math.round(N / submitSeconds),
      cpu_ms_per_request,
    })}\n`,
  );
  if (duplicates > 0 || lost > 0) process.exitCode = 1;
}
