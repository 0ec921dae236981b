/**
 * The web console under load: a database with N requests (most closed, as after months of work;
 * the open ones spread over the teams), S signed-in browsers at once (four in five commanders on
 * the board, the rest officers on their team's work page). First they browse (a page, then up to
 * a second before the next: p50/p99 per page), then each asks again the moment it has its answer
 * (pages_per_s: the most one process serves, and the latency when it is saturated). The server runs in a process of its own (as in use: the browsers are
 * elsewhere), this one plays the browsers. Prints one JSON line and exits non-zero when a
 * target is missed.
 *   npm run bench:web -- [--requests 20000] [--sessions 50] [--seconds 15] [--database-url postgres://…]
 * Targets on the 2-core machine (browsing): board p99 < 150 ms, work page p99 < 80 ms.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { fieldsToColumns } from '../src/core/requests/fields.js';
import { addDays } from '../src/domain/dates.js';
import { CONDITIONS, priorityOf, type RequestFields, type RequestStatus } from '../src/domain/request.js';
import { HttpServer } from '../src/http/server.js';
import { loadConfig } from '../src/main/config.js';
import { createContainer } from '../src/main/container.js';

const TARGETS = { board_p99_ms: 150, work_page_p99_ms: 80 };

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    sessions: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    teams: { type: 'string', default: '40' },
    'database-url': { type: 'string' },
  },
});
const total = Number(values.requests);
const sessions = Number(values.sessions);
const teamCount = Number(values.teams);

const dataDir = mkdtempSync(path.join(tmpdir(), 'thu7-bench-web-'));
const communes = ['tan-hoa', 'long-thanh', 'phuoc-dong', 'my-loc', 'can-duoc', 'dong-thanh'];
const teams = Array.from({ length: teamCount }, (_, i) => ({
  id: `team-${i}`,
  name: `Tổ ${i + 1}`,
  communes: [communes[i % communes.length]!, communes[(i + 1) % communes.length]!],
  capabilities: ['home_kit', 'vneid', 'vehicle'],
  capacityPerDay: 1000,
}));
const teamsFile = path.join(dataDir, 'teams.json');
writeFileSync(teamsFile, JSON.stringify({ teams }));

const env: Record<string, string> = {
  DATA_DIR: dataDir,
  AREAS_FILE: path.resolve(import.meta.dirname, '../data/areas.json'),
  TEAMS_FILE: teamsFile,
  LOG_LEVEL: 'silent',
  NODE_ENV: 'production',
  PORT: '0',
  HTTP_HOST: '127.0.0.1',
  WEB_LOGIN_PER_MINUTE: '100000',
  ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
};
const config = loadConfig(env);
if (process.env.BENCH_WEB_SERVE) {
  // The server: the console on the database the parent filled; its CPU time on request.
  const app = await createContainer(loadConfig(JSON.parse(process.env.BENCH_WEB_SERVE) as Record<string, string>));
  const server = new HttpServer({ port: 0, host: '127.0.0.1', log: app.log, metrics: app.metrics, readiness: () => app.readiness() });
  app.mountConsole(server);
  await server.listen();
  app.listening(server);
  process.on('message', (m) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
    if (m === 'stop') void server.close().then(() => app.close()).then(() => process.exit(0));
  });
  process.send!({ port: server.port });
  await new Promise(() => {});
}

const app = await createContainer(config);

// ---- the data: months of closed requests, the open ones spread over the teams ----
const now = app.clock.now();
const today = new Date(now + 7 * 3600_000).toISOString().slice(0, 10);
const { db, t } = app.database;
const openShare = 0.1;
const rows: Record<string, unknown>[] = [];
for (let i = 0; i < total; i++) {
  const open = i < total * openShare;
  const team = teams[i % teamCount]!;
  const status: RequestStatus = open ? (['new', 'unassigned', 'assigned', 'claimed', 'claimed', 'assigned'] as const)[i % 6]! : i % 9 === 0 ? 'cancelled' : 'done';
  const held = status === 'assigned' || status === 'claimed' || status === 'done';
  const condition = CONDITIONS[i % CONDITIONS.length]!;
  const fields: RequestFields = {
    type: i % 3 === 0 ? 'ride' : 'home',
    filedFor: 'other',
    consentAt: now,
    personName: `Nguyễn Thị ${String.fromCharCode(65 + (i % 26))}${i}`,
    birthYear: 1930 + (i % 60),
    condition,
    communeId: team.communes[i % 2]!,
    address: `Số ${i}, Ấp ${i % 17}`,
    pickupAddress: i % 3 === 0 ? `Số ${i}, Ấp ${i % 17}` : undefined,
    people: i % 3 === 0 ? 1 : undefined,
    phone: `09${String(10_000_000 + i).slice(-8)}`,
    services: ['cccd_new'],
    preferredDate: open ? addDays(today, (i % 14) - 3) : addDays(today, -1 - (i % 90)),
    notes: i % 5 === 0 ? 'Gọi trước khi đến' : '',
  };
  const createdAt = now - (open ? i % 5 : 10 + (i % 90)) * 86_400_000 - i;
  rows.push({
    ...fieldsToColumns(fields),
    id: randomUUID(),
    code: `TB-${i.toString(36).toUpperCase().padStart(4, '0')}`,
    channel: i % 2 ? 'zalo' : 'telegram',
    chatId: String(100_000 + i),
    userId: String(100_000 + i),
    status,
    consentVersion: '2026-11',
    priority: priorityOf(condition),
    teamId: held ? team.id : null,
    assignedAt: held ? createdAt + 60_000 : null,
    reason: status === 'unassigned' ? 'no_capacity' : null,
    outcome: status === 'done' ? 'cccd_taken' : null,
    closedAt: status === 'done' || status === 'cancelled' ? createdAt + 86_400_000 : null,
    createdAt,
    updatedAt: createdAt + 1,
  });
}
const seeded = performance.now();
for (let i = 0; i < rows.length; i += 500) await db.insert(t.requests).values(rows.slice(i, i + 500) as never);
const seedMs = performance.now() - seeded;

// ---- the people: commanders on the board, officers of teams on their work page ----
const officers = Math.max(1, Math.round(sessions / 5));
const cookies: { role: 'board' | 'work'; cookie: string }[] = [];
for (let i = 0; i < sessions; i++) {
  const officer = i < officers;
  const id = `bench-staff-${i}`;
  await app.repos.staff.create({ id, name: `Cán bộ ${i}`, teamId: officer ? teams[i % teamCount]!.id : null, commander: !officer }, now);
  const token = (await app.services.access.linkFor(id)).split('/').pop()!;
  const r = await app.services.access.login(token);
  if (!r.ok) throw new Error(`login failed: ${r.reason}`);
  cookies.push({ role: officer ? 'work' : 'board', cookie: `sid=${r.cookie}` });
}

await app.close();

const child: ChildProcess = fork(import.meta.filename, [], {
  // BENCH_SERVER_FLAGS="--cpu-prof": profile the server.
  execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [])],
  env: { ...process.env, BENCH_WEB_SERVE: JSON.stringify(env) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
/** The server's next message (its port once it listens; its CPU time when asked). */
const reply = <T>() => new Promise<T>((resolve) => child.once('message', (x) => resolve(x as T)));
const { port } = await reply<{ port: number }>();
const base = `http://127.0.0.1:${port}`;

const agent = new Agent({ connections: sessions, pipelining: 1 });
let errors = 0;
let bytes = 0;

/**
 * One signed-in browser: asks for its page, reads it, waits up to `thinkMs` (a person reading,
 * pressing), again. With no wait it is a stress test: every browser asks the moment it has
 * its answer, and the latency is then mostly the queue in front of one process.
 */
async function browse(s: { role: 'board' | 'work'; cookie: string }, until: number, thinkMs: number, into?: { board: number[]; work: number[] }): Promise<void> {
  while (performance.now() < until) {
    const start = performance.now();
    const res = await request(`${base}/${s.role}`, { dispatcher: agent, headers: { cookie: s.cookie } });
    const body = await res.body.text();
    const ms = performance.now() - start;
    if (res.statusCode !== 200 || !body.includes('</html>')) errors++;
    if (into) {
      into[s.role].push(ms);
      bytes += body.length;
    }
    if (thinkMs > 0) await new Promise((r) => setTimeout(r, Math.random() * thinkMs));
  }
}

async function phase(seconds: number, thinkMs: number) {
  const into = { board: [] as number[], work: [] as number[] };
  const start = performance.now();
  child.send('cpu');
  const before = await reply<{ cpu: NodeJS.CpuUsage }>();
  await Promise.all(cookies.map((c) => browse(c, start + seconds * 1000, thinkMs, into)));
  const elapsed = (performance.now() - start) / 1000;
  child.send('cpu');
  const after = await reply<{ cpu: NodeJS.CpuUsage; rss: number }>();
  const pages = into.board.length + into.work.length;
  return { into, pages, perS: Math.round(pages / elapsed), cpuMs: (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000, rss: after.rss };
}

// Warm up (templates compiled, statements prepared, caches filled), then measure: people
// browsing (a page, then up to a second to read it), and the most one process serves.
await Promise.all(cookies.map((c) => browse(c, performance.now() + 2000, 0)));
const seconds = Number(values.seconds);
const browsing = await phase(seconds, 1000);
const saturated = await phase(Math.max(3, seconds / 2), 0);

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1));
};
const allPages = browsing.pages + saturated.pages;
const result = {
  requests: total,
  sessions,
  dialect: config.dialect,
  board_p50_ms: pct(browsing.into.board, 50),
  board_p99_ms: pct(browsing.into.board, 99),
  work_page_p50_ms: pct(browsing.into.work, 50),
  work_page_p99_ms: pct(browsing.into.work, 99),
  browsing_pages_per_s: browsing.perS,
  pages_per_s: saturated.perS,
  saturated_board_p99_ms: pct(saturated.into.board, 99),
  saturated_work_page_p99_ms: pct(saturated.into.work, 99),
  kb_per_page: Math.round(bytes / Math.max(1, allPages) / 1024),
  server_cpu_ms_per_page: Number(((browsing.cpuMs + saturated.cpuMs) / Math.max(1, allPages)).toFixed(2)),
  server_rss_mb: Math.round(saturated.rss / 1048576),
  errors,
  seed_s: Number((seedMs / 1000).toFixed(1)),
  ok: errors === 0,
};
const missed = [
  result.board_p99_ms >= TARGETS.board_p99_ms && `board p99 ${result.board_p99_ms} ms ≥ ${TARGETS.board_p99_ms}`,
  result.work_page_p99_ms >= TARGETS.work_page_p99_ms && `work page p99 ${result.work_page_p99_ms} ms ≥ ${TARGETS.work_page_p99_ms}`,
  errors > 0 && `${errors} pages failed`,
].filter((x): x is string => typeof x === 'string');
result.ok = missed.length === 0;
console.log(JSON.stringify(result));
if (missed.length > 0) {
  console.error(`targets missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
await agent.close();
child.send('stop');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
