import { type ConnectionOptions, Queue, type WorkerOptions } from 'bullmq';
import type { AdminEvent, CitizenEvent, Clock, FollowUps, OfficerEvent, SlaKind, TeamEvent } from '../core/ports.js';
import { type Notice, noticeId } from '../core/notices/compose.js';
import type { CitizenRequest } from '../domain/request.js';
import type { JobSpec, OutboxRepository } from '../db/repositories/outbox.js';
import { redisConnection } from '../db/redis.js';
import type { Logger } from '../log.js';
import { Batcher } from '../db/batch.js';

export const QUEUES = { assign: 'assign', outbound: 'outbound', sla: 'sla', maintenance: 'maintenance', broadcast: 'broadcast' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export type BroadcastJob = { kind: 'start'; id: string } | { kind: 'batch'; id: string; batch: number } | { kind: 'progress'; id: string };

export interface SlaJob {
  requestId: string;
  kind: SlaKind;
  round: number;
}

/** What every worker of a process shares: the connection, the key prefix, how long a claim lasts. */
export interface WorkerBase {
  connection: ConnectionOptions;
  prefix: string;
  /** A worker that died frees its jobs after this. */
  lockMs: number;
}

export function workerOptions(o: WorkerBase, concurrency = 1): WorkerOptions {
  return { connection: o.connection, prefix: o.prefix, concurrency, lockDuration: o.lockMs, stalledInterval: o.lockMs, autorun: true };
}

// Finished jobs are kept a day: their ids are what makes a re-issued job a no-op.
const KEEP = { removeOnComplete: { age: 24 * 3600, count: 200_000 }, removeOnFail: { age: 7 * 24 * 3600 } };
/**
 * Outbound jobs may carry words meant for a person (an officer's answer): gone once sent (the
 * sent marks, not the finished jobs, keep a notice from going out twice), and a failed one kept
 * a day for whoever looks into it.
 */
const SENT_AND_GONE = { removeOnComplete: true, removeOnFail: { age: 24 * 3600 } };
const RETRY = { attempts: 12, backoff: { type: 'exponential' as const, delay: 500 } };
/**
 * What the assignment worker says first about a request (given to a team, being arranged, on the
 * wait list) waits this long: the worker decides within milliseconds of the confirm, and its
 * notice would otherwise often reach the person before the confirm's own "received, your code
 * is …", which is still on its way (a slow platform, the chat's pace). Read the wrong way round,
 * an old person thinks the request went wrong.
 */
const FIRST_OUTCOME_DELAY_MS = 2000;
const FIRST_OUTCOMES: readonly CitizenEvent[] = ['assigned', 'unassigned', 'waitlisted'];

/** Delivers a notice at once when nothing is in the way (false: queue it). */
export type DeliverNow = (n: Notice, known?: CitizenRequest) => Promise<boolean>;

/**
 * The queues, as the producer side sees them, and the follow-ups written as jobs with
 * deterministic ids: the same follow-up issued twice (a retry, a second worker) is one job, so it
 * happens once. A job that cannot be queued (Redis down, or none) goes to the database outbox
 * and is queued by the reconciler later: no follow-up is lost to a Redis outage.
 */
export class JobQueues implements FollowUps {
  readonly queues: Record<QueueName, Queue> | undefined;
  private deliverNow: DeliverNow | undefined;
  // The SLA checks of changes made within 20 ms go to Redis together: every delayed job added
  // wakes every SLA worker (BullMQ moves its "next delayed" marker). Each caller still waits
  // until its own check is stored.
  private readonly slaChecks: Batcher<JobSpec>;

  constructor(
    redisUrl: string | undefined,
    readonly prefix: string,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    if (redisUrl) {
      // Producers fail fast while Redis is down; the outbox keeps what could not be queued.
      const opts = { connection: { ...redisConnection(redisUrl), enableOfflineQueue: false }, prefix };
      this.queues = Object.fromEntries(Object.values(QUEUES).map((name) => [name, new Queue(name, opts)])) as Record<QueueName, Queue>;
      for (const q of Object.values(this.queues)) q.on('error', () => undefined);
    }
    this.slaChecks = new Batcher((specs) => this.addMany(specs), 20, 100);
  }

  /** A queue runs (there is a Redis; whether it answers right now is another matter). */
  get connected(): boolean {
    return this.queues !== undefined;
  }

  queue(name: QueueName): Queue {
    if (!this.queues) throw new Error('no Redis: the queues are not running');
    return this.queues[name];
  }

  /** Notices that can go out at once are sent by the caller's process (a worker, say). */
  useDeliverNow(f: DeliverNow): void {
    this.deliverNow = f;
  }

  /** Queues a job, or keeps it in the outbox when Redis does not take it. Never throws for Redis. */
  async add(spec: JobSpec): Promise<void> {
    return this.addMany([spec]);
  }

  private async addMany(specs: JobSpec[]): Promise<void> {
    if (specs.length === 0) return;
    try {
      if (!this.queues) throw new Error('no Redis');
      const byQueue = new Map<string, JobSpec[]>();
      for (const s of specs) byQueue.set(s.queue, [...(byQueue.get(s.queue) ?? []), s]);
      for (const [name, list] of byQueue) {
        const q = this.queues[name as QueueName];
        if (list.length === 1) await q.add(list[0]!.name, list[0]!.data, list[0]!.opts);
        else await q.addBulk(list.map((s) => ({ name: s.name, data: s.data, opts: s.opts })));
      }
    } catch (e) {
      for (const s of specs) await this.outbox.add(s, this.clock.now());
      this.log.warn({ err: e instanceof Error ? e.message : String(e), jobs: specs.length }, 'queue unavailable: follow-ups kept in the database outbox');
    }
  }

  private outbound(n: Notice, version?: string, priority?: number): JobSpec {
    const id = version ? `${noticeId(n)}.${version}` : noticeId(n);
    return { queue: QUEUES.outbound, name: n.kind, data: n, opts: { jobId: id, ...(priority ? { priority } : {}), ...SENT_AND_GONE, ...RETRY } };
  }

  private async notice(n: Notice, spec: JobSpec, known?: CitizenRequest): Promise<void> {
    if (this.deliverNow && (await this.deliverNow(n, known))) return;
    await this.add(spec);
  }

  enqueueAssignment(requestId: string, round: number, priority: number): Promise<void> {
    // BullMQ: 1 is the highest priority; bedridden (0) → 1. Same priority: oldest first.
    return this.add({ queue: QUEUES.assign, name: 'assign', data: { requestId }, opts: { jobId: `${requestId}.${round}`, priority: priority + 1, ...KEEP, ...RETRY } });
  }

  syncCard(requestId: string, round: number, version: string): Promise<void> {
    const n: Notice = { kind: 'card', requestId, round };
    return this.notice(n, this.outbound(n, version));
  }

  notifyCitizen(r: CitizenRequest, event: CitizenEvent, round: number, tag?: string): Promise<void> {
    const n: Notice = tag ? { kind: 'notify', requestId: r.id, event, round, tag } : { kind: 'notify', requestId: r.id, event, round };
    const spec = this.outbound(n);
    if (round === 0 && FIRST_OUTCOMES.includes(event)) return this.add({ ...spec, opts: { ...spec.opts, delay: FIRST_OUTCOME_DELAY_MS } });
    return this.notice(n, spec, r);
  }

  notifyAdmin(requestId: string, event: AdminEvent, round: number): Promise<void> {
    return this.add(this.outbound({ kind: 'admin', requestId, event, round }));
  }

  notifyOfficer(requestId: string, round: number, staffId: string, event: OfficerEvent): Promise<void> {
    return this.add(this.outbound({ kind: 'officer', requestId, round, staffId, event }));
  }

  notifyTeam(requestId: string, round: number, event: TeamEvent): Promise<void> {
    return this.add(this.outbound({ kind: 'team', requestId, round, event }));
  }

  postHandoff(id: string): Promise<void> {
    // Emergencies and questions go ahead of everything else in the outbound queue.
    return this.add(this.outbound({ kind: 'handoff', id }, undefined, 1));
  }

  refreshHandoff(id: string, tag: string, delayMs: number): Promise<void> {
    // Behind every first report (priority 1): one chat's repeats never delay another's alarm.
    const spec = this.outbound({ kind: 'handoff_update', id }, tag, 10);
    return this.add({ ...spec, opts: { ...spec.opts, delay: delayMs } });
  }

  sendAnswer(id: string, source: string, text: string, officer: string): Promise<void> {
    return this.add(this.outbound({ kind: 'answer', id, source, text, officer }, undefined, 1));
  }

  startBroadcast(id: string): Promise<void> {
    return this.add({ queue: QUEUES.broadcast, name: 'start', data: { kind: 'start', id }, opts: { jobId: `bc.${id}.start`, ...KEEP, ...RETRY } });
  }

  /** One job per batch of recipients; the same batch added twice is one job. */
  async broadcastBatches(id: string, count: number): Promise<void> {
    const jobs = Array.from({ length: count }, (_, batch): JobSpec => ({
      queue: QUEUES.broadcast,
      name: 'batch',
      data: { kind: 'batch', id, batch },
      opts: { jobId: `bc.${id}.${batch}`, ...KEEP, ...RETRY },
    }));
    for (let i = 0; i < jobs.length; i += 500) await this.addMany(jobs.slice(i, i + 500));
  }

  /** A progress edit; `tag` is a time bucket (at most one edit per bucket), 'start' or 'final'. */
  broadcastProgress(id: string, tag: string, delayMs = 0): Promise<void> {
    // Progress goes ahead of the remaining batches, so the admin sees it move.
    return this.add({ queue: QUEUES.broadcast, name: 'progress', data: { kind: 'progress', id }, opts: { jobId: `bc.${id}.p.${tag}`, priority: 1, delay: delayMs, ...KEEP, ...RETRY } });
  }

  /** The batches see the cancelled status themselves; this shows it to the admin once they have stopped. */
  stopBroadcast(id: string): Promise<void> {
    return this.broadcastProgress(id, 'final', 1500);
  }

  scheduleSla(requestId: string, kind: SlaKind, round: number, at: number): Promise<void> {
    const spec: JobSpec = {
      queue: QUEUES.sla,
      name: 'sla',
      data: { requestId, kind, round } satisfies SlaJob,
      opts: { jobId: `sla.${requestId}.${round}.${kind}`, delay: Math.max(0, at - this.clock.now()), ...KEEP, ...RETRY },
    };
    return this.slaChecks.add(spec);
  }

  async close(): Promise<void> {
    if (this.queues) await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
