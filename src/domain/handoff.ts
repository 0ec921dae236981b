import type { Address, ChannelId } from './address.js';

export type HandoffKind = 'question' | 'emergency';

/** A question (or an emergency report) passed to the duty officers, and where it was posted. */
export interface Handoff {
  id: string;
  code: string;
  kind: HandoffKind;
  channel: ChannelId;
  /** null once the person erased their data. */
  chatId: string | null;
  question: string | null;
  /** Where it was posted for the duty officers, once it was. */
  duty: { chat: Address; messageId: string | null } | null;
  answers: number;
  createdAt: number;
}
