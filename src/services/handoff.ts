import { randomUUID } from 'node:crypto';
import type { AuditRepository } from '../db/repositories/audit.js';
import type { Handoff, HandoffKind, HandoffRepository } from '../db/repositories/handoffs.js';
import { type Channel, findCode, newCode } from '../domain/request.js';
import type { Clock } from './clock.js';

/** Posts questions to the duty chat and answers back to people (implemented by the outbound queue). */
export interface HandoffDelivery {
  postHandoff(id: string): Promise<void>;
  /** `source` names the officer's message: the same reply delivered twice is sent once. */
  sendAnswer(id: string, source: string, text: string, officer: string): Promise<void>;
}

const QUESTION_MAX = 1000;
const ANSWER_MAX = 2000;

/**
 * Human handoff: a person's question (or emergency report) goes to the duty officers' chat,
 * and an officer's reply goes back through the channel the person wrote on. The question is
 * saved before the person is told it was passed on; if the queue is down, the reconciler posts
 * it later.
 */
export class HandoffService {
  private delivery: HandoffDelivery | undefined;

  constructor(
    private readonly repo: HandoffRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly onDeliveryFailed: (e: unknown) => void,
  ) {}

  useDelivery(d: HandoffDelivery): void {
    this.delivery = d;
  }

  /** There is someone to pass questions to (a queue, so a duty chat). */
  get available(): boolean {
    return this.delivery !== undefined;
  }

  async forward(channel: Channel, chatId: string, text: string, kind: HandoffKind): Promise<Handoff> {
    const now = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      const h = { id: randomUUID(), code: newCode('HD'), kind, channel, chatId, question: text.slice(0, QUESTION_MAX), createdAt: now };
      if (await this.repo.create(h)) {
        await this.post(h.id);
        return { ...h, dutyChatId: null, dutyMessageId: null, answers: 0 };
      }
      if (attempt > 20) throw new Error('could not find a free handoff code');
    }
  }

  /** Re-posts a question whose post never happened (Redis down, process killed). */
  async post(id: string): Promise<void> {
    try {
      if (!this.delivery) throw new Error('no queue: questions cannot reach the duty chat');
      await this.delivery.postHandoff(id);
    } catch (e) {
      this.onDeliveryFailed(e);
    }
  }

  /** The handoff an officer is answering: by replying to its message, or by naming its code. */
  async find(dutyChatId: string, replyToMessageId: number | undefined, text: string): Promise<Handoff | undefined> {
    if (replyToMessageId !== undefined) {
      const h = await this.repo.byDutyMessage(dutyChatId, replyToMessageId);
      if (h) return h;
    }
    const code = findCode('HD', text);
    return code ? this.repo.byCode(code) : undefined;
  }

  /** 'gone': the person erased their data, nobody to answer. */
  async answer(h: Handoff, text: string, officer: string, actor: string, source: string): Promise<'sent' | 'gone' | 'unavailable'> {
    if (!h.chatId) return 'gone';
    if (!this.delivery) return 'unavailable';
    const now = this.clock.now();
    await this.repo.addAnswer(h.id, now);
    await this.delivery.sendAnswer(h.id, source, text.slice(0, ANSWER_MAX), officer);
    await this.audit.record(actor, 'handoff_answered', h.code, now);
    return 'sent';
  }

  eraseChat(channel: Channel, chatId: string): Promise<number> {
    return this.repo.eraseChat(channel, chatId);
  }
}
