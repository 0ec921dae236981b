import type { Actor } from '../../domain/address.js';
import { NOTES_MAX } from '../../domain/request.js';
import type { AuditLog, Clock, FeedbackAnswer, FeedbackStore, FollowUps, RequestStore } from '../ports.js';
import type { RequestService } from './service.js';

/** How long the question stays open to a typed answer ("1", "có"). */
const ANSWER_WITHIN_MS = 7 * 24 * 3600_000;

/**
 * "Did the officer come?", a day after a request is done: one question, three answers, an
 * optional comment. "Nobody came" reopens the request for the commander. The answers are kept
 * for the reports; a comment is the person's own words and is erased with their data.
 */
export class FeedbackService {
  constructor(
    private readonly store: FeedbackStore,
    private readonly requests: RequestStore,
    private readonly service: RequestService,
    private readonly jobs: FollowUps,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** The delayed check fired: asked once, only if it is still done and the person still here. */
  async ask(requestId: string): Promise<void> {
    const r = await this.requests.byId(requestId);
    if (!r || r.status !== 'done' || !r.chatId || r.erasedAt !== undefined) return;
    if (await this.store.ask(r.id, this.clock.now())) await this.jobs.notifyCitizen(r, 'feedback', r.round ?? 0);
  }

  /** The question this chat may be answering now, if any. */
  pending(channel: string, chatId: string): Promise<{ requestId: string; code: string } | undefined> {
    return this.store.pendingFor(channel, chatId, this.clock.now() - ANSWER_WITHIN_MS);
  }

  /** Only the owner answers, once. 'reopened': nobody came, the commander is told. */
  async answer(owner: Actor, requestId: string, answer: FeedbackAnswer): Promise<'thanks' | 'reopened' | 'already' | 'not_found'> {
    const r = await this.requests.byId(requestId);
    if (!r || r.channel !== owner.channel || r.userId !== owner.userId) return 'not_found';
    if (!(await this.store.answer(r.id, answer, this.clock.now()))) return 'already';
    if (answer !== 'nobody') return 'thanks';
    await this.service.reopenNobodyCame(r);
    return 'reopened';
  }

  async comment(owner: Actor, requestId: string, text: string): Promise<void> {
    const r = await this.requests.byId(requestId);
    if (!r || r.channel !== owner.channel || r.userId !== owner.userId) return;
    await this.store.comment(r.id, text.slice(0, NOTES_MAX));
    await this.audit.record(`${owner.channel}:${owner.userId}`, 'feedback_given', r.id, this.clock.now());
  }
}
