import type { Config } from './config.js';
import { AuditRepository } from './db/repositories/audit.js';
import { AreaRepository } from './db/repositories/areas.js';
import { DialogStateRepository } from './db/repositories/dialogStates.js';
import { RequestRepository } from './db/repositories/requests.js';
import { type Database, openDatabase } from './db/database.js';
import { DialogEngine } from './dialogs/engine.js';
import { Translator } from './i18n.js';
import { createLogger, type Logger } from './log.js';
import { AreaService } from './services/areas.js';
import { type Clock, systemClock } from './services/clock.js';
import { IntakeService } from './services/intake.js';
import { MyRequestsService } from './services/myRequests.js';
import { PrivacyService } from './services/privacy.js';
import { SafetyService } from './services/safety.js';
import { AssignmentService } from './services/assignment.js';
import { loadTeamsFile } from './services/teams.js';
import { parseWorkingHours } from './domain/workingHours.js';
import { priorityOf } from './domain/request.js';
import { CardRepository } from './db/repositories/cards.js';
import { TeamRepository } from './db/repositories/teams.js';
import { UnreachableRepository } from './db/repositories/unreachable.js';
import { HandoffRepository } from './db/repositories/handoffs.js';
import { BroadcastRepository } from './db/repositories/broadcasts.js';
import { SessionRepository } from './db/repositories/sessions.js';
import { SubscriptionRepository } from './db/repositories/subscriptions.js';
import { BroadcastService } from './services/broadcast.js';
import { AdminRepository } from './db/repositories/admins.js';
import { AdminService } from './services/admins.js';
import { SessionService } from './services/sessions.js';
import { HandoffService } from './services/handoff.js';
import { createUnderstanding } from './services/understanding.js';
import { StaffDialog } from './dialogs/staff.js';
import { JobQueues } from './jobs/queues.js';
import { Reconciler } from './jobs/reconciler.js';

/** Everything the channels share, built once: database, services, dialog engine, translator. */
export interface App {
  config: Config;
  database: Database;
  repos: {
    requests: RequestRepository;
    states: DialogStateRepository;
    audit: AuditRepository;
    areas: AreaRepository;
    teams: TeamRepository;
    cards: CardRepository;
    unreachable: UnreachableRepository;
    handoffs: HandoffRepository;
    sessions: SessionRepository;
    subscriptions: SubscriptionRepository;
    broadcasts: BroadcastRepository;
    admins: AdminRepository;
  };
  services: {
    intake: IntakeService;
    myRequests: MyRequestsService;
    privacy: PrivacyService;
    areas: AreaService;
    handoff: HandoffService;
    broadcast: BroadcastService;
    sessions: SessionService;
    admins: AdminService;
  };
  engine: DialogEngine;
  translator: Translator;
  log: Logger;
  clock: Clock;
  /** Present when the app has a Redis: the assignment engine and what it drives. */
  jobs?: Jobs;
  unitName: string;
  close(): Promise<void>;
}

export interface Jobs {
  redisUrl: string;
  queues: JobQueues;
  assignment: AssignmentService;
  staff: StaffDialog;
  reconciler: Reconciler;
}

export async function createApp(config: Config, clock: Clock = systemClock, redisUrl?: string): Promise<App> {
  const log = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.databaseUrl);
  const repos = {
    requests: new RequestRepository(database),
    states: new DialogStateRepository(database),
    audit: new AuditRepository(database),
    areas: new AreaRepository(database),
    teams: new TeamRepository(database),
    cards: new CardRepository(database),
    unreachable: new UnreachableRepository(database),
    handoffs: new HandoffRepository(database),
    sessions: new SessionRepository(database),
    subscriptions: new SubscriptionRepository(database),
    broadcasts: new BroadcastRepository(database),
    admins: new AdminRepository(database),
  };
  const areas = new AreaService(repos.areas);
  await areas.loadFile(config.AREAS_FILE);
  const broadcast = new BroadcastService(repos.broadcasts, repos.audit, clock, (id, e) =>
    log.warn({ broadcast: id, err: e instanceof Error ? e.message : String(e) }, 'announcement not started yet (the reconciler retries)'),
  );
  const services = {
    intake: new IntakeService(repos.requests, repos.audit, clock),
    myRequests: new MyRequestsService(repos.requests, repos.audit, clock),
    privacy: new PrivacyService(repos.requests, repos.states, repos.handoffs, repos.subscriptions, repos.broadcasts, repos.audit, clock),
    areas,
    handoff: new HandoffService(repos.handoffs, repos.audit, clock, (e) =>
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'QUESTION OR EMERGENCY NOT POSTED to the duty chat (the reconciler retries)'),
    ),
    broadcast,
    sessions: new SessionService(repos.sessions, repos.subscriptions, broadcast, repos.audit, areas, clock, config.REMINDER_HOUR),
    admins: new AdminService(repos.admins, config.ADMIN_USER_IDS),
  };
  services.intake.onSubmitted((r) => log.info({ requestId: r.id, code: r.code, channel: r.channel }, 'request filed'));
  const translator = await Translator.create(config.DEFAULT_LANG);
  const jobs = redisUrl ? await createJobs(config, repos, services, clock, log, redisUrl) : undefined;
  const unitName = config.UNIT_NAME ?? translator.render({ key: 'common:unit.default_name' });
  const { classifier, guide } = createUnderstanding(translator);
  const safety = new SafetyService(classifier, services.handoff, (e) =>
    log.error({ err: e instanceof Error ? e.message : String(e) }, 'EMERGENCY ALERT NOT SAVED'),
  );
  if (jobs) {
    services.handoff.useDelivery(jobs.queues);
    services.broadcast.useDelivery(jobs.queues);
  }
  const engine = new DialogEngine({
    services: {
      ...services,
      safety,
      classifier,
      guide,
      clock,
      unit: { name: unitName, phone: config.UNIT_PHONE, retentionDays: config.RETENTION_DAYS },
    },
    states: repos.states,
    translator,
    defaultLang: config.DEFAULT_LANG,
  });
  return {
    config,
    database,
    repos,
    services,
    engine,
    translator,
    log,
    clock,
    jobs,
    unitName,
    close: async () => {
      jobs?.reconciler.stop();
      await jobs?.queues.close();
      await database.close();
    },
  };
}

async function createJobs(
  config: Config,
  repos: App['repos'],
  services: App['services'],
  clock: Clock,
  log: Logger,
  redisUrl: string,
): Promise<Jobs> {
  await loadTeamsFile(config.TEAMS_FILE, repos.teams);
  const queues = new JobQueues(redisUrl, config.QUEUE_PREFIX, clock);
  const assignment = new AssignmentService(repos.requests, repos.teams, repos.cards, repos.audit, clock, queues, {
    slaUnclaimedMs: config.SLA_UNCLAIMED_MINUTES * 60_000,
    workingHours: parseWorkingHours(config.WORKING_HOURS),
    maxContactAttempts: config.MAX_CONTACT_ATTEMPTS,
  });
  const reconciler = new Reconciler(repos.requests, queues, assignment, repos.handoffs, repos.broadcasts, clock, log);
  // The request is committed before this runs; if Redis is down the reconciler enqueues it later.
  services.intake.onSubmitted((r) =>
    queues.enqueueAssignment(r.id, r.round ?? 0, priorityOf(r.condition)).catch((e: unknown) =>
      log.warn({ requestId: r.id, err: String(e) }, 'enqueue failed; the reconciler will retry'),
    ),
  );
  services.myRequests.onCancelled((r) =>
    assignment.citizenCancelled(r.id).catch((e: unknown) => log.warn({ requestId: r.id, err: String(e) }, 'card update after cancel failed')),
  );
  const staff = new StaffDialog({
    teams: repos.teams,
    assignment,
    audit: repos.audit,
    clock,
    admins: services.admins,
    broadcast: services.broadcast,
    inviteTtlMs: 48 * 3600_000,
    handoff: services.handoff,
    dutyChatId: config.ADMIN_CHAT_ID,
  });
  return { redisUrl, queues, assignment, staff, reconciler };
}
