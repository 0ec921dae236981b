import path from 'node:path';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/services/clock.js';
import { renderPlain } from '../../src/channels/plainText.js';
import type { InboundEvent, Reply } from '../../src/dialogs/types.js';
import { tempDir } from './db.js';

export const AREAS_FILE = path.resolve(import.meta.dirname, '../../data/areas.json');

/**
 * A clock the test moves by hand. Starts on Monday 23/11/2026 10:00 in Vietnam. `ticking`: it
 * also follows real time, for tests where other processes (on the real clock) share the data.
 */
export class TestClock implements Clock {
  private readonly started = Date.now();

  constructor(
    public ms = Date.UTC(2026, 10, 23, 3),
    private readonly ticking = false,
  ) {}

  now(): number {
    return this.ticking ? this.ms + (Date.now() - this.started) : this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function testEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: tempDir(),
    AREAS_FILE,
    LOG_LEVEL: 'silent',
    UNIT_NAME: 'Công an xã Tân Hòa',
    UNIT_PHONE: '0272 3 123 456',
    ...over,
  };
}

export async function testApp(over: Record<string, string> = {}, clock: Clock = new TestClock()): Promise<App> {
  return createApp(loadConfig(testEnv(over)), clock);
}

/** Talks to the engine as one person would, through the plain-text rendering of the console/Zalo. */
export class Conversation {
  replies: Reply[] = [];

  constructor(
    private readonly app: App,
    readonly chatId = `c${Math.random().toString(36).slice(2)}`,
    readonly channel: InboundEvent['channel'] = 'console',
  ) {}

  get text(): string {
    return this.replies.map((r) => renderPlain(r, this.app.translator)).join('\n---\n');
  }

  async send(e: Partial<InboundEvent>): Promise<string> {
    this.replies = await this.app.engine.handle({ channel: this.channel, chatId: this.chatId, userId: this.chatId, ...e });
    return this.text;
  }

  say(text: string): Promise<string> {
    return this.send({ text, deliveryId: crypto.randomUUID() });
  }

  /** Presses the option whose label contains `label` in the last replies (as a button). */
  press(label: string): Promise<string> {
    for (const r of [...this.replies].reverse()) {
      const o = r.options?.find((x) => this.app.translator.render(x.label).includes(label));
      if (o) return this.send({ option: { id: o.id, nonce: r.nonce ?? 0 } });
    }
    throw new Error(`no option "${label}" in:\n${this.text}`);
  }

  get lastNonce(): number {
    return this.replies[this.replies.length - 1]?.nonce ?? 0;
  }
}

/** Opens a home-visit intake and answers consent and "for whom". */
export async function startHomeIntake(c: Conversation, forRelative: boolean): Promise<void> {
  await c.say('/start');
  await c.press('Làm CCCD tại nhà');
  await c.press('Tôi đồng ý');
  if (!forRelative) return void (await c.press('Cho chính tôi'));
  await c.press('Cho người thân');
  await c.press('họ đã đồng ý');
}

/** Answers a whole home-visit request up to the summary, typed as an old phone would (no diacritics). */
export async function answerUntilSummary(c: Conversation, o: { name?: string; address?: string; forRelative?: boolean } = {}): Promise<void> {
  await startHomeIntake(c, o.forRelative ?? true);
  await c.say(o.name ?? 'Nguyen Van An');
  await c.say('1940');
  await c.press('Nằm một chỗ');
  await c.say('tan hoa');
  await c.say(o.address ?? '12 duong so 3, ap Binh Loi');
  await c.say('0912 345 678');
  await c.say('1,3');
  await c.press('Thứ 7, 28/11/2026');
  await c.press('Không có');
  if (!c.text.includes('Xin kiểm tra lại')) throw new Error(`not at the summary:\n${c.text}`);
}

/** Files a whole home-visit request and returns its code. */
export async function fileHomeRequest(c: Conversation, name?: string): Promise<string> {
  await answerUntilSummary(c, { name });
  const out = await c.press('Đúng, gửi đi');
  const code = /TB-[A-Z0-9]{4}/.exec(out)?.[0];
  if (!code) throw new Error(`no code in:\n${out}`);
  return code;
}
