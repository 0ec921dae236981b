import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/main/privateRedis.js';

export { freePort };

/** Debian puts server binaries in /usr/lib/postgresql/<version>/bin, not on PATH. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (existsSync(path.join(bin, 'initdb'))) return bin;
  }
  return undefined;
}

export interface RunningPostgres {
  /** Over TCP (127.0.0.1), as from another machine. */
  url: string;
  /** Over its Unix socket, as a PostgreSQL on the same machine is reached. */
  socketUrl: string;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` user Debian creates. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export async function startPostgres(bin: string, parent = tmpdir()): Promise<RunningPostgres> {
  const dir = mkdtempSync(path.join(parent, 'pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asPostgres(path.join(bin, cmd), args);
    execFileSync(c, a, { stdio: 'pipe' });
  };
  run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', [
    '-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    socketUrl: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    stop: async () => run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']),
  };
}

/** Waits for a child to exit (or kills it after `ms`). */
export function exited(child: ChildProcess, ms = 10_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => (clearTimeout(timer), resolve(code)));
  });
}

export { spawn };

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Kills the test's child processes (and forgets them), waiting until each is gone. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    c.kill('SIGKILL');
    await exited(c);
  }
}

/**
 * Another bot process running only the queue workers, on the same database and Redis.
 * WORKER_NODE_FLAGS adds Node flags to it (e.g. `--cpu-prof` to profile a benchmark's workers).
 */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  const flags = (process.env.WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...flags, '--import', 'tsx', 'src/main/index.ts', '--worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: process.env.CHILD_LOG ?? 'silent' },
    stdio: ['ignore', 'ignore', process.env.CHILD_LOG ? 'inherit' : 'ignore'],
  });
}
