import { type CitizenRequest, OPEN_STATUSES } from '../domain/request.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import type { Owner, RequestRepository } from '../db/repositories/requests.js';
import type { Clock } from './clock.js';
import { actorOf } from './intake.js';

export type CancelledListener = (request: CitizenRequest) => Promise<void> | void;

/** What a citizen can do with the requests they filed: see them and cancel them. */
export class MyRequestsService {
  private readonly listeners: CancelledListener[] = [];

  constructor(
    private readonly requests: RequestRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  onCancelled(listener: CancelledListener): void {
    this.listeners.push(listener);
  }

  list(owner: Owner): Promise<CitizenRequest[]> {
    return this.requests.listByOwner(owner);
  }

  listOpen(owner: Owner): Promise<CitizenRequest[]> {
    return this.requests.listByOwner(owner, true);
  }

  /** Only the owner's own request is found: a code guessed by someone else reveals nothing. */
  async findOwned(owner: Owner, code: string): Promise<CitizenRequest | undefined> {
    const r = await this.requests.byCode(code);
    return r && r.channel === owner.channel && r.userId === owner.userId ? r : undefined;
  }

  async cancel(owner: Owner, requestId: string): Promise<'cancelled' | 'too_late' | 'not_found'> {
    const r = await this.requests.byId(requestId);
    if (!r || r.channel !== owner.channel || r.userId !== owner.userId) return 'not_found';
    const now = this.clock.now();
    if (!(await this.requests.transition(r.id, OPEN_STATUSES, 'cancelled', now))) return 'too_late';
    await this.audit.record(actorOf(owner), 'request_cancelled', r.id, now);
    for (const l of this.listeners) await l({ ...r, status: 'cancelled' });
    return 'cancelled';
  }
}
