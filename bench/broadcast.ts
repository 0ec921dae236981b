/**
 * Sends one announcement to N subscribers through the real outbound layer (BullMQ batches, the
 * Redis pacer) in a separate worker process, against the fake Bot API enforcing the same limit
 * (429 beyond it), and prints one JSON line. Usage:
 *   npm run bench:broadcast -- [--recipients 20000] [--limit 1000]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startBenchStack } from './stack.js';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    limit: { type: 'string', default: '1000' },
    'database-url': { type: 'string' },
  },
});
const N = Number(values.recipients);
const LIMIT = Number(values.limit);
const stack = await startBenchStack({
  name: 'broadcast',
  databaseUrl: values['database-url'],
  fake: { globalPerSecond: LIMIT },
  env: () => ({ TELEGRAM_GLOBAL_PER_SECOND: String(LIMIT) }),
});
const { app, fake } = stack;

const perChat = new Map<string, number>();
let first = 0;
let last = 0;
fake.onRequest = (method, params) => {
  if (method !== 'sendMessage' || !String(params.text).includes('Bench')) return;
  const now = performance.now();
  first ||= now;
  last = now;
};

const { db, t } = app.database;
for (let i = 0; i < N; i += 1000) {
  const rows = Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ channel: 'telegram', chatId: String(1_000_000 + i + k), communeId: 'tan-hoa', createdAt: Date.now() }));
  await db.insert(t.subscriptions).values(rows);
}

await stack.startWorkers(1, (a) => a.jobs.queue('broadcast'));
const worker = stack.workers[0]!;
const peakRssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const b = await app.services.broadcast.send({ id: 'bench', kind: 'admin', createdBy: 'bench', content: { text: 'Bench announcement' }, audience: { kind: 'all' } });
const deadline = Date.now() + Math.max(120_000, (N / LIMIT) * 3000);
// Peak memory when half were sent, and at the end: if it does not grow with N, they match.
let rssAtHalf = 0;
for (;;) {
  const now = await app.services.broadcast.byId(b.id);
  if (now?.status !== 'sending' || Date.now() > deadline) break;
  if (!rssAtHalf && now.sent >= N / 2) rssAtHalf = peakRssMb();
  await new Promise((r) => setTimeout(r, 200));
}
const rss = peakRssMb();

for (const m of fake.messages) if (m.text.includes('Bench')) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
const delivered = [...perChat.values()].reduce((a, c) => a + c, 0);
const sentPerS = (delivered - 1) / ((last - first) / 1000);

await stack.stop();
process.stdout.write(
  `${JSON.stringify({
    recipients: N,
    sent_per_s: Math.round(sentPerS),
    limit_per_s: LIMIT,
    ratio: Number((sentPerS / LIMIT).toFixed(3)),
    http_429: fake.limits!.rejected,
    duplicates: delivered - perChat.size,
    lost: N - perChat.size,
    ok: delivered === perChat.size && perChat.size === N,
    rss_mb: Math.round(rss),
    rss_mb_at_half: Math.round(rssAtHalf),
  })}\n`,
);
// Anything lost or sent twice fails the run, whatever the speed.
if (delivered !== perChat.size || perChat.size !== N) process.exitCode = 1;
