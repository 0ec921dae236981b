import type { Msg } from '../domain/message.js';
import type { Channel, Condition, RequestType, Service } from '../domain/request.js';
import type { Lang } from '../i18n.js';

/** Longest message we read; anything longer is refused kindly rather than stored. */
export const MAX_INPUT_CHARS = 1000;

/** What any channel turns a platform update into. No platform type passes this line. */
export interface InboundEvent {
  channel: Channel;
  chatId: string;
  userId: string;
  /** Platform delivery id (Telegram update_id, Zalo message_id): a redelivery is handled once. */
  deliveryId?: string;
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

export interface OptionOut {
  id: string;
  label: Msg;
}

export interface Reply {
  text: Msg[];
  /** Choices: buttons where the platform has them, a numbered list where it does not. */
  options?: OptionOut[];
  /** Offer "back" and "cancel" too. */
  nav?: boolean;
  /** Ties a button press to this prompt; presses on older prompts are refused. */
  nonce?: number;
  /** Offer the platform's "share my phone number" button where there is one. */
  askContact?: boolean;
  /** Remove a platform keyboard left from an earlier prompt. */
  clearKeyboard?: boolean;
  /** A photo (a Telegram file id) shown before the text, where the channel can. */
  photo?: string;
}

export interface Draft {
  requestId?: string;
  type?: RequestType;
  filedFor?: 'self' | 'other';
  consentAt?: number;
  personName?: string;
  birthYear?: number;
  condition?: Condition;
  communeId?: string;
  address?: string;
  pickupAddress?: string;
  people?: number;
  phone?: string;
  services?: Service[];
  preferredDate?: string;
  /** '' once the person said there is nothing to add. */
  notes?: string;
}

export type FlowName = 'menu' | 'intake' | 'cancel' | 'erase' | 'guide' | 'handoff' | 'schedule' | 'announce' | 'sessions';

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
