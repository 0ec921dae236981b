import type { Writable } from 'node:stream';
import type { Address } from '../../domain/address.js';
import type { Reply } from '../../domain/reply.js';
import type { Lang, Translator } from '../../i18n.js';
import type { ChannelAdapter } from '../adapter.js';
import { renderPlain } from '../plainText.js';

/** The console's one team "group", and who its officer and commander are. */
export const CONSOLE_GROUP = 'team';
export const CONSOLE_OFFICER = 'console-officer';
export const CONSOLE_ADMIN = 'console-admin';

export type ConsoleAdapter = ReturnType<typeof consoleAdapter>;

export interface ConsoleMessage {
  text: string;
  options: string[];
}

/**
 * The terminal as a channel: everything the bot sends (answers, cards of a team linked to the
 * console's "group", notices) is printed. It remembers each chat's last options so the officer
 * role can press a card's buttons by number.
 */
export function consoleAdapter(output: Writable, translator: Translator): ChannelAdapter<ConsoleMessage> & { optionAt(chatId: string, n: number): string | undefined } {
  let nextId = 1;
  const options = new Map<string, string[]>();
  const print = (to: Address, m: ConsoleMessage) => {
    options.set(to.chatId, m.options);
    output.write(`\n${m.text}\n`);
  };
  return {
    id: 'console',
    caps: { buttons: 0, edit: true, groups: true, contact: false, maxText: 1_000_000, format: 'plain' },
    limits: { globalPerSecond: 1000, intervalMs: () => 0 },
    kindOf: (chatId) => (chatId === CONSOLE_GROUP ? 'group' : 'private'),
    render: (reply: Reply, lang?: Lang) => [{ text: renderPlain(reply, translator, lang), options: (reply.options ?? []).map((o) => o.id) }],
    async send(to, m) {
      print(to, m);
      return String(nextId++);
    },
    async edit(to, _messageId, m) {
      print(to, m);
    },
    async start() {},
    async stop() {},
    /** The option id a number typed in this chat stands for, from what was printed last. */
    optionAt: (chatId, n) => options.get(chatId)?.[n - 1],
  };
}
