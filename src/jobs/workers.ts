import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type ChannelSender, SendFailure } from '../channels/sender.js';
import { formatVnDate } from '../domain/dates.js';
import { msg } from '../domain/message.js';
import type { Channel } from '../domain/request.js';
import type { CardRepository } from '../db/repositories/cards.js';
import type { DialogStateRepository } from '../db/repositories/dialogStates.js';
import type { RequestRepository } from '../db/repositories/requests.js';
import type { TeamRepository } from '../db/repositories/teams.js';
import type { UnreachableRepository } from '../db/repositories/unreachable.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import { adminMessage, renderCard } from '../dialogs/card.js';
import type { Reply } from '../dialogs/types.js';
import type { Logger } from '../log.js';
import type { AreaService } from '../services/areas.js';
import type { AssignmentService } from '../services/assignment.js';
import type { Clock } from '../services/clock.js';
import { Pacer } from './pacer.js';
import { type JobQueues, type OutboundJob, QUEUES, type SlaJob } from './queues.js';
import { newRedis, redisConnection } from './redis.js';

export interface WorkerDeps {
  redisUrl: string;
  queues: JobQueues;
  clock: Clock;
  log: Logger;
  assignment: AssignmentService;
  repos: {
    requests: RequestRepository;
    cards: CardRepository;
    teams: TeamRepository;
    unreachable: UnreachableRepository;
    states: DialogStateRepository;
    audit: AuditRepository;
  };
  areas: AreaService;
  senders: Partial<Record<Channel, ChannelSender>>;
  adminChat?: { channel: Channel; chatId: string };
  unit: { name: string; phone: string };
  maxContactAttempts: number;
  retentionDays: number;
  concurrency: { assign: number; outbound: number };
  lockMs: number;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Waits this long in the worker; longer waits park the job as delayed so the slot is not held. */
const MAX_INLINE_WAIT_MS = 1500;
const CARD_LOCK_MS = 15_000;

/** Starts the assignment, SLA, outbound and maintenance workers of one process. */
export async function startWorkers(d: WorkerDeps): Promise<RunningWorkers> {
  const prefix = d.queues.prefix;
  const connection = redisConnection(d.redisUrl);
  const redis = newRedis(d.redisUrl);
  redis.on('error', () => undefined);
  const pacer = new Pacer(redis, prefix);
  const outbound = new Outbound(d, pacer, redis, prefix);

  const common = { connection, prefix, autorun: true, lockDuration: d.lockMs, stalledInterval: d.lockMs };
  const workers = [
    new Worker<{ requestId: string }>(QUEUES.assign, async (job) => d.assignment.assign(job.data.requestId), {
      ...common,
      concurrency: d.concurrency.assign,
    }),
    new Worker<SlaJob>(QUEUES.sla, async (job) => d.assignment.checkSla(job.data.requestId, job.data.kind, job.data.round), common),
    new Worker<OutboundJob>(QUEUES.outbound, (job, token) => outbound.process(job, token), {
      ...common,
      concurrency: d.concurrency.outbound,
    }),
    new Worker(QUEUES.maintenance, async () => retention(d), common),
  ];
  for (const w of workers) {
    w.on('error', (e) => d.log.warn({ err: e.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, e) => d.log.warn({ err: e.message, queue: w.name, job: job?.id }, 'job failed'));
  }
  await d.queues.maintenance.upsertJobScheduler('retention', { every: 24 * 3600_000 }, { name: 'retention' });
  return {
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      redis.disconnect();
    },
  };
}

/** Daily: personal data of requests closed more than RETENTION_DAYS ago is erased, counts kept. */
async function retention(d: WorkerDeps): Promise<number> {
  const now = d.clock.now();
  const erased = await d.repos.requests.anonymiseClosedBefore(now - d.retentionDays * 24 * 3600_000, now);
  // Unfinished drafts hold personal data too; a conversation idle for 30 days starts over.
  await d.repos.states.deleteOlderThan(now - 30 * 24 * 3600_000);
  if (erased > 0) await d.repos.audit.record('system', 'retention_anonymised', String(erased), now);
  return erased;
}

interface Target {
  sender: ChannelSender;
  chatId: string;
  reply: Reply;
  /** For cards: edit this message instead of sending a new one. */
  messageId?: number | null;
  onSent?: (messageId: number | undefined) => Promise<void>;
}

/** The one outbound layer: every message that is not a direct answer goes through here. */
class Outbound {
  constructor(
    private readonly d: WorkerDeps,
    private readonly pacer: Pacer,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async process(job: Job<OutboundJob>, token?: string): Promise<string> {
    // Two versions of one card must not both find "no message yet" and post twice.
    const lockKey = job.data.kind === 'card' ? `${this.prefix}:lock:card:${job.data.requestId}.${job.data.round}` : undefined;
    if (lockKey && !(await this.redis.set(lockKey, job.id ?? '1', 'PX', CARD_LOCK_MS, 'NX'))) {
      await job.moveToDelayed(Date.now() + 100, token);
      throw new DelayedError();
    }
    try {
      const target = await this.resolve(job.data);
      if (!target) return 'skipped';
      const chatKey = `${target.sender.channel}:${target.chatId}`;
      if (await this.d.repos.unreachable.isUnreachable(chatKey)) return 'unreachable';
      await this.pace(job, token, target);
      return await this.deliver(target, chatKey, job.data);
    } finally {
      if (lockKey) await this.redis.del(lockKey);
    }
  }

  private async pace(job: Job<OutboundJob & { slotAt?: number }>, token: string | undefined, t: Target): Promise<void> {
    const slotAt = job.data.slotAt;
    if (slotAt !== undefined && Date.now() >= slotAt - 20) return;
    const wait = await this.pacer.reserve([
      { key: `${t.sender.channel}:all`, intervalMs: 1000 / t.sender.globalPerSecond },
      { key: `${t.sender.channel}:${t.chatId}`, intervalMs: t.sender.chatIntervalMs(t.chatId) },
    ]);
    if (wait > MAX_INLINE_WAIT_MS) {
      await job.updateData({ ...job.data, slotAt: Date.now() + wait });
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private async deliver(t: Target, chatKey: string, data: OutboundJob): Promise<string> {
    try {
      if (t.messageId) {
        await t.sender.edit(t.chatId, t.messageId, t.reply);
      } else {
        const messageId = await t.sender.send(t.chatId, t.reply);
        await t.onSent?.(messageId);
      }
      return 'sent';
    } catch (e) {
      if (!(e instanceof SendFailure)) throw e;
      switch (e.kind) {
        case 'not_modified':
          return 'unchanged';
        case 'blocked':
          // The person blocked the bot: retrying forever helps nobody.
          await this.d.repos.unreachable.mark(chatKey, this.d.clock.now());
          this.d.log.info({ chat: chatKey, kind: data.kind }, 'chat unreachable (403)');
          return 'blocked';
        case 'rate_limited':
          await this.d.queues.outbound.rateLimit(e.retryAfterMs);
          throw Worker.RateLimitError();
        case 'permanent':
          if (data.kind === 'card' && t.messageId) {
            // The card message is gone (deleted in the group): post it again.
            await this.d.repos.cards.update(data, { messageId: null }, this.d.clock.now());
            throw e;
          }
          throw new UnrecoverableError(e.message);
        case 'transient':
          throw e;
      }
    }
  }

  private async resolve(data: OutboundJob): Promise<Target | undefined> {
    const { requests, cards, teams } = this.d.repos;
    const r = await requests.byId(data.requestId);
    if (!r) return undefined;
    const commune = this.d.areas.commune(r.communeId)?.name ?? r.communeId;
    if (data.kind === 'card') {
      const card = await cards.get(r.id, data.round);
      const sender = this.d.senders.telegram;
      if (!card || !sender) return undefined;
      return {
        sender,
        chatId: card.chatId,
        reply: renderCard(r, card, commune, this.d.maxContactAttempts),
        messageId: card.messageId,
        onSent: async (messageId) => {
          if (messageId !== undefined) await cards.update(card, { messageId }, this.d.clock.now());
        },
      };
    }
    if (data.kind === 'officer') {
      // Minimal on Zalo: what, where, when. Name, phone and address stay in the team's group.
      const officer = await teams.officerById(data.officerId);
      const sender = this.d.senders.zalo;
      if (!officer?.zaloUserId || !sender) return undefined;
      return {
        sender,
        chatId: officer.zaloUserId,
        reply: {
          text: [
            msg(`team:officer_dm.${data.event}`, {
              code: r.code,
              type: msg(`intake:type.${r.type}`),
              commune,
              date: formatVnDate(r.preferredDate),
              condition: msg(`intake:condition.${r.condition}`),
            }),
          ],
        },
      };
    }
    const team = r.teamId ? await teams.byId(r.teamId) : undefined;
    if (data.kind === 'admin') {
      const admin = this.d.adminChat;
      const sender = admin && this.d.senders[admin.channel];
      if (!admin || !sender) {
        this.d.log.warn({ requestId: r.id, event: data.event }, 'no admin chat configured: admin alert not sent');
        return undefined;
      }
      const teamForMessage = team ?? (r.excludedTeams?.length ? await teams.byId(r.excludedTeams[r.excludedTeams.length - 1]!) : undefined);
      return { sender, chatId: admin.chatId, reply: { text: [adminMessage(data.event, r, commune, teamForMessage, this.d.maxContactAttempts)] } };
    }
    // A citizen: through the channel the request came from. Erased requests have no chat any more.
    const sender = this.d.senders[r.channel];
    if (!sender || !r.chatId) return undefined;
    const card = await cards.get(r.id);
    return {
      sender,
      chatId: r.chatId,
      reply: {
        text: [
          msg(`notify:${data.event}`, {
            code: r.code,
            team: team?.name ?? '',
            date: formatVnDate(r.preferredDate),
            officer: card?.claimedName ?? '',
            unit: this.d.unit.name,
            phone: this.d.unit.phone,
          }),
        ],
      },
    };
  }
}
