import { randomUUID } from 'node:crypto';
import { type ChannelAdapter, type ChannelCaps, type ChannelHost, SendFailure } from '../../src/channels/adapter.js';
import { renderPlain } from '../../src/channels/plainText.js';
import type { InboundEvent } from '../../src/conversation/types.js';
import type { Address } from '../../src/domain/address.js';
import type { Reply } from '../../src/domain/reply.js';
import type { Translator } from '../../src/i18n.js';
import type { ChannelEntry } from '../../src/main/channels.js';

export interface Sent {
  to: Address;
  reply: Reply;
  messageId: string;
  /** Edited since it was sent (cards): `reply` is the latest version. */
  edits: number;
}

/**
 * A channel that lives in memory: what the bot sends is recorded as (Address, Reply) pairs, and
 * a test speaks for the people. It is registered like any platform (one entry), which is the
 * point: nothing else in the bot knows it exists, and every flow works on it.
 */
export class MemoryChannel implements ChannelAdapter<Reply> {
  readonly sent: Sent[] = [];
  readonly caps: ChannelCaps;
  readonly limits = { globalPerSecond: 1000, intervalMs: () => 0 };
  private host: ChannelHost | undefined;
  private nextId = 1;
  private seq = 0;
  /** Chats whose sends fail like a platform that was blocked (403). */
  readonly blocked = new Set<string>();
  /** Chats whose next send is answered this many ms late (a slow platform), and recorded then. */
  readonly slowNext = new Map<string, number>();

  constructor(
    readonly id = 'memory',
    caps: Partial<ChannelCaps> = {},
  ) {
    this.caps = { buttons: 10, edit: true, groups: true, contact: true, maxText: 4000, format: 'plain', ...caps };
  }

  /** The registry entry that runs it. */
  entry(): ChannelEntry {
    return { id: this.id, enabled: () => true, create: () => this };
  }

  kindOf(chatId: string) {
    return chatId.startsWith('group') || chatId.startsWith('-') ? ('group' as const) : ('private' as const);
  }

  render(reply: Reply): Reply[] {
    return [reply];
  }

  async send(to: Address, reply: Reply): Promise<string> {
    if (this.blocked.has(to.chatId)) throw new SendFailure('blocked', 'blocked by the user');
    const late = this.slowNext.get(to.chatId);
    if (late !== undefined) {
      this.slowNext.delete(to.chatId);
      await new Promise((ok) => setTimeout(ok, late));
    }
    const messageId = String(this.nextId++);
    this.sent.push({ to, reply, messageId, edits: 0 });
    return messageId;
  }

  async edit(_to: Address, messageId: string, reply: Reply): Promise<void> {
    const m = this.sent.find((s) => s.messageId === messageId);
    if (m) {
      m.reply = reply;
      m.edits++;
    }
  }

  async start(host: ChannelHost): Promise<void> {
    this.host = host;
  }

  async stop(): Promise<void> {}

  /** One event from a person (or an officer in a group), handled completely. */
  async inbound(e: Partial<InboundEvent> & { chatId: string; userId?: string; kind?: Address['kind'] }): Promise<{ toast?: string }> {
    if (!this.host) throw new Error('the memory channel was not started');
    const { chatId, userId, kind, ...rest } = e;
    const event: InboundEvent = {
      address: { channel: this.id, chatId, kind: kind ?? this.kindOf(chatId) },
      actor: { channel: this.id, userId: userId ?? chatId },
      deliveryId: randomUUID(),
      messageId: String(++this.seq),
      ...rest,
    };
    const { toast } = await this.host.inbound(event);
    return { toast: toast ? this.host.text(toast) : undefined };
  }

  to(chatId: string): Sent[] {
    return this.sent.filter((s) => s.to.chatId === chatId);
  }

  /** Everything sent to a chat (since index `from`), as a plain-text channel would show it. */
  textTo(chatId: string, t: Translator, from = 0): string {
    return this.to(chatId)
      .slice(from)
      .map((s) => renderPlain(s.reply, t))
      .join('\n---\n');
  }
}
