import type { AuditRepository } from '../db/repositories/audit.js';
import type { DialogStateRepository } from '../db/repositories/dialogStates.js';
import type { HandoffRepository } from '../db/repositories/handoffs.js';
import type { BroadcastRepository } from '../db/repositories/broadcasts.js';
import type { SubscriptionRepository } from '../db/repositories/subscriptions.js';
import type { Owner, RequestRepository } from '../db/repositories/requests.js';
import type { Clock } from './clock.js';
import { actorOf } from './intake.js';

/**
 * Delete-my-data: personal fields of every request of this person are erased, open ones
 * cancelled; their questions to the duty officers, their subscriptions and their place on
 * announcement lists are erased too.
 */
export class PrivacyService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly states: DialogStateRepository,
    private readonly handoffs: HandoffRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async eraseOwner(owner: Owner, chatKey: string, chatId: string): Promise<number> {
    const now = this.clock.now();
    const ids = await this.requests.eraseOwner(owner, now);
    await this.states.delete(chatKey);
    await this.handoffs.eraseChat(owner.channel, chatId);
    await this.subscriptions.unsubscribe(owner.channel, chatId);
    await this.broadcasts.forgetChat(owner.channel, chatId);
    await this.audit.record(actorOf(owner), 'data_erased', ids.length > 0 ? ids.join(',') : null, now);
    return ids.length;
  }
}
