import type { TestProject } from 'vitest/node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PrivateRedis, startPrivateRedis } from '../src/jobs/redis.js';
import { findPostgresBin, startPostgres, type RunningPostgres } from './helpers/processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    redisUrl: string;
  }
}

/**
 * Starts a private PostgreSQL for the run (unless TEST_PG_URL points at one). Without
 * PostgreSQL the PostgreSQL tests are skipped and say so; in CI that is an error.
 */
export default async function setup(project: TestProject) {
  let pg: RunningPostgres | undefined;
  let url = process.env.TEST_PG_URL ?? '';
  if (!url) {
    const bin = findPostgresBin();
    if (bin) {
      pg = await startPostgres(bin);
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
    redis = await startPrivateRedis(mkdtempSync(path.join(tmpdir(), 'thu7-redis-')), { persist: false });
    redisUrl = redis.url;
  }
  project.provide('redisUrl', redisUrl);
  return async () => {
    await pg?.stop();
    await redis?.stop();
  };
}
