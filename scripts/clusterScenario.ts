/**
 * The consistency scenario on a cluster (scripts/cluster.ts): many citizens each file a home
 * visit through the Telegram webhook, their messages going alternately to the two bot replicas
 * through nginx, with what a real deployment sees: a chat's next update once the call for the one
 * before has returned (as Telegram does), an update delivered again to the other replica, the confirm button
 * tapped twice on both, one replica SIGKILLed mid-run and started again, and every call nginx
 * could not complete sent again like Telegram does. Then it reads the database and what the
 * fake Bot API was sent. The cluster tests assert on the report; `npm run bench:replicas`
 * prints it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inArray } from 'drizzle-orm';
import { openDatabase } from '../src/db/database.js';
import type { FakeTelegram } from '../test/helpers/fakeTelegram.js';
import { type Cluster, PIN_HEADER, WEBHOOK_SECRET } from './cluster.js';

export interface ScenarioOptions {
  conversations: number;
  /** SIGKILL this bot replica once this share of all the messages has been sent, and start it again. */
  kill?: { replica: string; after: number };
  /** Conversations in flight at once. */
  concurrency?: number;
}

export interface ScenarioReport {
  conversations: number;
  /** Webhook calls made (redeliveries and double taps included, retries not). */
  messages: number;
  seconds: number;
  messages_per_s: number;
  p99_ms: number;
  /** Confirmed conversations whose request is missing, or that never saw their code. */
  lost: number;
  /** Extra requests, a code shown twice, a reply to an update already answered. */
  duplicates: number;
  /** Requests whose answers are not the ones the conversation gave (a step applied out of order or twice). */
  out_of_order: number;
  /** Double taps really in flight together (the second sent before the first was answered). */
  overlapped: number;
  /** Calls nginx could not complete (the killed replica) and that were sent again. */
  retried: number;
  problems: string[];
}

interface Person {
  chatId: number;
  name: string;
  year: number;
  commune: string;
  communeId: string;
  address: string;
  phone: string;
}

const COMMUNES = [
  ['tan hoa', 'tan-hoa'],
  ['long thanh', 'long-thanh'],
  ['phuoc dong', 'phuoc-dong'],
  ['my loc', 'my-loc'],
] as const;

const DONE_PREFIX = (() => {
  const intake = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../locales/vi/intake.json'), 'utf8')) as { done: { message: string } };
  return intake.done.message.split('<b>')[0]!;
})();
/** Webhook calls one conversation makes: 14 typed answers, the confirm tapped twice, the last answer. */
const MESSAGES_PER_CONVERSATION = 17;
// The summary's confirm button: the first option the summary offers (its label from the locale would tie this to wording).
const CONFIRM_INDEX = 0;

const letters = (i: number) => [0, 1, 2].map((k) => String.fromCharCode(65 + (Math.floor(i / 26 ** k) % 26))).join('');

function person(i: number, run: number): Person {
  const [commune, communeId] = COMMUNES[i % COMMUNES.length]!;
  return {
    chatId: 300_000 + run * 10_000 + i,
    name: `Nguyen Van ${letters(i + run * 1000)}`,
    year: 1925 + (i % 70),
    commune,
    communeId,
    address: `so ${i} ap ${run}-${i % 9}`,
    phone: `09${String(10_000_000 + run * 10_000 + i).slice(-8)}`,
  };
}

export async function runScenario(cluster: Cluster, fake: FakeTelegram, o: ScenarioOptions): Promise<ScenarioReport> {
  const run = Math.floor(Math.random() * 900);
  const replicas = cluster.bots().length;
  let updateId = 1_000_000 + run * 100_000;
  const latencies: number[] = [];
  const problems: string[] = [];
  let retried = 0;
  let overlapped = 0;
  let duplicates = 0;
  let messages = 0;

  /** Telegram's side: posts an update and, while the call fails (a replica died), sends it again. */
  async function post(update: Record<string, unknown>, replica: number): Promise<void> {
    messages++;
    if (o.kill && !killing && messages >= o.kill.after * MESSAGES_PER_CONVERSATION * people.length) killing = killAndRestart(o.kill.replica);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const status = await fetch(cluster.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
          // Telegram would send again to the same URL: a retry goes to whichever replica nginx picks.
          ...(attempt === 0 ? { [PIN_HEADER]: String(replica % replicas) } : {}),
        },
        body: JSON.stringify(update),
      }).then(
        async (r) => (await r.text(), r.status),
        () => 0,
      );
      if (status === 200) break;
      if (attempt > 100) throw new Error(`update ${String(update.update_id)} refused ${attempt} times (last ${status})`);
      retried++;
      await sleep(100);
    }
    latencies.push(performance.now() - started);
  }

  const chatOf = (chatId: number) => ({ id: chatId, type: 'private', first_name: 'An' });
  const from = (chatId: number) => ({ id: chatId, is_bot: false, first_name: 'An', language_code: 'vi' });
  const textUpdate = (chatId: number, text: string) => {
    const id = updateId++;
    return { update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: chatOf(chatId), from: from(chatId), text } };
  };
  const pressUpdate = (chatId: number, messageId: number, data: string) => {
    const id = updateId++;
    return {
      update_id: id,
      callback_query: { id: `cb${id}`, from: from(chatId), chat_instance: `ci${chatId}`, data, message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: chatOf(chatId), text: 'x' } },
    };
  };

  const people = Array.from({ length: o.conversations }, (_, i) => person(i, run));
  let killing: Promise<void> | undefined;
  const killAndRestart = async (name: string) => {
    await cluster.kill(name, 'SIGKILL');
    await sleep(500);
    await cluster.restart(name);
  };
  const soon = (() => {
    const d = new Date(Date.now() + 10 * 86_400_000 + 7 * 3_600_000);
    return `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
  })();

  async function converse(p: Person, i: number): Promise<void> {
    // Alternate replicas, each chat starting on a different one.
    let turn = i;
    const say = (text: string) => post(textUpdate(p.chatId, text), turn++);
    for (const text of ['/start', '1', '1', '2', '1']) await say(text);
    // Name, then year, each once the previous webhook call ended: Telegram sends a chat's next
    // update only when the call for the one before has returned (grammY's deployment guide), so
    // a year can never reach one replica while the name still waits unread on the other. Two
    // updates of one chat in flight at once are the double tap below (and the redelivery).
    await say(p.name);
    await say(String(p.year));
    await say('1');
    await say(p.commune);
    // The address is delivered once more, to the other replica, after it was answered.
    const address = textUpdate(p.chatId, p.address);
    await post(address, turn++);
    const before = fake.messagesTo(p.chatId).length;
    await post(address, turn++);
    messages--; // the redelivery is the same message
    if (fake.messagesTo(p.chatId).length !== before) {
      duplicates++;
      problems.push(`chat ${p.chatId}: a redelivered update was answered again`);
    }
    for (const text of [p.phone, '1,3', soon, '1']) await say(text);
    // The summary's confirm, tapped twice, on both replicas at once.
    const summary = [...fake.messagesTo(p.chatId)].reverse().find((m) => m.reply_markup?.inline_keyboard);
    const button = summary?.reply_markup?.inline_keyboard?.flat()[CONFIRM_INDEX];
    if (!summary || !button) {
      problems.push(`chat ${p.chatId}: no summary with buttons; last: ${fake.messagesTo(p.chatId).at(-1)?.text.slice(0, 200)}`);
      return;
    }
    let firstTapAnswered = false;
    const firstTap = post(pressUpdate(p.chatId, summary.message_id, button.callback_data), turn++).then(() => void (firstTapAnswered = true));
    const secondTap = post(pressUpdate(p.chatId, summary.message_id, button.callback_data), turn++);
    if (!firstTapAnswered) overlapped++;
    await Promise.all([firstTap, secondTap]);
    // "Follow this commune's sessions?" — no.
    await say('2');
  }

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency ?? o.conversations, o.conversations) }, async () => {
      while (next < people.length) {
        const i = next++;
        await converse(people[i]!, i);
      }
    }),
  );
  await killing;
  const seconds = (performance.now() - started) / 1000;

  // What is stored, against what each conversation said.
  const database = await openDatabase(cluster.databaseUrl);
  let lost = 0;
  let outOfOrder = 0;
  try {
    const { db, t } = database;
    const rows = await db
      .select()
      .from(t.requests)
      .where(inArray(t.requests.chatId, people.map((p) => String(p.chatId))));
    for (const p of people) {
      const mine = rows.filter((r) => r.chatId === String(p.chatId));
      const shown = fake.messagesTo(p.chatId).filter((m) => m.text.startsWith(DONE_PREFIX));
      if (mine.length === 0) {
        // The first such conversation in full (its replies, shortened): what went wrong where.
        const transcript = lost === 0 ? `; replies: ${fake.messagesTo(p.chatId).map((m) => m.text.slice(0, 40).replace(/\s+/g, ' ')).join(' | ')}` : '';
        lost++;
        problems.push(`chat ${p.chatId}: no request stored; last: ${fake.messagesTo(p.chatId).at(-1)?.text.slice(0, 200)}${transcript}`);
        continue;
      }
      if (mine.length > 1) {
        duplicates += mine.length - 1;
        problems.push(`chat ${p.chatId}: ${mine.length} requests (${mine.map((r) => r.code).join(', ')})`);
      }
      const r = mine[0]!;
      const codeShown = shown.filter((m) => m.text.includes(r.code)).length;
      if (codeShown === 0) {
        lost++;
        problems.push(`chat ${p.chatId}: its code ${r.code} was never shown`);
      } else if (shown.length > 1) {
        duplicates += shown.length - 1;
        problems.push(`chat ${p.chatId}: a code was shown ${shown.length} times`);
      }
      const wrong = [
        r.personName !== p.name && `name ${JSON.stringify(r.personName)}`,
        r.birthYear !== p.year && `year ${r.birthYear}`,
        r.communeId !== p.communeId && `commune ${r.communeId}`,
        !r.address?.startsWith(p.address) && `address ${JSON.stringify(r.address)}`,
        r.phone !== p.phone && `phone ${r.phone}`,
      ].filter(Boolean);
      if (wrong.length > 0) {
        outOfOrder++;
        problems.push(`chat ${p.chatId}: stored ${wrong.join(', ')}`);
      }
    }
  } finally {
    await database.close();
  }
  latencies.sort((a, b) => a - b);
  return {
    conversations: people.length,
    messages,
    seconds: Math.round(seconds * 10) / 10,
    messages_per_s: Math.round(messages / seconds),
    p99_ms: Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0),
    lost,
    duplicates,
    out_of_order: outOfOrder,
    overlapped,
    retried,
    problems,
  };
}
