/**
 * The cluster consistency scenario at load (scripts/clusterScenario.ts) on `npm run cluster`'s
 * topology: nginx, 2 bot replicas in webhook mode, 2 workers, PostgreSQL (or SQLite) and Redis,
 * one replica SIGKILLed and restarted mid-run. Prints one JSON line.
 *   npm run bench:replicas -- [--conversations 300] [--concurrency 64] [--database postgres|sqlite]
 */
import { parseArgs } from 'node:util';
import { startCluster } from '../scripts/cluster.js';
import { runScenario } from '../scripts/clusterScenario.js';
import { BOT_TOKEN, FakeTelegram } from '../test/helpers/fakeTelegram.js';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '64' },
    database: { type: 'string', default: 'postgres' },
    bots: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
  },
});
if (values.database !== 'postgres' && values.database !== 'sqlite') throw new Error('--database is postgres or sqlite');

const fake = new FakeTelegram();
await fake.start();
const cluster = await startCluster({
  database: values.database,
  bots: Number(values.bots),
  workers: Number(values.workers),
  // Platform limits are not what this measures.
  env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, ADMIN_CHAT_ID: '-900', UNIT_PHONE: '0272 3 123 456', TELEGRAM_CHAT_INTERVAL_MS: '0', TELEGRAM_GLOBAL_PER_SECOND: '100000', TELEGRAM_GROUP_PER_MINUTE: '6000000' },
});
try {
  const r = await runScenario(cluster, fake, { conversations: Number(values.conversations), concurrency: Number(values.concurrency), kill: { replica: 'bot1', after: 0.3 } });
  for (const p of r.problems.slice(0, 10)) process.stderr.write(`${p}\n`);
  const line = { conversations: r.conversations, messages_per_s: r.messages_per_s, p99_ms: r.p99_ms, lost: r.lost, duplicates: r.duplicates, out_of_order: r.out_of_order };
  process.stdout.write(`${JSON.stringify({ ...line, messages: r.messages, seconds: r.seconds, overlapped: r.overlapped, retried: r.retried, database: values.database })}\n`);
  if (r.lost + r.duplicates + r.out_of_order > 0) process.exitCode = 1;
} finally {
  await cluster.stop();
  await fake.stop();
}
