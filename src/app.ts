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

/** Everything the channels share, built once: database, services, dialog engine, translator. */
export interface App {
  config: Config;
  database: Database;
  repos: {
    requests: RequestRepository;
    states: DialogStateRepository;
    audit: AuditRepository;
    areas: AreaRepository;
  };
  services: {
    intake: IntakeService;
    myRequests: MyRequestsService;
    privacy: PrivacyService;
    areas: AreaService;
  };
  engine: DialogEngine;
  translator: Translator;
  log: Logger;
  close(): Promise<void>;
}

export async function createApp(config: Config, clock: Clock = systemClock): Promise<App> {
  const log = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.databaseUrl);
  const repos = {
    requests: new RequestRepository(database),
    states: new DialogStateRepository(database),
    audit: new AuditRepository(database),
    areas: new AreaRepository(database),
  };
  const areas = new AreaService(repos.areas);
  await areas.loadFile(config.AREAS_FILE);
  const services = {
    intake: new IntakeService(repos.requests, repos.audit, clock),
    myRequests: new MyRequestsService(repos.requests, repos.audit, clock),
    privacy: new PrivacyService(repos.requests, repos.states, repos.audit, clock),
    areas,
  };
  services.intake.onSubmitted((r) => log.info({ requestId: r.id, code: r.code, channel: r.channel }, 'request filed'));
  const translator = await Translator.create(config.DEFAULT_LANG);
  const engine = new DialogEngine({
    services: {
      ...services,
      clock,
      unit: { name: config.UNIT_NAME ?? translator.render({ key: 'common:unit.default_name' }), phone: config.UNIT_PHONE, retentionDays: config.RETENTION_DAYS },
    },
    states: repos.states,
    translator,
    defaultLang: config.DEFAULT_LANG,
  });
  return { config, database, repos, services, engine, translator, log, close: () => database.close() };
}
