import type { AssignmentService } from '../core/assignment/service.js';
import type { BroadcastStore, Clock, HandoffStore, RequestStore } from '../core/ports.js';
import type { OutboxRepository } from '../db/repositories/outbox.js';
import type { Logger } from '../log.js';
import { type JobQueues, QUEUES } from './queues.js';

const OUTBOX_BATCH = 500;

/**
 * The outbox: the database is the truth and the queue catches up. This queues what was kept
 * while Redis was down, requests still "new" (committed, never queued), questions never posted
 * and announcements still sending; job ids make every one of these a no-op when it was queued
 * already.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly d: {
      requests: RequestStore;
      handoffs: HandoffStore;
      broadcasts: BroadcastStore;
      outbox: OutboxRepository;
      queues: JobQueues;
      assignment: AssignmentService;
      clock: Clock;
      log: Logger;
    },
    private readonly graceMs = 3000,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), everyMs);
    this.timer.unref();
  }

  async runOnce(): Promise<number> {
    if (this.running || !this.d.queues.connected) return 0;
    this.running = true;
    let enqueued = 0;
    const { queues, clock } = this.d;
    try {
      enqueued += await this.drainOutbox();
      for (const r of await this.d.requests.waitingIds(clock.now() - this.graceMs)) {
        await queues.queue(QUEUES.assign).add('assign', { requestId: r.id }, { jobId: `${r.id}.${r.round}`, priority: r.priority + 1, attempts: 12, backoff: { type: 'exponential', delay: 500 } });
        enqueued++;
      }
      // Questions and emergency reports of the last day that never reached the duty chat.
      const now = clock.now();
      for (const id of await this.d.handoffs.unposted(now - 24 * 3600_000, now - this.graceMs)) {
        await queues.postHandoff(id);
        enqueued++;
      }
      // Announcements still sending (their start job ids make this a no-op while they run).
      for (const id of await this.d.broadcasts.sendingIds()) await queues.startBroadcast(id);
      // Cards are posted within seconds; one missing for a minute had its job lost: re-issue it.
      for (const id of await this.d.requests.assignedWithoutCard(clock.now() - 60_000)) {
        await this.d.assignment.assign(id);
        enqueued++;
      }
    } catch (e) {
      this.d.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'reconciler: queue not reachable, will retry');
    } finally {
      this.running = false;
    }
    return enqueued;
  }

  /** Queues what the outbox kept; a row leaves the outbox only once its job is in Redis. */
  private async drainOutbox(): Promise<number> {
    let moved = 0;
    for (;;) {
      const rows = await this.d.outbox.oldest(OUTBOX_BATCH);
      if (rows.length === 0) return moved;
      for (const r of rows) {
        await this.d.queues.queue(r.queue as (typeof QUEUES)[keyof typeof QUEUES]).add(r.name, r.data, r.opts);
      }
      await this.d.outbox.remove(rows.map((r) => r.id));
      moved += rows.length;
      if (rows.length < OUTBOX_BATCH) return moved;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
