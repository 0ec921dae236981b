import type { Owner } from '../db/repositories/requests.js';
import type { AreaService } from '../services/areas.js';
import type { Clock } from '../services/clock.js';
import type { IntakeService } from '../services/intake.js';
import type { MyRequestsService } from '../services/myRequests.js';
import type { PrivacyService } from '../services/privacy.js';
import type { SafetyService } from '../services/safety.js';
import type { IntentClassifier } from '../domain/intent.js';
import type { GuideCatalog } from '../services/guide.js';
import type { HandoffService } from '../services/handoff.js';
import type { AdminService } from '../services/admins.js';
import type { BroadcastService } from '../services/broadcast.js';
import type { SessionService } from '../services/sessions.js';
import type { ChatState, InboundEvent } from './types.js';

export interface DialogServices {
  intake: IntakeService;
  myRequests: MyRequestsService;
  privacy: PrivacyService;
  areas: AreaService;
  safety: SafetyService;
  classifier: IntentClassifier;
  guide: GuideCatalog;
  handoff: HandoffService;
  sessions: SessionService;
  broadcast: BroadcastService;
  admins: AdminService;
  clock: Clock;
  unit: { name: string; phone: string; retentionDays: number };
}

/** What a flow sees while handling one input. It changes `state`; the engine saves it. */
export interface FlowContext {
  state: ChatState;
  event: InboundEvent;
  owner: Owner;
  chatKey: string;
  services: DialogServices;
}
