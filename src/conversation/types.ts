import type { Actor, Address } from '../domain/address.js';
import type { Msg } from '../domain/message.js';
import type { OptionOut, Reply } from '../domain/reply.js';
import type { Draft } from '../core/requests/fields.js';
import type { Lang } from '../i18n.js';

export type { OptionOut, Reply, Draft };

/** Longest message we read; anything longer is refused kindly rather than stored. */
export const MAX_INPUT_CHARS = 1000;

/** What any channel turns a platform update into. No platform type passes this line. */
export interface InboundEvent {
  /** The chat it came from: replies go there. */
  address: Address;
  /** Who sent it. */
  actor: Actor;
  /** The sender's display name, where the platform gives one (officers are registered by it). */
  actorName?: string;
  /** Platform delivery id (Telegram update_id, Zalo message_id): a redelivery is handled once. */
  deliveryId?: string;
  /** The platform's id of this message, to act once on an officer's redelivered reply. */
  messageId?: string;
  /** A reply to one of our messages (the duty chat answers a question this way). */
  replyTo?: string;
  text?: string;
  /** A pressed button: the option id and the prompt it belonged to. */
  option?: { id: string; nonce: number };
  contact?: { phone: string };
  /** A photo (Telegram file id); its caption, if any, is `text`. */
  photo?: string;
  location?: { lat: number; lon: number };
  /** Sticker, photo, voice…: something we cannot read. */
  unsupported?: boolean;
}

/** A flow's name in the registry. */
export type FlowName = string;

/** Everything a conversation needs to continue after a restart. Serialised as JSON. */
export interface ChatState {
  lang: Lang;
  flow: FlowName;
  step: string;
  draft: Draft;
  /** Small flow-specific values: a request chosen for cancelling, commune suggestions… */
  data: Record<string, string | string[] | undefined>;
  /** Editing one field from the summary: go back to the summary after it. */
  editing: boolean;
  nonce: number;
  offered: string[];
  /** Labels of the offered options, so a typed answer can be matched to them after a restart. */
  labels: Msg[];
  contactAsked: boolean;
  /** Offered choices that cannot be undone, and the typed words that pick them. */
  confirmWords: Record<string, string[]>;
  /** The last delivery ids handled for this chat. */
  seen: string[];
}

export interface Prompt {
  text: Msg[];
  options?: OptionOut[];
  nav?: boolean;
  askContact?: boolean;
}

export type Input = { option: string } | { text: string } | { contact: string } | { photo: string; caption: string };

/** What a flow says back about one input. */
export interface Outcome {
  say: Msg[];
  /** The input was not accepted: `say` explains, and the same question stays open. */
  rejected?: boolean;
}
