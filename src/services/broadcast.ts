import type { AuditRepository } from '../db/repositories/audit.js';
import type { BroadcastRepository, NewBroadcast } from '../db/repositories/broadcasts.js';
import type { Audience, Broadcast } from '../domain/broadcast.js';
import type { Clock } from './clock.js';

/** Starts and stops the fan-out (implemented by the broadcast queue). */
export interface BroadcastDelivery {
  startBroadcast(id: string): Promise<void>;
  stopBroadcast(id: string): Promise<void>;
}

/**
 * Announcements: the admin's, and the bot's own (reminders, moved or cancelled sessions). The
 * record and its recipients are committed before the fan-out starts; if the queue is down then,
 * the reconciler starts it later. The same id sent twice is one announcement.
 */
export class BroadcastService {
  private delivery: BroadcastDelivery | undefined;

  constructor(
    private readonly repo: BroadcastRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly onStartFailed: (id: string, e: unknown) => void,
  ) {}

  useDelivery(d: BroadcastDelivery): void {
    this.delivery = d;
  }

  get available(): boolean {
    return this.delivery !== undefined;
  }

  preview(audience: Audience): Promise<number> {
    return this.repo.countAudience(audience);
  }

  async send(b: NewBroadcast): Promise<Broadcast> {
    const now = this.clock.now();
    if (await this.repo.create(b, now)) await this.audit.record(b.createdBy, 'broadcast_sent', b.id, now);
    try {
      if (!this.delivery) throw new Error('no queue: the announcement waits for one');
      await this.delivery.startBroadcast(b.id);
    } catch (e) {
      this.onStartFailed(b.id, e);
    }
    return (await this.repo.byId(b.id))!;
  }

  /** Stops a running announcement; those not reached yet are not sent to. */
  async cancel(id: string, actor: string): Promise<'cancelled' | 'not_running'> {
    if (!(await this.repo.finish(id, 'cancelled', this.clock.now()))) return 'not_running';
    await this.audit.record(actor, 'broadcast_cancelled', id, this.clock.now());
    await this.delivery?.stopBroadcast(id);
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
