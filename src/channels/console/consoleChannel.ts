import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DialogEngine } from '../../dialogs/engine.js';
import type { Translator } from '../../i18n.js';
import { renderPlain } from '../plainText.js';

export interface ConsoleOptions {
  engine: DialogEngine;
  translator: Translator;
  input: Readable;
  output: Writable;
  interactive: boolean;
  /** Chat identity; one local person by default, so a restart continues the same conversation. */
  chatId?: string;
}

/**
 * The bot on stdin/stdout, no platform needed. Works typed by a person or fed by a pipe (one
 * message per line, replies on stdout, ends with the input), so scripts can drive it.
 */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  const chatId = o.chatId ?? 'local';
  const write = (s: string) => o.output.write(`${s}\n`);
  const say = async (text: string) => {
    const replies = await o.engine.handle({ channel: 'console', chatId, userId: chatId, text });
    for (const r of replies) write(`\n${renderPlain(r, o.translator)}`);
  };
  const rl = createInterface({ input: o.input, terminal: false });
  if (o.interactive) {
    write(o.translator.render({ key: 'common:console.banner' }));
    await say('/start');
  }
  const prompt = () => o.interactive && o.output.write(`\n${o.translator.render({ key: 'common:console.you' })}> `);
  prompt();
  for await (const line of rl) {
    if (!o.interactive) write(`\n> ${line}`);
    await say(line);
    prompt();
  }
}
