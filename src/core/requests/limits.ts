import type { Address } from '../../domain/address.js';
import type { CitizenRequest, RequestType } from '../../domain/request.js';
import type { Session } from '../../domain/session.js';
import { foldText } from '../../domain/text.js';
import type { RequestStore } from '../ports.js';
import type { Draft } from './fields.js';

/** Why a request may not be filed now, with what the person needs to hear about it. */
export type LimitVerdict =
  | { ok: true }
  | { ok: false; reason: 'chat' | 'phone'; open: number; max: number }
  | { ok: false; reason: 'same_person'; existing: CitizenRequest };

type Store = Pick<RequestStore, 'byId' | 'openCountForChat' | 'openCountForPhone' | 'openForPerson' | 'countForSession'>;

/**
 * What keeps one chat (or one phone) from filling the teams' days: at most `maxOpen` open
 * requests each, and no second open request for the same person (name folded, birth year,
 * commune). Checked before anything is stored, so a refusal leaves nothing half-saved.
 */
export class RequestLimits {
  constructor(
    private readonly store: Store,
    readonly maxOpen: number,
  ) {}

  /**
   * Checks what the draft holds so far (the intake asks early, so nobody types a whole request
   * for nothing, and again at the confirm). A draft already filed (a confirm retried after a
   * crash) is never counted against itself: filing it again returns the same request.
   */
  async check(draft: Draft, chat: Address): Promise<LimitVerdict> {
    if (draft.requestId !== undefined && (await this.store.byId(draft.requestId))) return { ok: true };
    if (draft.personName !== undefined && draft.birthYear !== undefined && draft.communeId !== undefined) {
      const name = foldText(draft.personName);
      const same = (await this.store.openForPerson(draft.birthYear, draft.communeId)).find((r) => foldText(r.personName) === name);
      if (same) return { ok: false, reason: 'same_person', existing: same };
    }
    const inChat = await this.store.openCountForChat(chat.channel, chat.chatId);
    if (inChat >= this.maxOpen) return { ok: false, reason: 'chat', open: inChat, max: this.maxOpen };
    if (draft.phone !== undefined) {
      const withPhone = await this.store.openCountForPhone(draft.phone);
      if (withPhone >= this.maxOpen) return { ok: false, reason: 'phone', open: withPhone, max: this.maxOpen };
    }
    return { ok: true };
  }

  /**
   * Whether a session has no place left for this type of request. A capacity of 0 is one the
   * commander has not set (sessions are created with 0 and given capacities later): no limit.
   */
  async sessionFull(s: Session, type: RequestType): Promise<boolean> {
    const capacity = type === 'ride' ? s.rideCapacity : s.homeCapacity;
    if (capacity <= 0) return false;
    return (await this.store.countForSession(s.id, type)) >= capacity;
  }
}
