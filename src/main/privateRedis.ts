import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { redisConnection } from '../db/redis.js';

export interface PrivateRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, for private servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class RedisNotInstalledError extends Error {}

/**
 * Runs a private redis-server (loopback only, a free port, data under `dir`) for the quick
 * start and the tests. `persist` keeps the queue across restarts (append-only file).
 */
export async function startPrivateRedis(dir: string, opts: { port?: number; persist?: boolean } = {}): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  // A bot that was killed could not stop its redis-server: adopt it rather than start a second
  // server on the same data directory.
  const adopted = await adoptRunning(dir);
  if (adopted) return adopted;
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.resolve(dir), '--save', '', '--protected-mode', 'yes', '--daemonize', 'no'];
  args.push('--appendonly', opts.persist === false ? 'no' : 'yes');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `redis://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new RedisNotInstalledError('redis-server is not installed: run `apt-get install -y redis-server` (as root), or set REDIS_URL') : e),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: child.pid, port }));
  return { url, port, pid: child.pid!, stop: () => stopPid(child.pid!) };
}

async function adoptRunning(dir: string): Promise<PrivateRedis | undefined> {
  const file = path.join(dir, 'owner.json');
  if (!existsSync(file)) return undefined;
  const { pid, port } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number };
  if (!isAlive(pid)) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis({ ...redisConnection(url), lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await probe.connect();
    if ((await probe.ping()) !== 'PONG') return undefined;
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
  return { url, port, pid, stop: () => stopPid(pid) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

