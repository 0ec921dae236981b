import type { Handoff } from '../../domain/handoff.js';
import type { StaffMember } from '../../domain/team.js';
import type { AuditLog, Clock, HandoffStore } from '../ports.js';
import type { HandoffService } from './service.js';

export type InboxItem = Handoff & { handledAt: number | null };

export interface InboxStore {
  /** Not answered and not handled first, then the newest. */
  list(limit: number): Promise<InboxItem[]>;
  markHandled(id: string, now: number): Promise<boolean>;
  /** Changes whenever a question arrives, is answered or handled: a page knows when to refresh. */
  version(): Promise<string>;
}

/** Still waiting for someone on duty. */
export function waiting(h: InboxItem): boolean {
  return h.answers === 0 && h.handledAt === null;
}

/**
 * The duty inbox on the web: the questions and emergency reports the duty chat gets, answered
 * from the browser through the same path as a reply in the chat (the person hears it on the app
 * they wrote from), or marked handled (called back, nothing to say).
 */
export class DutyInbox {
  constructor(
    private readonly store: InboxStore,
    private readonly handoffs: HandoffService,
    private readonly repo: HandoffStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  list(limit = 100): Promise<InboxItem[]> {
    return this.store.list(limit);
  }

  version(): Promise<string> {
    return this.store.version();
  }

  /** Reading the questions is reading personal data: recorded. */
  async viewed(by: StaffMember): Promise<void> {
    await this.audit.record(`staff:${by.id}`, 'inbox_viewed', null, this.clock.now());
  }

  byCode(code: string): Promise<Handoff | undefined> {
    return this.repo.byCode(code);
  }

  /** `nonce`: the form's own id, so a double press sends the answer once. */
  async answer(h: Handoff, text: string, by: StaffMember, nonce: string): Promise<'sent' | 'gone'> {
    return this.handoffs.answer(h, text, by.name, `staff:${by.id}`, `web.${nonce}`);
  }

  async markHandled(h: Handoff, by: StaffMember): Promise<boolean> {
    const now = this.clock.now();
    if (!(await this.store.markHandled(h.id, now))) return false;
    await this.audit.record(`staff:${by.id}`, 'handoff_handled', h.code, now);
    return true;
  }
}
