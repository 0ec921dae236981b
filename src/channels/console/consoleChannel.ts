import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DialogEngine } from '../../dialogs/engine.js';
import type { StaffDialog } from '../../dialogs/staff.js';
import type { Msg } from '../../domain/message.js';
import type { Translator } from '../../i18n.js';
import { renderPlain } from '../plainText.js';
import type { ConsoleSender } from './consoleSender.js';

/** The team group a console officer works in, and who the console's officer and admin are. */
export const CONSOLE_GROUP = 'console:team';
export const CONSOLE_OFFICER = 'console-officer';
export const CONSOLE_ADMIN = 'console-admin';

type Role = 'dan' | 'canbo' | 'chihuy';

export interface ConsoleOptions {
  engine: DialogEngine;
  translator: Translator;
  input: Readable;
  output: Writable;
  interactive: boolean;
  /** Chat identity; one local person by default, so a restart continues the same conversation. */
  chatId?: string;
  /** With a queue: officers' and admins' side, switched with /vai canbo, /vai chihuy, /vai dan. */
  staff?: StaffDialog;
  sender?: ConsoleSender;
}

/**
 * The bot on stdin/stdout, no platform needed. Works typed by a person or fed by a pipe (one
 * message per line, replies on stdout, ends with the input), so scripts can drive it.
 */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  const chatId = o.chatId ?? 'local';
  const write = (s: string) => o.output.write(`${s}\n`);
  const say = async (text: string, as = chatId) => {
    const replies = await o.engine.handle({ channel: 'console', chatId: as, userId: as, text });
    for (const r of replies) write(`\n${renderPlain(r, o.translator)}`);
  };
  const print = (msgs: Msg[]) => write(`\n${o.translator.renderAll(msgs)}`.replace(/<\/?b>/g, ''));
  let role: Role = 'dan';
  const staffSay = async (text: string) => {
    const staff = o.staff!;
    const m = /^\/vai\s+(dan|canbo|chihuy)\s*$/i.exec(text.trim());
    if (m) {
      role = m[1]!.toLowerCase() as Role;
      return print([{ key: `common:console.role_${role}` }]);
    }
    if (role === 'dan') return say(text);
    const officer = role === 'canbo';
    const number = /^\s*(\d{1,2})\s*$/.exec(text);
    if (officer && number) {
      const option = o.sender?.optionAt(CONSOLE_GROUP, Number(number[1]));
      return print([option ? await staff.press(CONSOLE_GROUP, CONSOLE_OFFICER, option) : { key: 'common:console.no_card' }]);
    }
    const reply = await staff.command({
      chatId: officer ? CONSOLE_GROUP : `console:${CONSOLE_ADMIN}`,
      userId: officer ? CONSOLE_OFFICER : CONSOLE_ADMIN,
      userName: o.translator.render({ key: officer ? 'common:console.officer_name' : 'common:console.admin_name' }),
      isGroup: officer,
      text,
    });
    if (reply) return print(reply);
    // Anything else the commander types goes to the bot as the commander: /thongbao, /phien…
    if (!officer) return say(text, CONSOLE_ADMIN);
    print([{ key: `common:console.role_${role}` }]);
  };
  const handleLine = (line: string) => (o.staff ? staffSay(line) : say(line));
  const rl = createInterface({ input: o.input, terminal: false });
  if (o.interactive) {
    write(o.translator.render({ key: 'common:console.banner' }));
    await say('/start');
  }
  const prompt = () => o.interactive && o.output.write(`\n${o.translator.render({ key: 'common:console.you' })}> `);
  prompt();
  for await (const line of rl) {
    if (!o.interactive) write(`\n> ${line}`);
    await handleLine(line);
    prompt();
  }
}
