import type { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelAdapter, ChannelHost } from '../channels/adapter.js';
import { OA_CHANNEL, type ZaloOaAdapter } from '../channels/zalo-oa/adapter.js';
import { CONSOLE_ADMIN } from '../channels/console/adapter.js';
import { DialogEngine } from '../conversation/engine.js';
import { fallbackCounter, FloodGate } from '../conversation/flood.js';
import type { InboundEvent } from '../conversation/types.js';
import { AccessService } from '../core/access/service.js';
import { AreaService } from '../core/areas/service.js';
import { CommanderActions } from '../core/assignment/byHand.js';
import { BoardService } from '../core/board/service.js';
import { AssignmentService } from '../core/assignment/service.js';
import { BroadcastService } from '../core/broadcast/service.js';
import { SessionService } from '../core/calendar/service.js';
import { type Clock, systemClock } from '../core/clock.js';
import { HandoffService } from '../core/handoff/service.js';
import { NoticeComposer } from '../core/notices/compose.js';
import { PrivacyService } from '../core/privacy/service.js';
import { requestFollowUps } from '../core/requests/followUps.js';
import { FeedbackService } from '../core/requests/feedback.js';
import { RequestService } from '../core/requests/service.js';
import { RequestLimits } from '../core/requests/limits.js';
import { SafetyService } from '../core/safety/service.js';
import { AreaAdmin } from '../core/areas/admin.js';
import { SettingsService } from '../core/settings/service.js';
import { UnitAdmin } from '../core/teams/admin.js';
import { seedTeamsFile } from '../core/teams/file.js';
import { StaffService } from '../core/teams/service.js';
import { type Database, openDatabase } from '../db/database.js';
import { newFastFailRedis, newRedis, redisConnection } from '../db/redis.js';
import { RedisChatLock, RedisCounter, RedisLease } from '../db/redisCoordination.js';
import { AreaRepository } from '../db/repositories/areas.js';
import { AuditRepository } from '../db/repositories/audit.js';
import { BroadcastRepository } from '../db/repositories/broadcasts.js';
import { CardRepository } from '../db/repositories/cards.js';
import { DialogStateRepository } from '../db/repositories/dialogStates.js';
import { HandoffRepository } from '../db/repositories/handoffs.js';
import { OutboxRepository } from '../db/repositories/outbox.js';
import { AccessRepository } from '../db/repositories/access.js';
import { NoteRepository } from '../db/repositories/notes.js';
import { FeedbackRepository } from '../db/repositories/feedback.js';
import { DutyInboxRepository } from '../db/repositories/dutyInbox.js';
import { ReportDataRepository } from '../db/repositories/reportData.js';
import { ResultRepository, TargetRepository } from '../db/repositories/results.js';
import { DutyInbox } from '../core/handoff/inbox.js';
import { ResultsService } from '../core/reports/results.js';
import { ReportService } from '../core/reports/service.js';
import { RequestRepository } from '../db/repositories/requests.js';
import { SessionRepository } from '../db/repositories/sessions.js';
import { SettingsRepository } from '../db/repositories/settings.js';
import { StaffRepository } from '../db/repositories/staff.js';
import { SubscriptionRepository } from '../db/repositories/subscriptions.js';
import { TeamRepository } from '../db/repositories/teams.js';
import { UnreachableRepository } from '../db/repositories/unreachable.js';
import { ChatContactRepository } from '../db/repositories/chatContacts.js';
import { PlatformTokenRepository } from '../db/repositories/platformTokens.js';
import { Delivery } from '../delivery/deliver.js';
import { Pacer } from '../delivery/pacer.js';
import { type Actor, type Address, addressKey, parseChannelRef } from '../domain/address.js';
import { msg, type Msg } from '../domain/message.js';
import type { HttpServer, Readiness } from '../http/server.js';
import { Translator } from '../i18n.js';
import { assignWorker } from '../jobs/assign.js';
import { Broadcaster, broadcastWorker } from '../jobs/broadcast.js';
import { maintenanceWorker } from '../jobs/maintenance.js';
import { Outbound, outboundWorker } from '../jobs/outbound.js';
import { JobQueues, QUEUES, type WorkerBase } from '../jobs/queues.js';
import { Reconciler } from '../jobs/reconciler.js';
import { slaWorker } from '../jobs/sla.js';
import { createLogger, logError } from '../log.js';
import { Metrics } from '../metrics.js';
import { createUnderstanding } from '../services/understanding.js';
import { consolePlugin } from '../web/console.js';
import { Views } from '../web/views.js';
import { CHANNELS, type ChannelEntry } from './channels.js';
import type { Config } from './config.js';

export interface ContainerOptions {
  clock?: Clock;
  /** The Redis to use; none: everything runs but the queue (follow-ups wait in the database). */
  redisUrl?: string;
  /** The channels that may run (a test adds an in-memory one). */
  channels?: ChannelEntry[];
  /** This process talks to someone at a terminal. */
  consoleMode?: boolean;
  consoleOutput?: Writable;
}

export type Stores = ReturnType<typeof stores>;

function stores(database: Database) {
  return {
    requests: new RequestRepository(database),
    states: new DialogStateRepository(database),
    audit: new AuditRepository(database),
    areas: new AreaRepository(database),
    teams: new TeamRepository(database),
    staff: new StaffRepository(database),
    cards: new CardRepository(database),
    unreachable: new UnreachableRepository(database),
    handoffs: new HandoffRepository(database),
    sessions: new SessionRepository(database),
    subscriptions: new SubscriptionRepository(database),
    broadcasts: new BroadcastRepository(database),
    outbox: new OutboxRepository(database),
    access: new AccessRepository(database),
    notes: new NoteRepository(database),
    feedback: new FeedbackRepository(database),
    results: new ResultRepository(database),
    targets: new TargetRepository(database),
    reportData: new ReportDataRepository(database),
    inbox: new DutyInboxRepository(database),
    settings: new SettingsRepository(database),
    chatContacts: new ChatContactRepository(database),
    platformTokens: new PlatformTokenRepository(database),
  };
}

export interface RunningWorkers {
  workers: Worker[];
  stop(): Promise<void>;
}

/**
 * The one place everything is built and wired, for any role a process plays (bot, worker,
 * console): the database, the stores, the use cases, the conversation engine, the channels,
 * the one delivery path and the queues. Every caller gets the same services, so a change made
 * from a chat, a job or (later) a web page has the same follow-ups.
 */
export async function createContainer(config: Config, o: ContainerOptions = {}) {
  const clock = o.clock ?? systemClock;
  const log = createLogger(config.LOG_LEVEL);
  const metrics = new Metrics();
  const database = await openDatabase(config.databaseUrl, { busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS });
  const repos = stores(database);
  const translator = await Translator.create(config.DEFAULT_LANG);
  const unitName = config.UNIT_NAME ?? translator.render({ key: 'common:unit.default_name' });
  // Only the console runs without UNIT_PHONE (config requires it with a token): a number that is plainly an example.
  const unitPhone = config.UNIT_PHONE ?? translator.render({ key: 'common:unit.example_phone' });
  const consoleMode = o.consoleMode ?? false;
  // What the console changes without a restart; .env gives the defaults.
  const settings = new SettingsService(repos.settings, repos.audit, clock, {
    unitName,
    unitPhone,
    workingHours: config.WORKING_HOURS,
    holidays: [],
    slaUnclaimedMinutes: config.SLA_UNCLAIMED_MINUTES,
    retentionDays: config.RETENTION_DAYS,
    reminderHour: config.REMINDER_HOUR,
  });
  await settings.load();
  const unit = settings.unit;

  // The files seed an empty database; afterwards the database (the console) is the truth.
  const areas = new AreaService(repos.areas);
  await areas.seedFromFile(config.AREAS_FILE);
  await seedTeamsFile(config.TEAMS_FILE, repos.teams);

  // Channels: one adapter each, from the registry.
  const redisUrl = o.redisUrl;
  const redis: Redis | undefined = redisUrl ? newRedis(redisUrl) : undefined;
  // Direct replies must not wait on a Redis that is down: their pacing gives up within 300 ms.
  const fastRedis: Redis | undefined = redisUrl ? newFastFailRedis(redisUrl, 300) : undefined;
  // One poller per bot token across processes; the others stand by on the lease.
  const pollLease = (name: string) =>
    fastRedis ? new RedisLease(fastRedis, `${config.QUEUE_PREFIX}:poll:${name}`, config.POLL_LEASE_MS, (e) => logError(log, e, 'poll lease: Redis not answering; polling on')) : undefined;
  // A channel's alarm (the OA's token refresh failing) goes to the duty chat once delivery exists.
  let alertAdmins: (m: Msg) => void = () => undefined;
  // The OA's event dedup and token lock must not hold a citizen's answer while Redis is down.
  const platform = { repos, redis: fastRedis, prefix: config.QUEUE_PREFIX, clock, alert: (m: Msg) => alertAdmins(m) };
  const channelDeps = { config, translator, log, consoleOutput: o.consoleOutput, consoleMode, platform, pollLease };
  const adapters = new Map<string, ChannelAdapter>();
  for (const entry of o.channels ?? CHANNELS) if (entry.enabled(channelDeps)) adapters.set(entry.id, entry.create(channelDeps));

  const dutyChat = dutyChatOf(config, adapters, consoleMode);
  const jobs = new JobQueues(redisUrl, config.QUEUE_PREFIX, repos.outbox, clock, log);
  const pacer = fastRedis ? new Pacer(fastRedis, config.QUEUE_PREFIX) : undefined;
  const delivery = new Delivery({ channels: (id) => adapters.get(id), pacer, unreachable: repos.unreachable, clock, log, metrics });
  alertAdmins = (m) => {
    if (dutyChat) void delivery.deliver(dutyChat, { text: [m] }, { patience: 'job' }).catch((e: unknown) => logError(log, e, 'alert not delivered'));
  };

  const staff = new StaffService(repos.teams, repos.staff, repos.audit, clock, 48 * 3600_000);
  const policy = settings.policy;
  // The console's board remembers pages until a request changes; this process's changes show at once.
  let boardChanged = () => {};
  const requests = new RequestService(repos.requests, repos.audit, clock, [
    async (e) => log.info({ requestId: e.request.id, code: e.request.code, event: e.type }, 'request changed'),
    async () => boardChanged(),
    // A place freed (cancelled, handed back, sent back to the queue): requests no team had room
    // for try again, and the first on its session's wait list gets the place.
    async (e) => {
      const freed = e.type === 'cancelled' || e.type === 'returned' || e.type === 'requeued' || e.type === 'expired' || (e.type === 'erased' && e.wasOpen);
      if (!freed) return;
      await requests.retryUnassigned(['no_capacity']);
      if (e.request.sessionId) await requests.promoteWaitlisted(e.request.sessionId, e.request.type);
    },
    requestFollowUps({ jobs, cards: repos.cards, teams: repos.teams, staff: repos.staff, clock, policy }),
  ]);
  const assignment = new AssignmentService(requests, repos.requests, repos.teams, repos.staff, repos.cards, clock, jobs, {
    // Read at each use (not spread: a spread would freeze the settings as they are now).
    get slaUnclaimedMs() {
      return policy.slaUnclaimedMs;
    },
    get workingHours() {
      return policy.workingHours;
    },
    maxContactAttempts: config.MAX_CONTACT_ATTEMPTS,
  });
  // The console's origin: PUBLIC_URL, or this process's own port once it listens.
  let origin = config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`;
  const access = new AccessService(repos.access, repos.staff, repos.audit, clock, {
    publicUrl: () => origin,
    linkTtlMs: 10 * 60_000,
    idleMs: config.WEB_IDLE_HOURS * 3600_000,
  });
  // Channels that allow free messages only for a while after the person wrote (Zalo OA: 7 days).
  const windowed = [...adapters.values()].flatMap((a) => (a.caps.replyWindowMs ? [{ id: a.id, ms: a.caps.replyWindowMs }] : []));
  const silentSince = async (ids: string[]): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const w of windowed) for (const id of await repos.chatContacts.requestsSilentSince(ids, [w.id], clock.now() - w.ms)) out.add(id);
    return out;
  };
  const board = new BoardService(repos.requests, repos.requests, repos.teams, repos.staff, repos.cards, repos.notes, repos.audit, areas, clock, silentSince);
  boardChanged = () => board.changed();
  const commander = new CommanderActions(requests, repos.teams, repos.notes, repos.audit, clock);
  const feedback = new FeedbackService(repos.feedback, repos.requests, requests, jobs, repos.audit, clock);
  const handoff = new HandoffService(repos.handoffs, repos.audit, clock, jobs, dutyChat);
  const broadcast = new BroadcastService(repos.broadcasts, repos.audit, clock, jobs, () => jobs.connected);
  const sessions = new SessionService(repos.sessions, repos.subscriptions, broadcast, repos.audit, areas, clock, () => settings.current().reminderHour, requests, repos.requests, jobs);
  const results = new ResultsService(repos.results, repos.targets, repos.audit, clock);
  const reports = new ReportService(repos.results, repos.targets, repos.reportData, areas, repos.audit, clock);
  const inbox = new DutyInbox(repos.inbox, handoff, repos.handoffs, repos.audit, clock);
  const privacy = new PrivacyService(requests, repos.states, handoff, repos.subscriptions, repos.broadcasts, repos.audit, clock, () => database.flushErased(), repos.chatContacts);
  const { classifier, guide } = createUnderstanding(translator);
  const safety = new SafetyService(classifier, handoff, repos.handoffs, jobs, clock, {
    alerted: () => metrics.emergencyAlerts.inc(),
    failed: (e) => logError(log, e, 'EMERGENCY ALERT NOT SAVED'),
  });

  const commanders: Actor[] = config.ADMIN_USER_IDS.map((id) => parseChannelRef(id, 'telegram')!).map((r) => ({ channel: r.channel, userId: r.id }));
  await staff.bootstrapCommanders(commanders);
  // Whoever sits at the local console is trusted with the commander's role (/vai chihuy).
  if (consoleMode) await ensureConsoleCommander(staff, repos);
  // The console's pages for teams, officers, commanders, areas: every change tells the assignment engine.
  const unitAdmin = new UnitAdmin(repos.teams, repos.staff, staff, repos.access, repos.audit, clock, areas, () => assignment.teamsChanged());
  const areaAdmin = new AreaAdmin(repos.areas, areas, repos.audit, clock, (by) => settings.bump(AREAS_VERSION, by));
  settings.watch(AREAS_VERSION, () => areas.refresh());

  const composer = new NoticeComposer({
    requests: repos.requests,
    cards: repos.cards,
    teams: repos.teams,
    staff: repos.staff,
    handoffs: repos.handoffs,
    areas,
    clock,
    dutyChat,
    unit,
    maxContactAttempts: config.MAX_CONTACT_ATTEMPTS,
    consoleUrl: (path) => access.url(path),
    sessions: repos.sessions,
  });
  // Its Redis calls sit on the request path too (a card edited at once after a citizen cancels):
  // they fail fast rather than hold a reply while Redis is down.
  const outbound =
    fastRedis && pacer ? new Outbound({ composer, delivery, pacer, redis: fastRedis, prefix: config.QUEUE_PREFIX, queues: jobs, cards: repos.cards, staff, clock, log }) : undefined;
  // The card and the citizen's notice go out at once when nothing is in the way (else queued).
  if (outbound) jobs.useDeliverNow((n, known) => outbound.tryNow(n, known));

  const services = {
    requests,
    limits: new RequestLimits(repos.requests, config.MAX_OPEN_REQUESTS),
    privacy,
    areas,
    safety,
    classifier,
    guide,
    handoff,
    sessions,
    broadcast,
    staff,
    assignment,
    access,
    feedback,
    results,
    reports,
    inbox,
    clock,
    unit,
    words: (key: string) => translator.words(key),
  };
  // Replicas agree through Redis on who handles a chat and how fast it writes; without Redis
  // (or while it is down) this process's own lock and count, and the state's version, hold.
  const chatLock = fastRedis ? new RedisChatLock(fastRedis, config.QUEUE_PREFIX, config.CHAT_LOCK_TIMEOUT_MS, (e) => logError(log, e, 'chat lock: Redis not answering')) : undefined;
  const flood = new FloodGate(fallbackCounter(fastRedis ? new RedisCounter(fastRedis, config.QUEUE_PREFIX) : undefined), {
    perChatPerMinute: config.CHAT_MESSAGES_PER_MINUTE,
    codeTriesPerChat: config.CODE_TRIES_PER_CHAT,
    codeTriesPerCode: config.CODE_TRIES_PER_CODE,
    codeWindowMs: config.CODE_WINDOW_MINUTES * 60_000,
  });
  const engine = new DialogEngine({ services, states: repos.states, translator, defaultLang: config.DEFAULT_LANG, chatLock, flood });
  const reconciler = new Reconciler({ requests: repos.requests, handoffs: repos.handoffs, broadcasts: repos.broadcasts, outbox: repos.outbox, queues: jobs, assignment, clock, log });

  // Updates being handled now: a stop lets them finish before it closes anything.
  let inFlight = 0;
  const idle: (() => void)[] = [];

  /** Everything a channel hands over goes through here: handled completely, never thrown. */
  const host = (server?: HttpServer): ChannelHost => ({
    async inbound(event: InboundEvent) {
      metrics.updatesIn.inc({ channel: event.address.channel });
      inFlight++;
      try {
        // First the chat's turn (nothing before it may wait on the database: a later message on
        // another replica would overtake this one), then: someone who writes has not blocked us.
        const r = await engine.handle(event);
        if (event.address.kind === 'private') await repos.unreachable.clear(addressKey(event.address));
        for (const reply of r.replies) await delivery.deliver(event.address, reply, { patience: 'direct' });
        return { toast: r.toast };
      } catch (e) {
        metrics.handlerErrors.inc();
        logError(log, e, 'update failed', { channel: event.address.channel });
        // The person still hears something, and how to reach the unit.
        await delivery
          .deliver(event.address, { text: [msg('common:errors.internal', { phone: unit.phone })] }, { patience: 'direct' })
          .catch(() => undefined);
        return {};
      } finally {
        if (--inFlight === 0) for (const f of idle.splice(0)) f();
      }
    },
    route(r) {
      if (!server) throw new Error('a webhook needs the HTTP server');
      server.route(r);
    },
    text: (m: Msg) => translator.render(m),
  });

  // Queue depths are read on each scrape, from any process that has the queues.
  if (jobs.connected) {
    metrics.onCollect(async () => {
      for (const name of Object.values(QUEUES)) {
        const counts = await jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: name, state }, n);
      }
    });
  }

  const workerBase = (): WorkerBase => ({ connection: redisConnection(redisUrl!), prefix: config.QUEUE_PREFIX, lockMs: config.JOB_LOCK_MS });

  return {
    config,
    clock,
    log,
    metrics,
    database,
    repos,
    translator,
    unitName,
    services,
    engine,
    jobs,
    delivery,
    composer,
    outbound,
    adapters,
    dutyChat,
    reconciler,
    host,

    /**
     * The web console on this server (bot and console modes). Without PUBLIC_URL its links
     * name the port the server got (PORT=0 in tests), so call this before the server listens
     * and `listening` after.
     */
    mountConsole(server: HttpServer): void {
      const views = new Views(translator, { cache: config.NODE_ENV !== 'development' });
      server.mount(
        consolePlugin({
          access,
          board,
          requests,
          assignment,
          commander,
          views,
          unitName,
          admin: { unit: unitAdmin, areas: areaAdmin, settings, inviteHours: staff.inviteHours },
          secure: (config.PUBLIC_URL ?? '').startsWith('https://'),
          loginPerMinute: config.WEB_LOGIN_PER_MINUTE,
          maxContactAttempts: config.MAX_CONTACT_ATTEMPTS,
          programme: { sessions, broadcast, inbox, results, reports },
          account: adapters.get(OA_CHANNEL) as ZaloOaAdapter | undefined,
        }),
      );
    },

    /**
     * A single-use login link for the local commander (whoever sits at this machine: the
     * console's admin), for the first start and for tests.
     */
    async localLoginLink(): Promise<string> {
      await ensureConsoleCommander(staff, repos);
      return (await access.linkForActor({ channel: 'console', userId: CONSOLE_ADMIN }))!;
    },

    /** The server listens: links name its real port unless PUBLIC_URL says otherwise. */
    listening(server: HttpServer): void {
      if (!config.PUBLIC_URL) origin = `http://127.0.0.1:${server.port}`;
    },

    /** Starts every channel's updates: polling, or routes on the server (mounted before it listens). */
    async startChannels(server?: HttpServer): Promise<void> {
      const h = host(server);
      for (const a of adapters.values()) await a.start(h);
    },

    /** Resolves once no update is being handled (or after `ms`): what a stop waits for. */
    settled(ms: number): Promise<boolean> {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        idle.push(() => (clearTimeout(t), resolve(true)));
      });
    },

    async stopChannels(): Promise<void> {
      await Promise.all([...adapters.values()].map((a) => a.stop().catch((e: unknown) => logError(log, e, 'channel stop failed'))));
    },

    /** This process's queue workers and the outbox reconciler. */
    async startWorkers(): Promise<RunningWorkers> {
      if (!redisUrl || !outbound) throw new Error('the workers need Redis');
      const base = workerBase();
      const broadcaster = new Broadcaster(
        {
          broadcasts: repos.broadcasts,
          subscriptions: repos.subscriptions,
          delivery,
          queues: jobs,
          clock,
          log,
          get unitName() {
            return unit.name;
          },
        },
        redis!,
        config.QUEUE_PREFIX,
      );
      const maintenanceDeps = {
        requests: repos.requests,
        states: repos.states,
        handoffs: repos.handoffs,
        broadcasts: repos.broadcasts,
        audit: repos.audit,
        clock,
        get retentionDays() {
          return unit.retentionDays;
        },
        sendDueReminders: () => sessions.sendDueReminders(),
        startOfDay: async () => {
          await requests.expireOlderThan(sessions.today(), config.EXPIRE_AFTER_DAYS);
          await assignment.teamsChanged();
        },
        flushErased: () => database.flushErased(),
        contacts: repos.chatContacts,
      };
      const workers: Worker[] = [
        assignWorker({ assignment, metrics }, base, config.ASSIGN_CONCURRENCY),
        slaWorker(assignment, feedback, base),
        outboundWorker(outbound, base, config.OUTBOUND_CONCURRENCY),
        broadcastWorker(broadcaster, base, config.BROADCAST_CONCURRENCY),
      ];
      try {
        workers.push(await maintenanceWorker(maintenanceDeps, jobs, base));
      } catch (e) {
        logError(log, e, 'maintenance schedules not set (Redis down?): retention and reminders wait for the next start');
      }
      for (const w of workers) {
        w.on('error', (e) => log.warn({ err: e.message, queue: w.name }, 'worker error'));
        w.on('failed', (job, e) => log.warn({ err: e.message, queue: w.name, job: job?.id }, 'job failed'));
      }
      reconciler.start(config.RECONCILE_SECONDS * 1000);
      void reconciler.runOnce();
      // The teams file may have linked or enlarged a team since the last run.
      void assignment.teamsChanged().catch((e: unknown) => logError(log, e, 'retrying unassigned requests failed'));
      return {
        workers,
        async stop() {
          reconciler.stop();
          await Promise.all(workers.map((w) => w.close()));
        },
      };
    },

    /** Whether the database and Redis answer now (for /readyz). */
    async readiness(): Promise<Readiness> {
      const checks: Readiness['checks'] = {};
      checks.database = await database.ping().then(
        () => 'ok' as const,
        () => 'down' as const,
      );
      checks.redis = !fastRedis
        ? 'none'
        : await fastRedis.ping().then(
            () => 'ok' as const,
            () => 'down' as const,
          );
      return { ok: checks.database === 'ok' && checks.redis !== 'down', checks };
    },

    async close(): Promise<void> {
      reconciler.stop();
      await jobs.close().catch(() => undefined);
      redis?.disconnect();
      fastRedis?.disconnect();
      await database.close();
    },
  };
}

export type Container = Awaited<ReturnType<typeof createContainer>>;

/** A settings row whose change means "the areas changed: read them again". */
const AREAS_VERSION = 'areas.version';

/** The duty chat from the settings; on a bare console, the console's commander. */
function dutyChatOf(config: Config, adapters: Map<string, ChannelAdapter>, consoleMode: boolean): Address | undefined {
  if (config.ADMIN_CHAT_ID) {
    const ref = parseChannelRef(config.ADMIN_CHAT_ID, 'telegram')!;
    const kind = adapters.get(ref.channel)?.kindOf(ref.id) ?? (ref.id.startsWith('-') ? 'group' : 'private');
    return { channel: ref.channel, chatId: ref.id, kind };
  }
  return consoleMode ? { channel: 'console', chatId: CONSOLE_ADMIN, kind: 'private' } : undefined;
}

/** The console's commander, even on a database that already has commanders of its own. */
async function ensureConsoleCommander(staff: StaffService, repos: Stores): Promise<void> {
  const me = { channel: 'console', userId: CONSOLE_ADMIN };
  if (await staff.isCommander(me)) return;
  const existing = await repos.staff.byIdentity(me);
  if (existing) return repos.staff.update(existing.id, { commander: true, root: true });
  await repos.staff.create({ id: 'cmd-console', name: CONSOLE_ADMIN, teamId: null, commander: true, root: true }, Date.now());
  await repos.staff.addIdentity('cmd-console', me, Date.now());
}
