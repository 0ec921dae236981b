import type { Param } from './message.js';
import type { ChannelId } from './address.js';

/** Who an announcement goes to. Citizens with an open request are always among the concerned. */
export type Audience =
  | { kind: 'all' }
  | { kind: 'communes'; communeIds: string[] }
  /** Chats with an open request; a commander of some communes reaches only theirs. */
  | { kind: 'open_requests'; communeIds?: string[] }
  /**
   * A session's people: its commune's subscribers and those with an open request for it (bound
   * to it, or for its day there). `subscribersOnly`: the venue reminder, which those with a
   * request do not get (they are reminded of their own visit or pickup instead).
   */
  | { kind: 'session'; communeId: string; date: string; sessionId?: string; subscribersOnly?: boolean };

export type BroadcastKind = 'admin' | 'reminder' | 'session_changed';
export type BroadcastStatus = 'preparing' | 'sending' | 'done' | 'cancelled';
export type RecipientStatus = 'pending' | 'sent' | 'failed' | 'blocked' | 'unknown';

/** An admin's own words, or one of the bot's notices (a message key and its parameters). */
export type BroadcastContent = { text: string } | { key: string; params: Record<string, Param> };

export interface Broadcast {
  id: string;
  kind: BroadcastKind;
  createdBy: string;
  content: BroadcastContent;
  photo: string | null;
  audience: Audience;
  status: BroadcastStatus;
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  report: { channel: ChannelId; chatId: string; messageId: string | null } | null;
  createdAt: number;
  finishedAt: number | null;
  /** Where the platform reports them (Zalo OA): how many phones got it, how many people opened it. */
  receipts?: { delivered: number; seen: number };
}

export interface Recipient {
  seq: number;
  channel: ChannelId;
  chatId: string;
  status: RecipientStatus;
}

/** Recipients per fan-out job: small enough that a retried batch repeats little work. */
export const BATCH_SIZE = 50;

export interface NewBroadcast {
  id: string;
  kind: BroadcastKind;
  createdBy: string;
  content: BroadcastContent;
  photo?: string | null;
  audience: Audience;
  report?: { channel: ChannelId; chatId: string } | null;
}
