import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PrivateRedis, startPrivateRedis } from '../src/main/privateRedis.js';
import { findPostgresBin, startPostgres, type RunningPostgres } from './helpers/processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    redisUrl: string;
    /** The run's own folder under the system temp dir: every test file goes here. */
    tmpRoot: string;
  }
}

/**
 * Starts a private PostgreSQL for the run (unless TEST_PG_URL points at one). Without
 * PostgreSQL the PostgreSQL tests are skipped and say so; in CI that is an error.
 */
/** Tracked files the run changed (a start script that rewrote the lockfile, say). */
function trackedChanges(): string {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' });
  } catch {
    return '';
  }
}

export default async function setup(project: TestProject) {
  const treeBefore = trackedChanges();
  // One folder for the whole run, removed at its end: a run leaves nothing behind (a PostgreSQL
  // cluster alone is 45 MB, and CI machines can be short of disk).
  const root = mkdtempSync(path.join(tmpdir(), 'thu7-test-'));
  chmodSync(root, 0o755); // PostgreSQL runs as its own user and must reach its folder inside.
  project.provide('tmpRoot', root);
  let pg: RunningPostgres | undefined;
  let url = process.env.TEST_PG_URL ?? '';
  if (!url) {
    const bin = findPostgresBin();
    if (bin) {
      pg = await startPostgres(bin, root);
      url = pg.url;
    } else if (process.env.CI) {
      throw new Error('CI must run the PostgreSQL tests: install Debian\'s postgresql (see .ci/run) or set TEST_PG_URL');
    } else {
      process.stderr.write('\n⚠ PostgreSQL not found (apt-get install postgresql): the PostgreSQL tests are SKIPPED in this run.\n\n');
    }
  }
  project.provide('pgUrl', url);
  // Nothing mocks Redis: a real redis-server for the run (each test uses its own key prefix).
  let redis: PrivateRedis | undefined;
  let redisUrl = process.env.TEST_REDIS_URL ?? '';
  if (!redisUrl) {
    redis = await startPrivateRedis(mkdtempSync(path.join(root, 'redis-')), { persist: false });
    redisUrl = redis.url;
  }
  project.provide('redisUrl', redisUrl);
  return async () => {
    await pg?.stop();
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
    // A test (or the bot it starts) must leave the checkout as it found it.
    const treeAfter = trackedChanges();
    if (treeAfter !== treeBefore) {
      const message = `the test run changed tracked files:\n${treeAfter}`;
      if (process.env.CI) throw new Error(message);
      process.stderr.write(`\n⚠ ${message}\n`);
    }
  };
}
