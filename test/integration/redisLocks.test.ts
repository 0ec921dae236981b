import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Notice, NoticeComposer, Target } from '../../src/core/notices/compose.js';
import type { Delivery } from '../../src/delivery/deliver.js';
import { newFastFailRedis } from '../../src/db/redis.js';
import { freePort } from '../../src/main/privateRedis.js';
import { RedisLocks } from '../../src/db/redisCoordination.js';
import { Outbound, type OutboundDeps } from '../../src/jobs/outbound.js';
import type { Logger } from '../../src/log.js';
import { eventually } from '../helpers/stack.js';

// The connection the bot gives these locks (container.ts): fast-fail, on the run's real Redis.
const redis: Redis = newFastFailRedis(inject('redisUrl'), 1000);
afterAll(() => redis.disconnect());

/** A delivery that the test lets finish, one call at a time (while `hold`); counts the calls. */
class HeldDelivery {
  started = 0;
  hold = true;
  private releases: (() => void)[] = [];

  get waiting(): number {
    return this.releases.length;
  }

  finishOne(): void {
    this.releases.shift()?.();
  }

  asDelivery(): Delivery {
    return {
      lanes: () => undefined,
      deliver: async () => {
        this.started++;
        if (this.hold) await new Promise<void>((r) => this.releases.push(r));
        return { status: 'sent', messageId: 'm1' };
      },
    } as unknown as Delivery;
  }
}

/** The outbound worker's code with the card's own parts (its render, its chat) standing still. */
function outboundWith(delivery: HeldDelivery, prefix: string): Outbound {
  const target: Target = { to: { channel: 'memory', chatId: 'team-1', kind: 'group' }, reply: { text: [] }, messageId: null };
  const composer = { compose: async () => [target] } as unknown as NoticeComposer;
  const unused = {} as never;
  const deps: OutboundDeps = {
    composer,
    delivery: delivery.asDelivery(),
    pacer: unused,
    redis,
    prefix,
    queues: unused,
    cards: unused,
    staff: unused,
    clock: { now: () => Date.now() } as OutboundDeps['clock'],
    log: { error: () => undefined } as unknown as Logger,
  };
  return new Outbound(deps);
}

/** A job as BullMQ hands it to the worker; `delayed` counts the times it was put back to wait. */
function jobOf(n: Notice): Job<Notice> & { delayed: number } {
  const job = {
    data: n,
    delayed: 0,
    async moveToDelayed() {
      job.delayed++;
    },
    async updateData() {},
  };
  return job as unknown as Job<Notice> & { delayed: number };
}

describe('the fast-fail connection', () => {
  it('waits for its first connection (a command sent at once is answered), and fails at once when that cannot be had', async () => {
    const fresh = newFastFailRedis(inject('redisUrl'), 300);
    try {
      expect(await fresh.set(`t${randomUUID().slice(0, 8)}:x`, '1', 'PX', 1000, 'NX')).toBe('OK');
    } finally {
      fresh.disconnect();
    }
    const nobody = newFastFailRedis(`redis://127.0.0.1:${await freePort()}`, 300);
    try {
      const asked = Date.now();
      await expect(nobody.ping()).rejects.toThrow();
      await expect(nobody.ping()).rejects.toThrow();
      expect(Date.now() - asked).toBeLessThan(1000);
    } finally {
      nobody.disconnect();
    }
  });
});

describe('locks on Redis keys (SET NX PX with a token, freed only by their holder)', () => {
  it('a holder whose lock lapsed and went to another frees nothing of the new holder\'s', async () => {
    const locks = new RedisLocks(redis);
    const key = `t${randomUUID().slice(0, 8)}:lock:x`;
    const a = await locks.take(key, 50);
    expect(a).toBeDefined();
    expect(await locks.take(key, 50)).toBeUndefined();
    await eventually(() => redis.exists(key), (n) => n === 0, 2000);
    const b = await locks.take(key, 10_000);
    expect(b).toBeDefined();
    expect(await locks.release(key, a!)).toBe(false);
    // B still holds it: nobody else can take it.
    expect(await locks.take(key, 10_000)).toBeUndefined();
    expect(await locks.release(key, b!)).toBe(true);
    expect(await locks.take(key, 50)).toBeDefined();
  });

  it('a card delivery that ran past its lock does not free the lock of the delivery that took the card after it', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const held = new HeldDelivery();
    const outbound = outboundWith(held, prefix);
    const card: Notice = { kind: 'card', requestId: randomUUID(), round: 1 };

    const first = outbound.process(jobOf(card), 'tok-a');
    await eventually(() => held.waiting, (n) => n === 1, 5000);
    // The first delivery is slow (a network stall): its lock lapses, as 15 s would.
    const lockKeys = await redis.keys(`${prefix}:lock:card:*`);
    expect(lockKeys).toHaveLength(1);
    await redis.pexpire(lockKeys[0]!, 1);
    await eventually(() => redis.exists(lockKeys[0]!), (n) => n === 0, 2000);

    const second = outbound.process(jobOf(card), 'tok-b');
    await eventually(() => held.waiting, (n) => n === 2, 5000);
    held.finishOne();
    expect(await first).toBe('sent');

    // The second delivery is still running: a third must wait for it, not run beside it.
    held.hold = false;
    const thirdJob = jobOf(card);
    await expect(outbound.process(thirdJob, 'tok-c')).rejects.toThrow();
    expect(thirdJob.delayed).toBe(1);
    expect(await outbound.tryNow(card)).toBe(false);
    expect(held.started).toBe(2);

    held.finishOne();
    expect(await second).toBe('sent');
    // Once the second is done, the card is free again.
    expect(await outbound.process(jobOf(card), 'tok-d')).toBe('sent');
    expect(held.started).toBe(3);
  });
});
