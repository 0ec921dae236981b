/**
 * `npm run cluster`: the province topology on this machine (scripts/cluster.ts) until Ctrl-C or
 * SIGTERM, then everything is stopped and its temp folder removed.
 *   npm run cluster -- [--bots 2] [--workers 2] [--database postgres|sqlite]
 * (or CLUSTER_BOTS, CLUSTER_WORKERS, CLUSTER_DATABASE). The webhook is on loopback, where
 * Telegram cannot reach it, so the bots talk to a local fake Bot API (test/helpers/fakeTelegram.ts);
 * post updates to the printed webhook URL with the printed secret header.
 */
import { parseArgs } from 'node:util';
import { BOT_TOKEN, FakeTelegram } from '../test/helpers/fakeTelegram.js';
import { startCluster, WEBHOOK_SECRET } from './cluster.js';

const { values } = parseArgs({
  options: {
    bots: { type: 'string', default: process.env.CLUSTER_BOTS ?? '2' },
    workers: { type: 'string', default: process.env.CLUSTER_WORKERS ?? '2' },
    database: { type: 'string', default: process.env.CLUSTER_DATABASE ?? 'postgres' },
  },
});
if (values.database !== 'postgres' && values.database !== 'sqlite') throw new Error('--database is postgres or sqlite');

const fake = new FakeTelegram();
await fake.start();
const cluster = await startCluster({
  bots: Number(values.bots),
  workers: Number(values.workers),
  database: values.database,
  logLevel: 'info',
  env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, ADMIN_CHAT_ID: '-900', UNIT_PHONE: '0272 3 123 456' },
});
process.stdout.write(
  `${JSON.stringify(
    {
      load_balancer: cluster.url,
      webhook: cluster.webhookUrl,
      secret_header: `X-Telegram-Bot-Api-Secret-Token: ${WEBHOOK_SECRET}`,
      bot_api: fake.apiRoot,
      database: cluster.databaseUrl,
      redis: cluster.redisUrl,
      processes: cluster.procs.map((p) => ({ name: p.name, pid: p.child.pid, readyz: `http://127.0.0.1:${p.port}/readyz`, log: p.log })),
    },
    null,
    2,
  )}\nRunning. Ctrl-C stops everything.\n`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping…\n');
  await cluster.stop();
  await fake.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
