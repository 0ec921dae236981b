import { Queue } from 'bullmq';
import type { AdminEvent, AssignmentEffects, CitizenEvent, OfficerEvent, SlaKind } from '../services/assignment.js';
import type { HandoffDelivery } from '../services/handoff.js';
import type { BroadcastDelivery } from '../services/broadcast.js';
import type { Clock } from '../services/clock.js';
import type { CitizenRequest } from '../domain/request.js';
import { redisConnection } from './redis.js';

export const QUEUES = { assign: 'assign', outbound: 'outbound', sla: 'sla', maintenance: 'maintenance', broadcast: 'broadcast' } as const;

export type OutboundJob =
  | { kind: 'card'; requestId: string; round: number }
  | { kind: 'notify'; requestId: string; event: CitizenEvent; round?: number }
  | { kind: 'admin'; requestId: string; event: AdminEvent; round?: number }
  | { kind: 'officer'; requestId: string; round: number; officerId: string; event: OfficerEvent }
  | { kind: 'handoff'; id: string }
  /** `source`: the officer's own message, so a redelivered reply is sent once. */
  | { kind: 'answer'; id: string; source: string; text: string; officer: string };

export type BroadcastJob = { kind: 'start'; id: string } | { kind: 'batch'; id: string; batch: number } | { kind: 'progress'; id: string };

export interface SlaJob {
  requestId: string;
  kind: SlaKind;
  round: number;
}

/** The job id of an outbound effect: also the key that marks it done when delivered without a job. */
export function outboundId(data: OutboundJob, round: number): string {
  switch (data.kind) {
    case 'card':
      return `card.${data.requestId}.${data.round}`;
    case 'notify':
      return `notify.${data.requestId}.${round}.${data.event}`;
    case 'admin':
      return `admin.${data.requestId}.${round}.${data.event}`;
    case 'officer':
      return `officer.${data.requestId}.${data.round}.${data.officerId}.${data.event}`;
    case 'handoff':
      return `handoff.${data.id}`;
    case 'answer':
      return `answer.${data.id}.${data.source}`;
  }
}

// Finished jobs are kept a day: their ids are what makes a re-issued job a no-op.
const KEEP = { removeOnComplete: { age: 24 * 3600, count: 200_000 }, removeOnFail: { age: 7 * 24 * 3600 } };
const RETRY = { attempts: 12, backoff: { type: 'exponential' as const, delay: 500 } };

/**
 * The BullMQ queues, and the assignment effects written as jobs with deterministic ids: the
 * same effect issued twice (a retry, a second worker) is one job, so it happens once.
 */
export class JobQueues implements AssignmentEffects, HandoffDelivery, BroadcastDelivery {
  readonly assign: Queue;
  readonly outbound: Queue<OutboundJob>;
  readonly sla: Queue<SlaJob>;
  readonly maintenance: Queue;
  readonly broadcast: Queue<BroadcastJob>;

  constructor(
    redisUrl: string,
    readonly prefix: string,
    private readonly clock: Clock,
  ) {
    // Producers fail fast while Redis is down; the reconciler re-enqueues from the database.
    const connection = { ...redisConnection(redisUrl), enableOfflineQueue: false };
    const opts = { connection, prefix };
    this.assign = new Queue(QUEUES.assign, opts);
    this.outbound = new Queue<OutboundJob>(QUEUES.outbound, opts);
    this.sla = new Queue<SlaJob>(QUEUES.sla, opts);
    this.maintenance = new Queue(QUEUES.maintenance, opts);
    this.broadcast = new Queue<BroadcastJob>(QUEUES.broadcast, opts);
    for (const q of [this.assign, this.outbound, this.sla, this.maintenance, this.broadcast]) q.on('error', () => undefined);
  }

  async enqueueAssignment(requestId: string, round: number, priority: number): Promise<void> {
    // BullMQ: 1 is the highest priority; bedridden (0) → 1. Same priority: oldest first.
    await this.assign.add('assign', { requestId }, { jobId: `${requestId}.${round}`, priority: priority + 1, ...KEEP, ...RETRY });
  }

  async syncCard(requestId: string, round: number, version: string): Promise<void> {
    await this.outbound.add('card', { kind: 'card', requestId, round }, { jobId: `card.${requestId}.${round}.${version}`, ...KEEP, ...RETRY });
  }

  async notifyCitizen(r: Pick<CitizenRequest, 'id'>, event: CitizenEvent, round: number): Promise<void> {
    const data: OutboundJob = { kind: 'notify', requestId: r.id, event, round };
    await this.outbound.add('notify', data, { jobId: outboundId(data, round), ...KEEP, ...RETRY });
  }

  async notifyAdmin(requestId: string, event: AdminEvent, round: number): Promise<void> {
    const data: OutboundJob = { kind: 'admin', requestId, event, round };
    await this.outbound.add('admin', data, { jobId: outboundId(data, round), ...KEEP, ...RETRY });
  }

  async notifyOfficer(requestId: string, round: number, officerId: string, event: OfficerEvent): Promise<void> {
    const data: OutboundJob = { kind: 'officer', requestId, round, officerId, event };
    await this.outbound.add('officer', data, { jobId: outboundId(data, round), ...KEEP, ...RETRY });
  }

  async postHandoff(id: string): Promise<void> {
    const data: OutboundJob = { kind: 'handoff', id };
    // Emergencies and questions go ahead of everything else in the outbound queue.
    await this.outbound.add('handoff', data, { jobId: outboundId(data, 0), priority: 1, ...KEEP, ...RETRY });
  }

  async sendAnswer(id: string, source: string, text: string, officer: string): Promise<void> {
    const data: OutboundJob = { kind: 'answer', id, source, text, officer };
    await this.outbound.add('answer', data, { jobId: outboundId(data, 0), priority: 1, ...KEEP, ...RETRY });
  }

  async startBroadcast(id: string): Promise<void> {
    await this.broadcast.add('start', { kind: 'start', id }, { jobId: `bc.${id}.start`, ...KEEP, ...RETRY });
  }

  /** One job per batch of recipients; the same batch added twice is one job. */
  async broadcastBatches(id: string, count: number): Promise<void> {
    const jobs = Array.from({ length: count }, (_, batch) => ({
      name: 'batch',
      data: { kind: 'batch' as const, id, batch },
      opts: { jobId: `bc.${id}.${batch}`, ...KEEP, ...RETRY },
    }));
    for (let i = 0; i < jobs.length; i += 500) await this.broadcast.addBulk(jobs.slice(i, i + 500));
  }

  /** A progress edit; `tag` is a time bucket (at most one edit per bucket), 'start' or 'final'. */
  async broadcastProgress(id: string, tag: string, delayMs = 0): Promise<void> {
    // Progress goes ahead of the remaining batches, so the admin sees it move.
    await this.broadcast.add('progress', { kind: 'progress', id }, { jobId: `bc.${id}.p.${tag}`, priority: 1, delay: delayMs, ...KEEP, ...RETRY });
  }

  /** The batches see the cancelled status themselves; this shows it to the admin once they have stopped. */
  async stopBroadcast(id: string): Promise<void> {
    await this.broadcastProgress(id, 'final', 1500);
  }

  async scheduleSla(requestId: string, kind: SlaKind, round: number, at: number): Promise<void> {
    await this.scheduleSlas([{ requestId, kind, round, at }]);
  }

  /**
   * Several SLA checks in one call. Each delayed job added wakes every SLA worker (BullMQ moves
   * its "next delayed" marker), so a busy worker adds the checks of its jobs together.
   */
  async scheduleSlas(checks: (SlaJob & { at: number })[]): Promise<void> {
    const now = this.clock.now();
    await this.sla.addBulk(
      checks.map(({ requestId, kind, round, at }) => ({
        name: 'sla',
        data: { requestId, kind, round },
        opts: { jobId: `sla.${requestId}.${round}.${kind}`, delay: Math.max(0, at - now), ...KEEP, ...RETRY },
      })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.assign.close(), this.outbound.close(), this.sla.close(), this.maintenance.close(), this.broadcast.close()]);
  }
}
