import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Cluster, NGINX_BIN, startCluster } from '../../scripts/cluster.js';
import { runScenario } from '../../scripts/clusterScenario.js';
import { BOT_TOKEN, FakeTelegram } from '../helpers/fakeTelegram.js';
import { findPostgresBin } from '../helpers/processes.js';

/**
 * The whole province on this machine: nginx in front of two bot replicas (webhook mode) and two
 * workers, on PostgreSQL and on one shared SQLite file. Fifty citizens file at once, their
 * messages alternating between the replicas, with answers sent together, redeliveries, double
 * taps and one replica SIGKILLed and restarted; every conversation must end with exactly its
 * request, holding exactly its answers, its code shown once.
 */
const runnable = Boolean(NGINX_BIN) && existsSync('/usr/bin/redis-server');
if (!runnable && process.env.CI) throw new Error('CI must run the cluster tests: install Debian\'s nginx (see .ci/run)');
if (!runnable) process.stderr.write('\n⚠ nginx not found (apt-get install nginx): the cluster tests are SKIPPED in this run.\n\n');

const DATABASES = [
  ['postgres', Boolean(findPostgresBin()) && inject('pgUrl') !== ''],
  ['sqlite', true],
] as const;

for (const [database, available] of DATABASES) {
  describe.skipIf(!runnable || !available)(`a cluster on ${database}`, () => {
    let fake: FakeTelegram;
    let cluster: Cluster;

    beforeAll(async () => {
      fake = new FakeTelegram();
      await fake.start();
      cluster = await startCluster({
        database,
        parent: inject('tmpRoot') || undefined,
        env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, ADMIN_CHAT_ID: '-900', UNIT_PHONE: '0272 3 123 456', TELEGRAM_CHAT_INTERVAL_MS: '0', TELEGRAM_GLOBAL_PER_SECOND: '1000' },
      });
    }, 90_000);

    afterAll(async () => {
      await cluster?.stop();
      await fake?.stop();
    }, 60_000);

    it('keeps every conversation exactly: 50 chats across two replicas, one of them killed', async () => {
      const report = await runScenario(cluster, fake, { conversations: 50, kill: { replica: 'bot1', after: 0.3 } });
      expect(report.problems.slice(0, 20)).toEqual([]);
      expect({ lost: report.lost, duplicates: report.duplicates, out_of_order: report.out_of_order }).toEqual({ lost: 0, duplicates: 0, out_of_order: 0 });
      // The run really did what it says: replica killed (calls sent again) and answers in flight together.
      expect(report.retried).toBeGreaterThan(0);
      expect(report.overlapped).toBeGreaterThan(0);
    }, 120_000);

    it('stops every process it started, and leaves no folder behind', async () => {
      const pids = cluster.pids();
      expect(pids.length).toBe(cluster.procs.length + 3 - (database === 'sqlite' ? 1 : 0));
      await cluster.stop();
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(cluster.dir)).toBe(false);
    }, 60_000);
  });
}

/** Running, and not a zombie (PostgreSQL's daemon is not our child: whoever inherits it may reap it late). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
