import type { BroadcastRepository } from '../db/repositories/broadcasts.js';
import type { HandoffRepository } from '../db/repositories/handoffs.js';
import type { RequestRepository } from '../db/repositories/requests.js';
import type { Logger } from '../log.js';
import type { Clock } from '../services/clock.js';
import type { AssignmentService } from '../services/assignment.js';
import type { JobQueues } from './queues.js';

/**
 * The outbox: a request is committed first and enqueued second. If Redis was down (or the
 * process died) in between, this finds requests still "new" and enqueues them. The job id is
 * the request id and round, so a request enqueued twice is assigned once.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly requests: RequestRepository,
    private readonly queues: JobQueues,
    private readonly assignment: AssignmentService,
    private readonly handoffs: HandoffRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly graceMs = 3000,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), everyMs);
    this.timer.unref();
  }

  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let enqueued = 0;
    try {
      for (const r of await this.requests.waitingIds(this.clock.now() - this.graceMs)) {
        await this.queues.enqueueAssignment(r.id, r.round, r.priority);
        enqueued++;
      }
      // Questions and emergency reports of the last day that never reached the duty chat.
      const now = this.clock.now();
      for (const id of await this.handoffs.unposted(now - 24 * 3600_000, now - this.graceMs)) {
        await this.queues.postHandoff(id);
        enqueued++;
      }
      // Announcements still sending (their start job ids make this a no-op while they run).
      for (const id of await this.broadcasts.sendingIds()) await this.queues.startBroadcast(id);
      // Cards are posted within seconds; one missing for a minute had its job lost: re-issue it.
      for (const id of await this.requests.assignedWithoutCard(this.clock.now() - 60_000)) {
        await this.assignment.assign(id);
        enqueued++;
      }
    } catch (e) {
      this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'reconciler: queue not reachable, will retry');
    } finally {
      this.running = false;
    }
    return enqueued;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
