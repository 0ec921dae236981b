import type { Address, ChannelId } from './address.js';
import type { EmergencyCall } from './triage.js';

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
  answeredAt: number | null;
  /** An emergency: the numbers the person was told to call. */
  calls: EmergencyCall[];
  /** More alarms from the same chat merged into this one. */
  repeats: number;
  /** A follow-up: the question whose thread it continues. */
  threadOf: string | null;
  location: { lat: number; lon: number } | null;
}

export type NewHandoff = Pick<Handoff, 'id' | 'code' | 'kind' | 'channel' | 'chatId' | 'question' | 'createdAt'> & {
  calls?: EmergencyCall[];
  threadOf?: string | null;
};
