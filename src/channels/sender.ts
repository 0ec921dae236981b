import type { Channel } from '../domain/request.js';
import type { Reply } from '../dialogs/types.js';

/**
 * What the outbound layer needs from a platform: send a reply (get its message id back) and
 * edit it. Platform errors are translated into these few kinds, which decide retry or not.
 */
export interface ChannelSender {
  readonly channel: Channel;
  send(chatId: string, reply: Reply): Promise<number | undefined>;
  edit(chatId: string, messageId: number, reply: Reply): Promise<void>;
  /** Minimum interval between sends to one chat (platform rule). */
  chatIntervalMs(chatId: string): number;
  /** Messages per second the platform accepts from this bot overall. */
  readonly globalPerSecond: number;
}

export type SendFailureKind = 'rate_limited' | 'blocked' | 'transient' | 'permanent' | 'not_modified';

export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}
