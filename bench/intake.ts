/**
 * Pushes N complete intake conversations through the dialog engine and the database, as
 * concurrent chats, and prints one JSON line. Usage:
 *   npm run bench:intake -- [--conversations 2000] [--concurrency 32] [--database-url postgres://…]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/main/config.js';
import { createContainer } from '../src/main/container.js';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    'database-url': { type: 'string' },
  },
});
const conversations = Number(values.conversations);
const concurrency = Number(values.concurrency);

const dataDir = mkdtempSync(path.join(tmpdir(), 'thu7-bench-'));
const app = await createContainer(
  loadConfig({
    DATA_DIR: dataDir,
    AREAS_FILE: path.resolve(import.meta.dirname, '../data/areas.json'),
    LOG_LEVEL: 'silent',
    ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
  }),
);

// What an old phone types: numbers for choices, names without diacritics, a spaced phone number.
// Every person is a different one (the same person twice is refused), and the calendar is empty:
// the day is typed.
const letters = (i: number) => [0, 1, 2].map((k) => String.fromCharCode(65 + (Math.floor(i / 26 ** k) % 26))).join('');
const soon = (() => {
  const d = new Date(Date.now() + 7 * 86_400_000 + 7 * 3_600_000);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
})();
const script = (i: number) => [
  '/start', i % 2 ? '1' : '2', '1', '2', '1', `Nguyen Van ${letters(i)}`, String(1930 + (i % 60)),
  String(1 + (i % 5)), ['tan hoa', 'long thanh', 'phuoc dong', 'my loc'][i % 4]!, `so ${i} ap ${i % 9}`,
  ...(i % 2 ? [] : ['1', '2']), `09${String(10_000_000 + i).slice(-8)}`, '1,3', soon, '1', '1',
];

const latencies: number[] = [];
let codes = 0;
let next = 0;

async function runChat(i: number): Promise<void> {
  const chatId = `bench-${i}`;
  let seq = 0;
  for (const text of script(i)) {
    const start = performance.now();
    const { replies } = await app.engine.handle({
      address: { channel: 'console', chatId, kind: 'private' },
      actor: { channel: 'console', userId: chatId },
      text,
      deliveryId: `${i}-${seq++}`,
    });
    latencies.push(performance.now() - start);
    if (replies.some((r) => r.text.some((m) => m.key === 'intake:done.message'))) codes++;
  }
}

async function worker(): Promise<void> {
  while (next < conversations) await runChat(next++);
}

const started = performance.now();
await Promise.all(Array.from({ length: Math.min(concurrency, conversations) }, worker));
const seconds = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
const stored = (await app.database.db.select().from(app.database.t.requests)).length;
await app.close();
const ok = codes === conversations && stored === conversations;
if (!ok) process.exitCode = 1;
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    conversations,
    messages: latencies.length,
    concurrency,
    dialect: app.database.dialect,
    messages_per_s: Math.round(latencies.length / seconds),
    p50_ms: Number(pct(0.5).toFixed(2)),
    p99_ms: Number(pct(0.99).toFixed(2)),
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    codes_shown: codes,
    requests_stored: stored,
    ok,
  })}\n`,
);
