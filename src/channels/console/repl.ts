import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { InboundEvent } from '../../conversation/types.js';
import type { Translator } from '../../i18n.js';
import type { ChannelHost } from '../adapter.js';
import { CONSOLE_ADMIN, CONSOLE_GROUP, CONSOLE_OFFICER } from './adapter.js';

type Role = 'dan' | 'canbo' | 'chihuy';

export interface ReplOptions {
  host: ChannelHost;
  translator: Translator;
  input: Readable;
  output: Writable;
  interactive: boolean;
  /** The option a number typed in a chat stands for (the console adapter remembers). */
  optionAt(chatId: string, n: number): string | undefined;
  /** Chat identity; one local person by default, so a restart continues the same conversation. */
  chatId?: string;
}

/**
 * The bot on stdin/stdout, no platform needed. Works typed by a person or fed by a pipe (one
 * message per line, replies on stdout, ends with the input), so scripts can drive it. `/vai`
 * switches who is typing: a citizen, an officer in the team's group, or the commander.
 */
export async function runRepl(o: ReplOptions): Promise<void> {
  const citizen = o.chatId ?? 'local';
  const write = (s: string) => o.output.write(`${s}\n`);
  let role: Role = 'dan';
  let seq = 0;
  const event = (text: string): InboundEvent => {
    const officer = role === 'canbo';
    const chatId = role === 'dan' ? citizen : officer ? CONSOLE_GROUP : CONSOLE_ADMIN;
    const userId = role === 'dan' ? citizen : officer ? CONSOLE_OFFICER : CONSOLE_ADMIN;
    const name = role === 'dan' ? undefined : o.translator.render({ key: officer ? 'common:console.officer_name' : 'common:console.admin_name' });
    const base = { address: { channel: 'console', chatId, kind: officer ? 'group' : 'private' }, actor: { channel: 'console', userId }, actorName: name, messageId: String(++seq) } as const;
    // An officer presses a card's button by typing its number.
    const number = /^\s*(\d{1,2})\s*$/.exec(text);
    const option = officer && number ? o.optionAt(CONSOLE_GROUP, Number(number[1])) : undefined;
    return option ? { ...base, option: { id: option, nonce: 0 } } : { ...base, text };
  };
  const handleLine = async (line: string) => {
    const m = /^\/vai\s+(dan|canbo|chihuy)\s*$/i.exec(line.trim());
    if (m) {
      role = m[1]!.toLowerCase() as Role;
      return write(`\n${o.translator.render({ key: `common:console.role_${role}` })}`);
    }
    const e = event(line);
    if (role === 'canbo' && /^\s*\d{1,2}\s*$/.test(line) && !e.option) return write(`\n${o.translator.render({ key: 'common:console.no_card' })}`);
    const { toast } = await o.host.inbound(e);
    if (toast) write(`\n${o.host.text(toast)}`);
  };
  const rl = createInterface({ input: o.input, terminal: false });
  if (o.interactive) {
    write(o.translator.render({ key: 'common:console.banner' }));
    await handleLine('/start');
  }
  const prompt = () => o.interactive && o.output.write(`\n${o.translator.render({ key: 'common:console.you' })}> `);
  prompt();
  for await (const line of rl) {
    if (!o.interactive) write(`\n> ${line}`);
    await handleLine(line);
    prompt();
  }
}
