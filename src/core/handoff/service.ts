import { randomUUID } from 'node:crypto';
import type { Address, ChannelId } from '../../domain/address.js';
import type { Handoff, HandoffKind } from '../../domain/handoff.js';
import { findCode, newCode } from '../../domain/request.js';
import type { AuditLog, Clock, FollowUps, HandoffStore } from '../ports.js';

const QUESTION_MAX = 1000;
const ANSWER_MAX = 2000;

/**
 * Human handoff: a person's question (or emergency report) goes to the duty officers' chat,
 * and an officer's reply goes back through the channel the person wrote on. The question is
 * saved before the person is told it was passed on; its posting is a follow-up job, kept in the
 * database while the queue is down.
 */
export class HandoffService {
  constructor(
    private readonly repo: HandoffStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly jobs: FollowUps,
    /** Where questions go; none configured (a bare console): nobody to pass them to. */
    readonly dutyChat: Address | undefined,
  ) {}

  /** There is someone to pass questions to. */
  get available(): boolean {
    return this.dutyChat !== undefined;
  }

  isDutyChat(a: Pick<Address, 'channel' | 'chatId'>): boolean {
    return this.dutyChat !== undefined && this.dutyChat.channel === a.channel && this.dutyChat.chatId === a.chatId;
  }

  async forward(channel: ChannelId, chatId: string, text: string, kind: HandoffKind): Promise<Handoff> {
    const now = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      const h = { id: randomUUID(), code: newCode('HD'), kind, channel, chatId, question: text.slice(0, QUESTION_MAX), createdAt: now };
      if (await this.repo.create(h)) {
        await this.jobs.postHandoff(h.id);
        return { ...h, duty: null, answers: 0, answeredAt: null, calls: [], repeats: 0, threadOf: null, location: null };
      }
      if (attempt > 20) throw new Error('could not find a free handoff code');
    }
  }

  /** The handoff an officer is answering: by replying to its message, or by naming its code. */
  async find(chat: Pick<Address, 'channel' | 'chatId'>, replyToMessageId: string | undefined, text: string): Promise<Handoff | undefined> {
    if (replyToMessageId !== undefined) {
      const h = await this.repo.byDutyMessage(chat, replyToMessageId);
      if (h) return h;
    }
    const code = findCode('HD', text);
    return code ? this.repo.byCode(code) : undefined;
  }

  /** 'gone': the person erased their data, nobody to answer. */
  async answer(h: Handoff, text: string, officer: string, actor: string, source: string): Promise<'sent' | 'gone'> {
    if (!h.chatId) return 'gone';
    const now = this.clock.now();
    await this.repo.addAnswer(h.id, now);
    await this.jobs.sendAnswer(h.id, source, text.slice(0, ANSWER_MAX), officer);
    await this.audit.record(actor, 'handoff_answered', h.code, now);
    return 'sent';
  }

  eraseChat(channel: ChannelId, chatId: string): Promise<number> {
    return this.repo.eraseChat(channel, chatId);
  }
}
