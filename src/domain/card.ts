import type { Address } from './address.js';

export type CardMode = 'actions' | 'outcome' | 'handback' | 'closed';

/** The card of a request in its team's work chat, one per assignment round. */
export interface Card {
  requestId: string;
  teamId: string;
  /** The team's work chat the card lives in. */
  chat: Address;
  messageId: string | null;
  round: number;
  claimedBy: string | null;
  claimedName: string | null;
  attempts: number;
  mode: CardMode;
  flagged: boolean;
}
