import type { Address, AddressKind, ChannelId } from '../domain/address.js';
import type { Msg } from '../domain/message.js';
import type { InboundEvent, Reply } from '../conversation/types.js';
import type { Lang } from '../i18n.js';

/** What a platform can do; flows and notices are rendered to fit it. */
export interface ChannelCaps {
  /** Most buttons one message can carry (0: none, options become a numbered list). */
  buttons: number;
  /** Sent messages can be edited in place (cards). */
  edit: boolean;
  /** The bot can work in group chats (a team's work chat, the duty chat). */
  groups: boolean;
  /** The platform can hand us the user's phone number (a share button or form). */
  contact: boolean;
  /** Longest text of one message; longer replies are split. */
  maxText: number;
  format: 'html' | 'plain';
  /** Free messages only this long after the person last wrote (Zalo OA: 7 days); unset: always. */
  replyWindowMs?: number;
  /** The platform reports when a message was received and seen (announcements record it by message id). */
  receipts?: boolean;
}

/** The platform's send limits, for the shared pacer. */
export interface ChannelLimits {
  globalPerSecond: number;
  /** Minimum interval between two sends to one chat of this kind. */
  intervalMs(kind: AddressKind): number;
}

/** A webhook the one HTTP server mounts for a channel. Raw bytes: some platforms sign them. */
export interface WebhookRoute {
  path: string;
  /** POST by default; GET for what a browser or the platform opens (an OAuth callback, a domain check file). */
  method?: 'GET' | 'POST';
  handle(req: {
    headers: Record<string, string | string[] | undefined>;
    rawBody: Buffer;
    query?: Record<string, string | undefined>;
  }): Promise<{ status: number; body?: unknown; type?: string }>;
}

/** What the rest of the bot gives a channel: where inbound events go, and the HTTP server. */
export interface ChannelHost {
  /** Handles one event completely (replies delivered). Never throws; `toast` is a short answer to a button. */
  inbound(event: InboundEvent): Promise<{ toast?: Msg }>;
  /** Mounts a webhook route on the one HTTP server. */
  route(r: WebhookRoute): void;
  /** Turns a message into text in the platform's format, for toasts and such. */
  text(m: Msg, lang?: Lang): string;
}

/**
 * One platform. `render` turns a Reply into the platform's messages (buttons or a numbered
 * list, by capability); `send` and `edit` make one platform call each and throw SendFailure.
 * Delivery (pacing, retries, 403 → unreachable) is not the adapter's: it is one path for all.
 */
export interface ChannelAdapter<M = unknown> {
  readonly id: ChannelId;
  readonly caps: ChannelCaps;
  readonly limits: ChannelLimits;
  /** Private chat or group, from a chat id alone (for chats named in the settings). */
  kindOf(chatId: string): AddressKind;
  render(reply: Reply, lang?: Lang): M[];
  send(to: Address, message: M): Promise<string | undefined>;
  edit(to: Address, messageId: string, message: M): Promise<void>;
  /** Starts taking updates (polling, or routes on the host's server). */
  start(host: ChannelHost): Promise<void>;
  /** Stops taking updates; bounded, never retries. */
  stop(): Promise<void>;
}

export type SendFailureKind = 'rate_limited' | 'blocked' | 'transient' | 'permanent' | 'not_modified' | 'window_closed';

/** A platform's refusal, in the few kinds that decide what delivery does next. */
export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}
