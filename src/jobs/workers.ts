import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type ChannelSender, SendFailure } from '../channels/sender.js';
import { formatVnDate } from '../domain/dates.js';
import { msg } from '../domain/message.js';
import type { Channel, CitizenRequest } from '../domain/request.js';
import type { CardRepository } from '../db/repositories/cards.js';
import type { DialogStateRepository } from '../db/repositories/dialogStates.js';
import type { RequestRepository } from '../db/repositories/requests.js';
import type { TeamRepository } from '../db/repositories/teams.js';
import type { HandoffRepository } from '../db/repositories/handoffs.js';
import type { BroadcastRepository } from '../db/repositories/broadcasts.js';
import type { SubscriptionRepository } from '../db/repositories/subscriptions.js';
import { Broadcaster } from './broadcaster.js';
import type { UnreachableRepository } from '../db/repositories/unreachable.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import { adminMessage, renderCard } from '../dialogs/card.js';
import type { Reply } from '../dialogs/types.js';
import type { Logger } from '../log.js';
import type { AreaService } from '../services/areas.js';
import type { AssignmentService } from '../services/assignment.js';
import type { Clock } from '../services/clock.js';
import { lanesFor, Pacer } from './pacer.js';
import type { AdminEvent, AssignmentEffects, CitizenEvent, OfficerEvent, SlaKind } from '../services/assignment.js';
import { type BroadcastJob, type JobQueues, type OutboundJob, outboundId, QUEUES, type SlaJob } from './queues.js';
import { newRedis, redisConnection } from './redis.js';
import { Batcher } from './batcher.js';

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
    handoffs: HandoffRepository;
    broadcasts: BroadcastRepository;
    subscriptions: SubscriptionRepository;
  };
  areas: AreaService;
  senders: Partial<Record<Channel, ChannelSender>>;
  adminChat?: { channel: Channel; chatId: string };
  unit: { name: string; phone: string };
  maxContactAttempts: number;
  retentionDays: number;
  concurrency: { assign: number; outbound: number; broadcast: number };
  lockMs: number;
  /** The evening-before reminders (the session calendar decides what is due). */
  sendDueReminders: () => Promise<number>;
}

export interface RunningWorkers {
  /** Waits for this chat's and the platform's next free send slot (shared with the queue). */
  pace(channel: Channel, chatId: string): Promise<void>;
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
  const broadcaster = new Broadcaster(
    { ...d.repos, senders: d.senders, queues: d.queues, clock: d.clock, log: d.log, unitName: d.unit.name },
    pacer,
    redis,
    prefix,
  );
  // The worker's assignment delivers the first card and notice at once when nothing is in the way.
  const assignment = d.assignment.withEffects(new DeliverNowEffects(d.queues, outbound));

  const common = { connection, prefix, autorun: true, lockDuration: d.lockMs, stalledInterval: d.lockMs };
  const workers = [
    new Worker<{ requestId: string }>(QUEUES.assign, async (job) => assignment.assign(job.data.requestId), {
      ...common,
      concurrency: d.concurrency.assign,
    }),
    new Worker<SlaJob>(QUEUES.sla, async (job) => assignment.checkSla(job.data.requestId, job.data.kind, job.data.round), common),
    new Worker<OutboundJob>(QUEUES.outbound, (job, token) => outbound.process(job, token), {
      ...common,
      concurrency: d.concurrency.outbound,
    }),
    new Worker(QUEUES.maintenance, async (job) => (job.name === 'reminders' ? d.sendDueReminders() : retention(d)), common),
    new Worker<BroadcastJob>(QUEUES.broadcast, (job) => broadcaster.process(job), { ...common, concurrency: d.concurrency.broadcast }),
  ];
  for (const w of workers) {
    w.on('error', (e) => d.log.warn({ err: e.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, e) => d.log.warn({ err: e.message, queue: w.name, job: job?.id }, 'job failed'));
  }
  await d.queues.maintenance.upsertJobScheduler('retention', { every: 24 * 3600_000 }, { name: 'retention' });
  await d.queues.maintenance.upsertJobScheduler('reminders', { every: 5 * 60_000 }, { name: 'reminders' });
  return {
    async pace(channel, chatId) {
      const sender = d.senders[channel];
      if (!sender) return;
      await pacer.wait(lanesFor(sender, chatId)).catch(() => undefined); // Redis down: answer anyway; the platform's 429 still guards.
    },
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
  await d.repos.handoffs.deleteBefore(now - d.retentionDays * 24 * 3600_000);
  await d.repos.broadcasts.forgetRecipientsBefore(now - d.retentionDays * 24 * 3600_000);
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
    const lockKey = await this.lock(job.data);
    if (lockKey === false) {
      await job.moveToDelayed(Date.now() + 100, token);
      throw new DelayedError();
    }
    try {
      if (await this.alreadySent(job.data)) return 'already sent';
      const target = await this.resolve(job.data);
      if (!target) return 'skipped';
      const chatKey = `${target.sender.channel}:${target.chatId}`;
      if (await this.d.repos.unreachable.isUnreachable(chatKey)) return 'unreachable';
      await this.pace(job, token, target);
      const result = await this.deliver(target, chatKey, job.data);
      await this.markSent(job.data);
      return result;
    } finally {
      if (lockKey) await this.redis.del(lockKey);
    }
  }

  /**
   * Delivers now, without a job, if nothing is in the way: the chat's and the bot's lanes are
   * free this instant, no other delivery of this card is running, and the send succeeds. False
   * means "queue it": the caller adds the job, which waits, paces and retries as usual.
   * `known`: the request as the caller has it, for messages about it (never for cards: a card is
   * rendered from the state read under its lock, or a late render could undo a newer edit).
   */
  async tryNow(data: OutboundJob, known?: CitizenRequest): Promise<boolean> {
    const lockKey = await this.lock(data);
    if (lockKey === false) return false;
    try {
      const target = await this.resolve(data, known);
      if (!target) return true;
      const chatKey = `${target.sender.channel}:${target.chatId}`;
      if (await this.d.repos.unreachable.isUnreachable(chatKey)) return true;
      // One round trip: "sent before?" and "is the slot free?".
      const wait = await this.pacer.reserveIfFree(this.lanes(target), this.sentKey(data));
      if (wait < 0) return true;
      if (wait > 0) return false;
      await this.deliver(target, chatKey, data);
      await this.markSent(data);
      return true;
    } catch {
      return false;
    } finally {
      if (lockKey) await this.redis.del(lockKey);
    }
  }

  /** Two deliveries of one card must not both find "no message yet" and post twice. */
  private async lock(data: OutboundJob): Promise<string | undefined | false> {
    if (data.kind !== 'card') return undefined;
    const key = `${this.prefix}:lock:card:${data.requestId}.${data.round}`;
    return (await this.redis.set(key, '1', 'PX', CARD_LOCK_MS, 'NX')) ? key : false;
  }

  // Cards are idempotent by their stored message id; messages need a mark of their own, so that a
  // notice sent without a job is not sent again by a job (or a retried assignment).
  private sentKey(data: OutboundJob): string | undefined {
    if (data.kind === 'card') return undefined;
    return `${this.prefix}:sent:${outboundId(data, 'round' in data ? (data.round ?? 0) : 0)}`;
  }

  private async alreadySent(data: OutboundJob): Promise<boolean> {
    const key = this.sentKey(data);
    return key !== undefined && (await this.redis.exists(key)) === 1;
  }

  private async markSent(data: OutboundJob): Promise<void> {
    const key = this.sentKey(data);
    if (key) await this.redis.set(key, '1', 'EX', 7 * 24 * 3600);
  }

  private lanes(t: Target) {
    return lanesFor(t.sender, t.chatId);
  }

  private async pace(job: Job<OutboundJob & { slotAt?: number }>, token: string | undefined, t: Target): Promise<void> {
    const slotAt = job.data.slotAt;
    if (slotAt !== undefined && Date.now() >= slotAt - 20) return this.pacer.waitShared(this.lanes(t));
    const wait = await this.pacer.wait(this.lanes(t), MAX_INLINE_WAIT_MS);
    if (wait > 0) {
      // The chat's slot is far off: park the job instead of holding a worker slot.
      await job.updateData({ ...job.data, slotAt: Date.now() + wait });
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
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
            await this.d.repos.cards.setMessage(data, null, this.d.clock.now());
            throw e;
          }
          throw new UnrecoverableError(e.message);
        case 'transient':
          throw e;
      }
    }
  }

  /** A question or emergency report in the duty chat; its message id is kept so a reply finds it. */
  private async resolveHandoff(id: string): Promise<Target | undefined> {
    const h = await this.d.repos.handoffs.byId(id);
    const admin = this.d.adminChat;
    const sender = admin && this.d.senders[admin.channel];
    if (!h) return undefined;
    if (!admin || !sender) {
      this.d.log.error({ code: h.code, kind: h.kind }, 'no admin/duty chat configured: question or EMERGENCY not delivered');
      return undefined;
    }
    const params = { code: h.code, channel: msg(`handoff:channel.${h.channel}`), chatId: h.chatId ?? '', text: h.question ?? '' };
    const text = h.kind === 'emergency' ? msg('safety:emergency.duty_alert', params) : msg('handoff:duty.question', params);
    return {
      sender,
      chatId: admin.chatId,
      reply: { text: [text, msg('handoff:duty.how_to_answer', { code: h.code })] },
      onSent: (messageId) => this.d.repos.handoffs.setDutyMessage(h.id, admin.chatId, messageId),
    };
  }

  private async resolve(data: OutboundJob, known?: CitizenRequest): Promise<Target | undefined> {
    if (data.kind === 'handoff') return this.resolveHandoff(data.id);
    if (data.kind === 'answer') {
      const h = await this.d.repos.handoffs.byId(data.id);
      const sender = h && this.d.senders[h.channel];
      // Erased since: nobody to answer.
      if (!h?.chatId || !sender) return undefined;
      return { sender, chatId: h.chatId, reply: { text: [msg('handoff:answer', { code: h.code, officer: data.officer, text: data.text })] } };
    }
    const { requests, cards, teams } = this.d.repos;
    const r = data.kind !== 'card' && known?.id === data.requestId ? known : await requests.byId(data.requestId);
    if (!r) return undefined;
    const commune = this.d.areas.commune(r.communeId)?.name ?? r.communeId;
    if (data.kind === 'card') {
      const card = await cards.get(r.id, data.round);
      // Team groups are Telegram groups; the local console has one stand-in group.
      const sender = card?.chatId.startsWith('console:') ? this.d.senders.console : this.d.senders.telegram;
      if (!card || !sender) return undefined;
      return {
        sender,
        chatId: card.chatId,
        reply: renderCard(r, card, commune, this.d.maxContactAttempts),
        messageId: card.messageId,
        onSent: async (messageId) => {
          if (messageId !== undefined) await cards.setMessage(card, messageId, this.d.clock.now());
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
    // Only the "claimed" notice names the officer.
    const officer = data.event === 'claimed' ? ((await cards.get(r.id))?.claimedName ?? '') : '';
    return {
      sender,
      chatId: r.chatId,
      reply: {
        text: [
          msg(`notify:${data.event}`, {
            code: r.code,
            team: team?.name ?? '',
            date: formatVnDate(r.preferredDate),
            officer,
            unit: this.d.unit.name,
            phone: this.d.unit.phone,
          }),
        ],
      },
    };
  }
}

/** Effects that deliver the card and the citizen's notice at once when they can, else queue them. */
class DeliverNowEffects implements AssignmentEffects {
  // The SLA checks of the jobs finishing within 20 ms go to Redis together; each job still waits
  // until its own check is stored.
  private readonly slaChecks: Batcher<SlaJob & { at: number }>;

  constructor(
    private readonly queues: JobQueues,
    private readonly outbound: Outbound,
  ) {
    this.slaChecks = new Batcher((checks) => queues.scheduleSlas(checks), 20, 100);
  }

  async syncCard(requestId: string, round: number, version: string): Promise<void> {
    if (!(await this.outbound.tryNow({ kind: 'card', requestId, round }))) await this.queues.syncCard(requestId, round, version);
  }

  async notifyCitizen(r: CitizenRequest, event: CitizenEvent, round: number): Promise<void> {
    if (!(await this.outbound.tryNow({ kind: 'notify', requestId: r.id, event, round }, r))) await this.queues.notifyCitizen(r, event, round);
  }

  notifyAdmin(requestId: string, event: AdminEvent, round: number): Promise<void> {
    return this.queues.notifyAdmin(requestId, event, round);
  }

  notifyOfficer(requestId: string, round: number, officerId: string, event: OfficerEvent): Promise<void> {
    return this.queues.notifyOfficer(requestId, round, officerId, event);
  }

  scheduleSla(requestId: string, kind: SlaKind, round: number, at: number): Promise<void> {
    return this.slaChecks.add({ requestId, kind, round, at });
  }

  enqueueAssignment(requestId: string, round: number, priority: number): Promise<void> {
    return this.queues.enqueueAssignment(requestId, round, priority);
  }
}
