import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisLocks } from '../db/redisCoordination.js';
import { type Notice, type NoticeComposer, noticeId, type Target } from '../core/notices/compose.js';
import type { CardStore, Clock } from '../core/ports.js';
import type { StaffService } from '../core/teams/service.js';
import { addressKey } from '../domain/address.js';
import type { CitizenRequest } from '../domain/request.js';
import { type Delivery, RetryLater, Undelivered } from '../delivery/deliver.js';
import type { Lane, Pacer } from '../delivery/pacer.js';
import type { Logger } from '../log.js';
import { type JobQueues, QUEUES, type WorkerBase, workerOptions } from './queues.js';

/** Waits this long in the worker; longer waits park the job as delayed so the slot is not held. */
const MAX_INLINE_WAIT_MS = 1500;
const CARD_LOCK_MS = 15_000;
const SENT_MARK_SECONDS = 7 * 24 * 3600;

export interface OutboundDeps {
  composer: NoticeComposer;
  delivery: Delivery;
  pacer: Pacer;
  redis: Redis;
  prefix: string;
  queues: JobQueues;
  cards: CardStore;
  staff: StaffService;
  clock: Clock;
  log: Logger;
}

/**
 * Every message that is not a direct answer: cards, notices, questions to the duty chat. A job
 * composes the notice from the database as it is now and delivers each of its targets once (a
 * mark per target in Redis), so a retried job repeats nothing that went out.
 */
export class Outbound {
  private readonly locks: RedisLocks;

  constructor(private readonly d: OutboundDeps) {
    this.locks = new RedisLocks(d.redis);
  }

  async process(job: Job<Notice & { slotAt?: number }>, token?: string): Promise<string> {
    const n = job.data;
    const held = await this.lock(n);
    if (held === false) {
      await job.moveToDelayed(Date.now() + 100, token);
      throw new DelayedError();
    }
    try {
      const targets = await this.d.composer.compose(n);
      // A relative's quiet hours: the job waits, delayed, until their morning (held, not dropped).
      const hold = Math.max(0, ...targets.map((t) => (t.notBefore ?? 0) - this.d.clock.now()));
      if (hold > 0) {
        await job.moveToDelayed(Date.now() + hold, token);
        throw new DelayedError();
      }
      let result = 'skipped';
      for (const t of targets) {
        const mark = this.sentKey(n, t);
        if (mark && (await this.d.redis.exists(mark)) === 1) continue;
        result = await this.deliver(n, t, (lanes) => this.pace(job, token, lanes));
        if (mark) await this.d.redis.set(mark, '1', 'EX', SENT_MARK_SECONDS);
      }
      return result;
    } catch (e) {
      if (e instanceof RetryLater && e.rateLimited) {
        await this.d.queues.queue(QUEUES.outbound).rateLimit(e.afterMs);
        throw Worker.RateLimitError();
      }
      if (e instanceof Undelivered && e.kind === 'permanent') {
        if (n.kind === 'card') {
          // The card message is gone (deleted in the group): post it again on the retry.
          await this.d.cards.setMessage(n, null, this.d.clock.now());
          throw e;
        }
        throw new UnrecoverableError(e.message);
      }
      throw e;
    } finally {
      if (held) await this.locks.release(held.key, held.token);
    }
  }

  /**
   * Delivers now, without a job, if nothing is in the way: the chat's and the bot's lanes are
   * free this instant, no other delivery of this card is running, and the send succeeds. False
   * means "queue it": the caller adds the job, which waits, paces and retries as usual.
   * `known`: the request as the caller has it, for messages about it (never for cards: a card is
   * rendered from the state read under its lock, or a late render could undo a newer edit).
   */
  async tryNow(n: Notice, known?: CitizenRequest): Promise<boolean> {
    const held = await this.lock(n).catch(() => false as const);
    if (held === false) return false;
    try {
      const targets = await this.d.composer.compose(n, known);
      if (targets.length !== 1) return targets.length === 0;
      const t = targets[0]!;
      if (t.notBefore !== undefined && t.notBefore > this.d.clock.now()) return false;
      const lanes = this.d.delivery.lanes(t.to);
      if (!lanes) return true;
      // One round trip: "sent before?" and "is the slot free?".
      const wait = await this.d.pacer.reserveIfFree(lanes, this.sentKey(n, t));
      if (wait < 0) return true;
      if (wait > 0) return false;
      await this.deliver(n, t, async () => undefined);
      const mark = this.sentKey(n, t);
      if (mark) await this.d.redis.set(mark, '1', 'EX', SENT_MARK_SECONDS);
      return true;
    } catch {
      return false;
    } finally {
      if (held) await this.locks.release(held.key, held.token).catch(() => undefined);
    }
  }

  private async deliver(n: Notice, t: Target, pace: (lanes: Lane[]) => Promise<void>): Promise<string> {
    try {
      const r = await this.d.delivery.deliver(t.to, t.reply, { patience: 'job', messageId: t.messageId, pace });
      if (r.status === 'sent' && !t.messageId) await t.onSent?.(r.messageId);
      if ((r.status === 'blocked' || r.status === 'unreachable' || r.status === 'no_channel') && isForDuty(n)) return this.toCommanders(n, t);
      return r.status;
    } catch (e) {
      // The duty chat is gone (the bot was removed, a wrong id): an emergency must still reach
      // a person, so every commander gets it in their own chat.
      if (e instanceof Undelivered && e.kind === 'permanent' && isForDuty(n)) return this.toCommanders(n, t);
      throw e;
    }
  }

  private async toCommanders(n: Notice, t: Target): Promise<string> {
    const to = (await this.d.staff.commanderAddresses()).filter((a) => addressKey(a) !== addressKey(t.to));
    this.d.log.error({ kind: n.kind, commanders: to.length }, 'duty chat unreachable: sent to the commanders directly');
    let reached = 0;
    for (const a of to) {
      const mark = `${this.d.prefix}:sent:${noticeId(n)}:${addressKey(a)}`;
      if ((await this.d.redis.exists(mark)) === 1) continue;
      const r = await this.d.delivery.deliver(a, t.reply, { patience: 'job' }).catch(() => undefined);
      if (r?.status === 'sent') {
        reached++;
        await this.d.redis.set(mark, '1', 'EX', SENT_MARK_SECONDS);
      }
    }
    return reached > 0 ? 'sent to commanders' : 'not delivered';
  }

  /**
   * Two deliveries of one card must not both find "no message yet" and post twice. False: another
   * delivery holds the card; undefined: nothing to lock. A delivery slower than the lock frees
   * only its own lock, never the one the next delivery took after it lapsed.
   */
  private async lock(n: Notice): Promise<{ key: string; token: string } | undefined | false> {
    if (n.kind !== 'card') return undefined;
    const key = `${this.d.prefix}:lock:card:${n.requestId}.${n.round}`;
    const token = await this.locks.take(key, CARD_LOCK_MS);
    return token ? { key, token } : false;
  }

  // Cards are idempotent by their stored message id; messages need a mark of their own, so that a
  // notice sent without a job is not sent again by a job (or a retried assignment).
  private sentKey(n: Notice, t: Target): string | undefined {
    if (n.kind === 'card') return undefined;
    return `${this.d.prefix}:sent:${noticeId(n)}:${addressKey(t.to)}`;
  }

  private async pace(job: Job<Notice & { slotAt?: number }>, token: string | undefined, lanes: Lane[]): Promise<void> {
    const slotAt = job.data.slotAt;
    if (slotAt !== undefined && Date.now() >= slotAt - 20) return this.d.pacer.waitShared(lanes);
    const wait = await this.d.pacer.wait(lanes, MAX_INLINE_WAIT_MS);
    if (wait > 0) {
      // The chat's slot is far off: park the job instead of holding a worker slot.
      await job.updateData({ ...job.data, slotAt: Date.now() + wait });
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
  }
}

function isForDuty(n: Notice): boolean {
  return n.kind === 'handoff' || n.kind === 'admin';
}

/** The outbound queue's worker: each job is one notice, composed now and delivered once. */
export function outboundWorker(outbound: Outbound, o: WorkerBase, concurrency: number): Worker<Notice> {
  return new Worker<Notice>(QUEUES.outbound, (job, token) => outbound.process(job, token), workerOptions(o, concurrency));
}
