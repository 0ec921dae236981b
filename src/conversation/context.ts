import type { AccessService } from '../core/access/service.js';
import type { FeedbackService } from '../core/requests/feedback.js';
import type { Actor, Address } from '../domain/address.js';
import type { IntentClassifier } from '../domain/intent.js';
import type { AreaService } from '../core/areas/service.js';
import type { AssignmentService } from '../core/assignment/service.js';
import type { BroadcastService } from '../core/broadcast/service.js';
import type { SessionService } from '../core/calendar/service.js';
import type { Clock } from '../core/clock.js';
import type { HandoffService } from '../core/handoff/service.js';
import type { PrivacyService } from '../core/privacy/service.js';
import type { RequestService } from '../core/requests/service.js';
import type { RequestLimits } from '../core/requests/limits.js';
import type { SafetyService } from '../core/safety/service.js';
import type { StaffService } from '../core/teams/service.js';
import type { GuideCatalog } from '../services/guide.js';
import type { ChatState, InboundEvent } from './types.js';

export interface DialogServices {
  requests: RequestService;
  /** Open requests per chat and per phone, the same person twice, sessions' places. */
  limits: RequestLimits;
  privacy: PrivacyService;
  areas: AreaService;
  safety: SafetyService;
  classifier: IntentClassifier;
  guide: GuideCatalog;
  handoff: HandoffService;
  sessions: SessionService;
  broadcast: BroadcastService;
  staff: StaffService;
  assignment: AssignmentService;
  /** Login links to the web console. */
  access: AccessService;
  /** "Did the officer come?" */
  feedback: FeedbackService;
  clock: Clock;
  unit: { name: string; phone: string; retentionDays: number };
  /** A list of words from the locales (what people may type to pick a choice). */
  words(key: string): string[];
}

/** What a flow sees while handling one input. It changes `state`; the engine saves it. */
export interface FlowContext {
  state: ChatState;
  event: InboundEvent;
  /** Who wrote (the citizen who owns what they file). */
  owner: Actor;
  /** Where they wrote from: answers and notices go there. */
  chat: Address;
  chatKey: string;
  /**
   * This update's own key (its chat and the platform's delivery id), when the platform gives one:
   * an effect stored under it is found done when the same update is handled again.
   */
  updateKey?: string;
  /** Journaled for this update: a call made by a lost try is answered, not made again (engine.ts). */
  services: DialogServices;
  /** The main menu's items, in order (from the registry). */
  menu: readonly string[];
}
