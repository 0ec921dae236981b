import { randomBytes } from 'node:crypto';
import { type Actor, actorKey, type Address, addressKey } from '../../domain/address.js';
import type { AuditLog, BroadcastStore, Clock, StateStore, SubscriptionStore } from '../ports.js';
import type { HandoffService } from '../handoff/service.js';
import type { RequestService } from '../requests/service.js';

/**
 * Delete-my-data: personal fields of every request of this person are erased, open ones
 * cancelled (their cards closed and their teams told, like any cancellation); their questions to
 * the duty officers, their subscriptions, their place on announcement lists and their
 * conversation are erased too.
 */
export class PrivacyService {
  constructor(
    private readonly requests: RequestService,
    private readonly states: StateStore,
    private readonly handoffs: HandoffService,
    private readonly subscriptions: SubscriptionStore,
    private readonly broadcasts: BroadcastStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Makes the erasure final in the files (SQLite keeps old pages in its log until then). */
    private readonly flushErased: () => Promise<void> = async () => undefined,
    /** When the chat last wrote (a channel's reply window): it goes with the rest. */
    private readonly contacts?: { forget(channel: string, chatId: string): Promise<void> },
  ) {}

  async eraseOwner(owner: Actor, chat: Address): Promise<number> {
    const ids = await this.requests.eraseOwner(owner);
    await this.states.delete(addressKey(chat));
    await this.handoffs.eraseChat(chat.channel, chat.chatId);
    await this.subscriptions.unsubscribe(chat.channel, chat.chatId);
    await this.broadcasts.forgetChat(chat.channel, chat.chatId);
    await this.contacts?.forget(chat.channel, chat.chatId);
    // The log keeps what was done, no longer by whom: their account becomes a pseudonym.
    const pseudonym = `erased:${randomBytes(6).toString('hex')}`;
    await this.audit.pseudonymise(actorKey(owner), pseudonym);
    await this.audit.record(pseudonym, 'data_erased', ids.length > 0 ? ids.join(',') : null, this.clock.now());
    await this.flushErased();
    return ids.length;
  }
}
