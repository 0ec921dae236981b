import type { Writable } from 'node:stream';
import type { Reply } from '../../dialogs/types.js';
import type { Translator } from '../../i18n.js';
import { renderPlain } from '../plainText.js';
import type { ChannelSender } from '../sender.js';

/**
 * The outbound layer's view of the terminal: notices to a console citizen and cards of a team
 * linked to the console's "group" are printed. It remembers each chat's last options so the
 * officer role can press them by number.
 */
export class ConsoleSender implements ChannelSender {
  readonly channel = 'console' as const;
  readonly globalPerSecond = 1000;
  private nextId = 1;
  private readonly options = new Map<string, string[]>();

  constructor(
    private readonly output: Writable,
    private readonly translator: Translator,
  ) {}

  chatIntervalMs(): number {
    return 0;
  }

  async send(chatId: string, reply: Reply): Promise<number> {
    this.print(chatId, reply);
    return this.nextId++;
  }

  async edit(chatId: string, _messageId: number, reply: Reply): Promise<void> {
    this.print(chatId, reply);
  }

  /** The option id a number typed in this chat stands for, from what was printed last. */
  optionAt(chatId: string, n: number): string | undefined {
    return this.options.get(chatId)?.[n - 1];
  }

  private print(chatId: string, reply: Reply): void {
    this.options.set(chatId, (reply.options ?? []).map((o) => o.id));
    this.output.write(`\n${renderPlain(reply, this.translator)}\n`);
  }
}
