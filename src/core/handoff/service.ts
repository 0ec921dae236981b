import { randomUUID } from 'node:crypto';
import type { Address, ChannelId } from '../../domain/address.js';
import type { Handoff, HandoffKind } from '../../domain/handoff.js';
import type { EmergencyCall } from '../../domain/intent.js';
import { findCode, newCode } from '../../domain/request.js';
import type { AuditLog, Clock, FollowUps, HandoffStore } from '../ports.js';

const QUESTION_MAX = 1000;
const ANSWER_MAX = 2000;
/** Words a person writes within this after an officer answered them continue that thread. */
const THREAD_MS = 24 * 3600_000;

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

  /**
   * `source`: the update it comes from (see FlowContext.updateKey). That update handled again —
   * after a lost state save, a crash before the save, on another replica — gets the handoff it
   * already made, not a second one for the duty chat; the database's unique source decides.
   */
  async forward(
    channel: ChannelId,
    chatId: string,
    text: string,
    kind: HandoffKind,
    o: { calls?: EmergencyCall[]; threadOf?: string; source?: string } = {},
  ): Promise<Handoff> {
    const now = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      const h = { id: randomUUID(), code: newCode('HD'), kind, channel, chatId, question: text.slice(0, QUESTION_MAX), createdAt: now, calls: o.calls, threadOf: o.threadOf ?? null, source: o.source ?? null };
      if (await this.repo.create(h)) {
        await this.jobs.postHandoff(h.id);
        return { ...h, calls: o.calls ?? [], duty: null, answers: 0, answeredAt: null, repeats: 0, threadOf: o.threadOf ?? null, location: null };
      }
      const earlier = o.source === undefined ? undefined : await this.repo.bySource(o.source);
      if (earlier) {
        // Saved but perhaps never queued (the first try died in between): the same job id, so one post.
        if (!earlier.duty) await this.jobs.postHandoff(earlier.id);
        return earlier;
      }
      if (attempt > 20) throw new Error('could not find a free handoff code');
    }
  }

  /**
   * A person's words after an officer answered them (within a day): posted to the duty chat as
   * the same thread. Returns the thread's code, or undefined when there is no such thread.
   */
  async followUp(chat: Address, text: string, source?: string): Promise<string | undefined> {
    const answered = await this.repo.answeredSince(chat.channel, chat.chatId, this.clock.now() - THREAD_MS);
    if (!answered) return undefined;
    const root = answered.threadOf ? ((await this.repo.byId(answered.threadOf)) ?? answered) : answered;
    await this.forward(chat.channel, chat.chatId, text, 'question', { threadOf: root.id, source });
    return root.code;
  }

  /** The code a person knows a thread by (a follow-up shows its first question's). */
  async threadCode(h: Handoff): Promise<string> {
    if (!h.threadOf) return h.code;
    return (await this.repo.byId(h.threadOf))?.code ?? h.code;
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

  /** 'gone': the person erased their data, nobody to answer. A follow-up's answer also marks its thread answered. */
  async answer(h: Handoff, text: string, officer: string, actor: string, source: string): Promise<'sent' | 'gone'> {
    if (!h.chatId) return 'gone';
    const now = this.clock.now();
    await this.repo.addAnswer(h.id, now);
    if (h.threadOf) await this.repo.addAnswer(h.threadOf, now);
    await this.jobs.sendAnswer(h.id, source, text.slice(0, ANSWER_MAX), officer);
    await this.audit.record(actor, 'handoff_answered', h.code, now);
    return 'sent';
  }

  eraseChat(channel: ChannelId, chatId: string): Promise<number> {
    return this.repo.eraseChat(channel, chatId);
  }
}
