import { setTimeout as sleep } from 'node:timers/promises';
import { type ChannelAdapter, SendFailure } from '../channels/adapter.js';
import { type Address, addressKey } from '../domain/address.js';
import type { Reply } from '../domain/reply.js';
import type { Clock, UnreachableStore } from '../core/ports.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { type Lane, lanesFor, type Pacer } from './pacer.js';

/**
 * How long a sender may wait inline. `direct`: an answer to someone who is waiting for it: a
 * Redis that does not answer costs at most a few hundred ms (then it goes out unpaced; the
 * platform's own 429 still protects us), a 429 or a network hiccup is retried a few times here.
 * `job`: the queue retries, so anything beyond one attempt is thrown back to it. `batch`: one
 * of many recipients of an announcement: a 429 is waited out here (re-running the batch would
 * cost more), a network error is retried a few times, then that recipient is given up.
 */
export type Patience = 'direct' | 'job' | 'batch';

export type DeliveryStatus = 'sent' | 'unchanged' | 'blocked' | 'unreachable' | 'window_closed' | 'no_channel';

export interface Delivered {
  status: DeliveryStatus;
  /** The platform's id of the last message sent (the one that carries the buttons). */
  messageId?: string;
}

/**
 * A send that failed for good (`permanent`: the platform refused this message, e.g. a deleted
 * chat) or for now (`transient`: retry later). Callers above delivery only ever see these.
 */
export class Undelivered extends Error {
  constructor(
    readonly kind: 'permanent' | 'transient',
    message: string,
  ) {
    super(message);
  }
}

/** The queue should try again later: after `afterMs`, all of this platform's sends (a 429) or this job. */
export class RetryLater extends Error {
  constructor(
    readonly afterMs: number,
    readonly rateLimited: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface DeliveryOptions {
  channels: (id: string) => ChannelAdapter | undefined;
  pacer: Pacer | undefined;
  unreachable: UnreachableStore;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
}

const RETRIES = 3;
/** A batch waits out this many 429s for one recipient before counting it as failed. */
const BATCH_RATE_RETRIES = 10;
/** A direct reply does not wait out a longer 429 (the platform wants a pause: the queue takes it). */
const DIRECT_MAX_RETRY_AFTER_MS = 30_000;

/**
 * The one send path, for direct replies and jobs alike: the shared pacer, the adapter's render
 * and send, and what each kind of refusal means (403 → the chat is unreachable, not retried;
 * 429 → wait as told; network and 5xx → retry with back-off; "not modified" → nothing to do).
 */
export class Delivery {
  constructor(private readonly o: DeliveryOptions) {}

  adapter(channel: string): ChannelAdapter | undefined {
    return this.o.channels(channel);
  }

  lanes(to: Address): Lane[] | undefined {
    const a = this.o.channels(to.channel);
    return a ? lanesFor(a, to) : undefined;
  }

  /**
   * Sends (or, with `messageId`, edits) one reply. `pace` replaces the default pacing (a job
   * that parks itself while its chat's slot is far off).
   */
  async deliver(to: Address, reply: Reply, o: { patience: Patience; messageId?: string | null; pace?: (lanes: Lane[]) => Promise<void> }): Promise<Delivered> {
    const adapter = this.o.channels(to.channel);
    if (!adapter) {
      this.o.log.warn({ channel: to.channel }, 'no such channel running: message not sent');
      return { status: 'no_channel' };
    }
    const key = addressKey(to);
    // Someone who just wrote is reachable (the inbound path cleared it); jobs skip blocked chats.
    if (o.patience !== 'direct' && (await this.o.unreachable.isUnreachable(key))) return { status: 'unreachable' };
    const lanes = lanesFor(adapter, to);
    const pace = o.pace ?? ((l: Lane[]) => this.pace(l, o.patience));
    const messages = adapter.render(reply);
    let messageId: string | undefined;
    try {
      if (o.messageId) {
        // An edit replaces the message whose id is kept: the last one, which carries the buttons.
        await pace(lanes);
        await this.attempt(adapter, o.patience, () => adapter.edit(to, o.messageId!, messages[messages.length - 1]));
        return { status: 'sent', messageId: o.messageId };
      }
      for (const m of messages) {
        await pace(lanes);
        messageId = await this.attempt(adapter, o.patience, () => adapter.send(to, m));
      }
      return { status: 'sent', messageId };
    } catch (e) {
      if (!(e instanceof SendFailure)) throw e;
      switch (e.kind) {
        case 'not_modified':
          return { status: 'unchanged', messageId: o.messageId ?? undefined };
        case 'blocked':
          // The person blocked the bot: retrying helps nobody, and nothing is sent there again
          // until they write.
          await this.o.unreachable.mark(key, this.o.clock.now());
          this.o.log.info({ chat: key }, 'chat unreachable (blocked the bot)');
          return { status: 'blocked' };
        case 'window_closed':
          return { status: 'window_closed' };
        case 'permanent':
          throw new Undelivered('permanent', e.message);
        default:
          throw new Undelivered('transient', e.message);
      }
    }
  }

  /** One platform call, with the retries this patience allows. */
  private async attempt<T>(adapter: ChannelAdapter, patience: Patience, call: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        const result = await call();
        this.o.metrics.repliesOut.inc({ channel: adapter.id });
        return result;
      } catch (e) {
        const f = e instanceof SendFailure ? e : new SendFailure('transient', e instanceof Error ? e.message : String(e));
        this.o.metrics.sendFailures.inc({ channel: adapter.id, kind: f.kind });
        if (f.kind === 'rate_limited') {
          const waitHere =
            (patience === 'direct' && f.retryAfterMs <= DIRECT_MAX_RETRY_AFTER_MS && n < RETRIES) || (patience === 'batch' && n < BATCH_RATE_RETRIES);
          if (!waitHere) throw new RetryLater(f.retryAfterMs, true, f.message);
          this.o.log.warn({ channel: adapter.id, retryAfterMs: f.retryAfterMs }, 'rate limited: waiting as told');
          await sleep(f.retryAfterMs);
          continue;
        }
        if (f.kind === 'transient' && patience !== 'job' && n < RETRIES) {
          await sleep(500 * 2 ** n);
          continue;
        }
        throw f;
      }
    }
  }

  /**
   * The shared pacing. Its Redis connection gives up within a few hundred ms (see
   * newFastFailRedis): without Redis a direct reply then goes out unpaced, while a job fails
   * and is retried by the queue.
   */
  private async pace(lanes: Lane[], patience: Patience): Promise<void> {
    const pacer = this.o.pacer;
    if (!pacer) return;
    if (patience !== 'direct') {
      await pacer.wait(lanes);
      return;
    }
    await pacer.wait(lanes).catch(() => undefined);
  }
}
