import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BroadcastStore, Clock, SubscriptionStore } from '../core/ports.js';
import type { ChannelId } from '../domain/address.js';
import { BATCH_SIZE, type Broadcast, type RecipientStatus } from '../domain/broadcast.js';
import { msg } from '../domain/message.js';
import type { Reply } from '../domain/reply.js';
import { type Delivery, RetryLater, Undelivered } from '../delivery/deliver.js';
import { type LuaScript, luaScript } from '../db/redis.js';
import type { Logger } from '../log.js';
import { type BroadcastJob, type JobQueues, QUEUES, type WorkerBase, workerOptions } from './queues.js';

/**
 * Per recipient, in Redis: 1 = being sent, 2 = sent, 3 = failed, 4 = blocked. Claiming sets 1
 * before the send; a batch retried after a crash finds the 1s and does not send them again
 * (at most once: the platform has no idempotency key, so "maybe sent" is never repeated).
 */
const CLAIM = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then return tonumber(v) end
redis.call('HSET', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], 604800)
return 0
`;
/** How often a batch looks whether the admin stopped the announcement. */
const CANCEL_CHECK_MS = 200;
const MARK: Record<number, RecipientStatus> = { 1: 'unknown', 2: 'sent', 3: 'failed', 4: 'blocked' };
const CODE: Partial<Record<RecipientStatus, number>> = { sent: 2, failed: 3, blocked: 4 };
/** The admin's progress message is edited at most this often (a group takes 20 messages a minute). */
const PROGRESS_EVERY_MS = 3000;

export interface BroadcasterDeps {
  broadcasts: BroadcastStore;
  subscriptions: SubscriptionStore;
  delivery: Delivery;
  queues: JobQueues;
  clock: Clock;
  log: Logger;
  unitName: string;
}

/**
 * Fan-out of announcements: a start job splits the fixed recipient list into batch jobs (one
 * BullMQ job per 50 recipients, deterministic ids), each batch sends through the shared Redis
 * pacer at the platform's rate, and the admin's progress message is edited as batches finish.
 */
export class Broadcaster {
  private readonly claim: LuaScript;

  constructor(
    private readonly d: BroadcasterDeps,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.claim = luaScript(redis, 'broadcastClaim', CLAIM);
  }

  private stateKey(id: string): string {
    return `${this.prefix}:bc:${id}:r`;
  }

  async process(job: Job<BroadcastJob>): Promise<void> {
    const data = job.data;
    const b = await this.d.broadcasts.byId(data.id);
    if (!b) return;
    if (data.kind === 'progress') return this.report(b);
    if (data.kind === 'start') {
      // The progress message exists before any batch runs, so later edits never race to create it.
      if (!b.report?.messageId) await this.report(b);
      await this.d.queues.broadcastBatches(b.id, Math.ceil(b.total / BATCH_SIZE));
      if (b.total === 0) await this.complete(b.id);
      return;
    }
    if (b.status !== 'sending') return;
    await this.batch(b, data.batch);
    const bucket = String(Math.floor(this.d.clock.now() / PROGRESS_EVERY_MS));
    if ((await this.d.broadcasts.pendingCount(b.id)) === 0) await this.complete(b.id);
    else await this.d.queues.broadcastProgress(b.id, bucket);
  }

  private async complete(id: string): Promise<void> {
    if (await this.d.broadcasts.finish(id, 'done', this.d.clock.now())) await this.d.queues.broadcastProgress(id, 'final');
  }

  private async batch(b: Broadcast, k: number): Promise<void> {
    const outcomes = new Map<RecipientStatus, number[]>();
    const note = (status: RecipientStatus, seq: number) => outcomes.set(status, [...(outcomes.get(status) ?? []), seq]);
    const reply = this.replyOf(b);
    try {
      let checkedAt = Date.now();
      for (const r of await this.d.broadcasts.recipients(b.id, k * BATCH_SIZE, (k + 1) * BATCH_SIZE)) {
        if (r.status !== 'pending') continue;
        if (Date.now() - checkedAt > CANCEL_CHECK_MS) {
          checkedAt = Date.now();
          // Stopped by the admin: the rest stay pending, never sent.
          if ((await this.d.broadcasts.byId(b.id))?.status !== 'sending') break;
        }
        const claimed = Number(await this.claim([this.stateKey(b.id)], [String(r.seq)]));
        if (claimed > 0) {
          note(MARK[claimed] ?? 'unknown', r.seq);
          continue;
        }
        const { status, messageId } = await this.sendOne(r.channel, r.chatId, reply);
        // Where the platform reports "received" and "seen", those reports name this id.
        if (messageId && this.d.delivery.adapter(r.channel)?.caps.receipts) await this.d.broadcasts.setMessageId(b.id, r.seq, messageId);
        await this.redis.hset(this.stateKey(b.id), String(r.seq), String(CODE[status] ?? 3));
        note(status, r.seq);
      }
    } finally {
      // Whatever happened, what was done so far is recorded; the retried batch skips it.
      await this.d.broadcasts.settle(b.id, outcomes);
    }
  }

  private async sendOne(channel: ChannelId, chatId: string, reply: Reply): Promise<{ status: RecipientStatus; messageId?: string }> {
    try {
      const r = await this.d.delivery.deliver({ channel, chatId, kind: 'private' }, reply, { patience: 'batch' });
      if (r.status === 'sent' || r.status === 'unchanged') return { status: 'sent', messageId: r.messageId };
      // Blocked the bot: no more announcements to this chat.
      if (r.status === 'blocked' || r.status === 'unreachable') {
        await this.d.subscriptions.unsubscribe(channel, chatId);
        return { status: 'blocked' };
      }
      return { status: 'failed' };
    } catch (e) {
      if (e instanceof Undelivered || e instanceof RetryLater) return { status: 'failed' };
      throw e;
    }
  }

  private replyOf(b: Broadcast): Reply {
    const c = b.content;
    if ('key' in c) return { text: [msg(c.key, c.params)] };
    return { text: [msg('broadcast:announcement', { unit: this.d.unitName, text: c.text })], photo: b.photo ?? undefined };
  }

  /** Sends the progress message the first time, then edits it in place. */
  private async report(b: Broadcast): Promise<void> {
    if (!b.report) return;
    const to = { channel: b.report.channel, chatId: b.report.chatId, kind: this.d.delivery.adapter(b.report.channel)?.kindOf(b.report.chatId) ?? 'private' } as const;
    const reply: Reply = {
      text: [
        msg(`broadcast:progress.${b.status}`, { sent: vn(b.sent), total: vn(b.total), failed: vn(b.failed), blocked: vn(b.blocked) }),
      ],
      options: b.status === 'sending' ? [{ id: `bc:stop:${b.id}`, label: msg('broadcast:stop_button') }] : undefined,
    };
    const r = await this.d.delivery.deliver(to, reply, { patience: 'job', messageId: b.report.messageId });
    if (!b.report.messageId && r.status === 'sent') await this.d.broadcasts.setReportMessage(b.id, r.messageId);
  }
}

/** The announcements' worker: start, batches and progress edits. */
export function broadcastWorker(b: Broadcaster, o: WorkerBase, concurrency: number): Worker<BroadcastJob> {
  return new Worker<BroadcastJob>(QUEUES.broadcast, (job) => b.process(job), workerOptions(o, concurrency));
}

/** 1240 → "1.240", as numbers are written in Vietnam. */
function vn(n: number): string {
  return n.toLocaleString('vi-VN');
}
