/**
 * A whole province on one machine: nginx as the load balancer in front of N bot replicas
 * (webhook mode) and M worker processes, one database (a private PostgreSQL, or one SQLite file
 * they share) and a private Redis, all on loopback inside one temp folder. `npm run cluster`,
 * the cluster tests and `npm run bench:replicas` start it through here; production's version of
 * the same topology is deploy/docker-compose.yml.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type PrivateRedis, startPrivateRedis } from '../src/main/privateRedis.js';
import { exited, findPostgresBin, type RunningPostgres, startPostgres } from '../test/helpers/processes.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Debian's nginx, if installed (`apt-get install nginx`). */
export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** A request with this header goes to that bot replica only (0, 1, …): tests aim at one through nginx. */
export const PIN_HEADER = 'x-cluster-replica';
export const WEBHOOK_PATH = '/telegram';
export const WEBHOOK_SECRET = 'cluster-webhook-secret';

export interface ClusterOptions {
  bots?: number;
  workers?: number;
  database?: 'postgres' | 'sqlite';
  /** Settings every bot and worker gets: channel tokens, API roots, the duty chat, teams. */
  env?: Record<string, string>;
  /** Where the cluster's temp folder is made (default: the system's temp dir). */
  parent?: string;
  /** The processes' log level; their logs go to `logs/<name>.log` in the folder. */
  logLevel?: string;
}

export interface AppProcess {
  name: string;
  kind: 'bot' | 'worker';
  port: number;
  child: ChildProcess;
  log: string;
}

export interface Cluster {
  dir: string;
  /** nginx: what a platform's webhook calls reach. */
  url: string;
  webhookUrl: string;
  databaseUrl: string;
  redisUrl: string;
  procs: AppProcess[];
  bots(): AppProcess[];
  /** Every process the cluster runs: the app processes, nginx, redis-server and PostgreSQL's postmaster. */
  pids(): number[];
  /** Ends one process at once (SIGKILL by default) and waits until it is gone. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped or killed process again on its port, and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Stops everything: the app processes (SIGTERM, then SIGKILL after 10 s), nginx, Redis, PostgreSQL; removes the folder. */
  stop(): Promise<void>;
}

export class ClusterUnavailableError extends Error {}

export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  if (!NGINX_BIN) throw new ClusterUnavailableError('nginx is not installed: `apt-get install -y nginx` (as root)');
  const pgBin = o.database === 'sqlite' ? undefined : findPostgresBin();
  if (o.database !== 'sqlite' && !pgBin) throw new ClusterUnavailableError('PostgreSQL is not installed: `apt-get install -y postgresql` (as root)');
  const dir = mkdtempSync(path.join(o.parent ?? tmpdir(), 'thu7-cluster-'));
  // PostgreSQL runs as its own user (when we are root) and must reach its folder inside.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'logs'));
  const started: { redis?: PrivateRedis; pg?: RunningPostgres; nginx?: ChildProcess } = {};
  const procs: AppProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopAll());
  const stopAll = async () => {
    await Promise.all(procs.map((p) => stopChild(p.child, 'SIGTERM')));
    if (started.nginx) await stopChild(started.nginx, 'SIGTERM');
    await started.redis?.stop();
    await started.pg?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    started.redis = await startPrivateRedis(path.join(dir, 'redis'), { persist: true });
    let databaseUrl = path.join(dir, 'bot.sqlite');
    if (pgBin) {
      started.pg = await startPostgres(pgBin, dir);
      databaseUrl = started.pg.url;
    }
    const nginxPort = await freePort();
    const url = `http://127.0.0.1:${nginxPort}`;
    const kinds = [...Array<'bot'>(o.bots ?? 2).fill('bot'), ...Array<'worker'>(o.workers ?? 2).fill('worker')];
    const n = { bot: 0, worker: 0 };
    for (const kind of kinds) procs.push({ name: `${kind}${n[kind]++}`, kind, port: await freePort(), child: undefined as unknown as ChildProcess, log: '' });
    const env = (p: AppProcess): Record<string, string> => ({
      ...o.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(dir, p.name),
      REDIS_URL: started.redis!.url,
      QUEUE_PREFIX: 'cluster',
      PORT: String(p.port),
      HTTP_HOST: '127.0.0.1',
      PUBLIC_URL: url,
      TELEGRAM_WEBHOOK_URL: `${url}${WEBHOOK_PATH}`,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SHUTDOWN_GRACE_MS: '3000',
      LOG_LEVEL: o.logLevel ?? 'warn',
    });
    const launch = async (p: AppProcess) => {
      p.log = path.join(dir, 'logs', `${p.name}.log`);
      const fd = openSync(p.log, 'a');
      p.child = spawn(process.execPath, ['--import', 'tsx', 'src/main/index.ts', ...(p.kind === 'worker' ? ['--worker'] : [])], {
        cwd: ROOT,
        env: { ...process.env, ...env(p) },
        stdio: ['ignore', fd, fd],
        // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop it in order.
        detached: true,
      });
      closeSync(fd);
      await ready(p);
    };
    writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, procs.filter((p) => p.kind === 'bot').map((p) => p.port)));
    mkdirSync(path.join(dir, 'nginx'));
    started.nginx = spawn(NGINX_BIN, ['-p', path.join(dir, 'nginx'), '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'logs', 'nginx.log')], { stdio: 'ignore', detached: true });
    // The first process migrates an empty database alone; the others start together after it.
    await launch(procs[0]!);
    await Promise.all(procs.slice(1).map(launch));
    await listening(url, started.nginx);
    const byName = (name: string) => {
      const p = procs.find((x) => x.name === name);
      if (!p) throw new Error(`no process ${name} in the cluster`);
      return p;
    };
    return {
      dir,
      url,
      webhookUrl: `${url}${WEBHOOK_PATH}`,
      databaseUrl,
      redisUrl: started.redis.url,
      procs,
      bots: () => procs.filter((p) => p.kind === 'bot'),
      pids: () => [...procs.map((p) => p.child.pid!), started.nginx!.pid!, started.redis!.pid, ...postmasterPid(dir)],
      kill: (name, signal = 'SIGKILL') => stopChild(byName(name).child, signal),
      restart: async (name) => {
        const p = byName(name);
        await stopChild(p.child, 'SIGTERM');
        await launch(p);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Waits until the process's /readyz answers 200 (database and Redis reached); its log's end if it exits first. */
async function ready(p: AppProcess, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited while starting:\n${tail(p.log)}`);
    const ok = await fetch(`http://127.0.0.1:${p.port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${p.name} not ready in ${ms} ms:\n${tail(p.log)}`);
}

async function listening(url: string, nginx: ChildProcess, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited with ${nginx.exitCode}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  throw new Error(`nginx not answering on ${url}`);
}

/** PostgreSQL's postmaster writes its pid on the first line of postmaster.pid in its data folder. */
function postmasterPid(dir: string): number[] {
  const pg = readdirSync(dir).find((f) => f.startsWith('pg-'));
  const file = pg ? path.join(dir, pg, 'data', 'postmaster.pid') : '';
  return file && existsSync(file) ? [Number(readFileSync(file, 'utf8').split('\n')[0])] : [];
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await exited(child, 10_000);
}

/**
 * One nginx process (no master process: one pid to stop, no workers left behind),
 * round robin over the replicas, and one upstream per replica for PIN_HEADER. A replica that
 * refuses, fails or answers 503 (it is stopping) gets the call passed to the next one; that is
 * safe for webhook POSTs because every update is claimed once by its id.
 */
function nginxConf(dir: string, port: number, botPorts: number[]): string {
  const tmp = (name: string) => `${name}_temp_path ${path.join(dir, 'nginx', name)};`;
  const servers = botPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  const pinned = botPorts.map((p, i) => `  upstream bot${i} { server 127.0.0.1:${p}; keepalive 8; }`).join('\n');
  const map = botPorts.map((_, i) => `    "${i}" bot${i};`).join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(dir, 'nginx', 'nginx.pid')};
error_log ${path.join(dir, 'logs', 'nginx.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
  upstream bots {
${servers}
    keepalive 32;
  }
${pinned}
  map $http_${PIN_HEADER.replaceAll('-', '_')} $pool {
    default bots;
${map}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://$pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_connect_timeout 1s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}
