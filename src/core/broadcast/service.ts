import type { Audience, Broadcast, NewBroadcast } from '../../domain/broadcast.js';
import type { AuditLog, BroadcastStore, Clock, FollowUps } from '../ports.js';

/**
 * Announcements: the admin's, and the bot's own (reminders, moved or cancelled sessions). The
 * record and its recipients are committed before the fan-out starts; if the queue is down then,
 * the reconciler starts it later. The same id sent twice is one announcement.
 */
export class BroadcastService {
  constructor(
    private readonly repo: BroadcastStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly jobs: FollowUps,
    /** Whether a queue runs now (else the announcement waits for one). */
    private readonly queueRuns: () => boolean,
  ) {}

  get available(): boolean {
    return this.queueRuns();
  }

  preview(audience: Audience): Promise<number> {
    return this.repo.countAudience(audience);
  }

  async send(b: NewBroadcast): Promise<Broadcast> {
    const now = this.clock.now();
    if (await this.repo.create(b, now)) await this.audit.record(b.createdBy, 'broadcast_sent', b.id, now);
    // Without a queue now, the reconciler starts it once there is one (it is "sending" in the database).
    await this.jobs.startBroadcast(b.id);
    return (await this.repo.byId(b.id))!;
  }

  /** Stops a running announcement; those not reached yet are not sent to. */
  async cancel(id: string, actor: string): Promise<'cancelled' | 'not_running'> {
    if (!(await this.repo.finish(id, 'cancelled', this.clock.now()))) return 'not_running';
    await this.audit.record(actor, 'broadcast_cancelled', id, this.clock.now());
    await this.jobs.stopBroadcast(id);
    return 'cancelled';
  }

  /** The record: the latest announcements, newest first. */
  latest(limit: number): Promise<Broadcast[]> {
    return this.repo.latest(limit);
  }

  runningBy(createdBy: string): Promise<string | undefined> {
    return this.repo.runningBy(createdBy);
  }

  byId(id: string): Promise<Broadcast | undefined> {
    return this.repo.byId(id);
  }
}
