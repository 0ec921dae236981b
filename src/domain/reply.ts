import type { Msg } from './message.js';

export interface OptionOut {
  id: string;
  label: Msg;
  /**
   * A choice that cannot be undone (cancel a request, erase data): a typed number never picks it,
   * only its button, its whole label, or one of these words typed.
   */
  confirmWords?: string[];
}

/**
 * What the bot says in one message, before any platform renders it: the conversation's answers,
 * cards and notices alike. Buttons where the platform has them, a numbered list where not.
 */
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
  /** Offer the platform's "share my location" button where there is one (after an emergency). */
  askLocation?: boolean;
  /** Remove a platform keyboard left from an earlier prompt. */
  clearKeyboard?: boolean;
  /** A photo (a platform file id or URL) shown before the text, where the channel can. */
  photo?: string;
}
