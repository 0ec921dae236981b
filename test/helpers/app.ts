import path from 'node:path';
import { inject } from 'vitest';
import { renderPlain } from '../../src/channels/plainText.js';
import type { Clock } from '../../src/core/clock.js';
import type { InboundEvent, Reply } from '../../src/conversation/types.js';
import type { ChannelEntry } from '../../src/main/channels.js';
import { HttpServer } from '../../src/http/server.js';
import { CHANNELS } from '../../src/main/channels.js';
import { loadConfig } from '../../src/main/config.js';
import { type Container, createContainer } from '../../src/main/container.js';
import { tempDir } from './db.js';
import { MemoryChannel } from './memoryChannel.js';

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
    PORT: '0',
    // A test types a whole form in well under a minute, and tries codes again and again: the
    // flood limits have their own tests (test/integration/replicas.test.ts).
    CHAT_MESSAGES_PER_MINUTE: '100000',
    CODE_TRIES_PER_CHAT: '100000',
    CODE_TRIES_PER_CODE: '100000',
    ...over,
  };
}

/** A bot with an in-memory channel (and any real ones the settings turn on). */
export type TestApp = Container & {
  memory: MemoryChannel;
  env: Record<string, string>;
  /** The one HTTP server, when the test asked for it (webhooks, health, the web console). */
  server?: HttpServer;
  /** Stops the channels and the server, then closes everything. */
  shutdown(): Promise<void>;
};

export async function testApp(
  over: Record<string, string> = {},
  clock: Clock = new TestClock(),
  o: { redis?: boolean; http?: boolean; channels?: ChannelEntry[]; memory?: MemoryChannel } = {},
): Promise<TestApp> {
  const memory = o.memory ?? new MemoryChannel();
  const env = testEnv({ ADMIN_USER_IDS: 'memory:admin', ...over });
  const app = await createContainer(loadConfig(env), {
    clock,
    redisUrl: o.redis ? (over.REDIS_URL ?? inject('redisUrl')) : undefined,
    channels: [...(o.channels ?? CHANNELS), memory.entry()],
  });
  const server = o.http ? new HttpServer({ port: Number(env.PORT ?? 0), host: '127.0.0.1', log: app.log, metrics: app.metrics, readiness: () => app.readiness() }) : undefined;
  if (server) app.mountConsole(server);
  await app.startChannels(server);
  await server?.listen();
  if (server) app.listening(server);
  return Object.assign(app, {
    memory,
    env,
    server,
    async shutdown() {
      await server?.close();
      await app.stopChannels();
      await app.close();
    },
  });
}

/**
 * Talks to the bot as one person would, through the in-memory channel: what the bot says back is
 * what that channel was sent, read as plain text.
 */
export class Conversation {
  replies: Reply[] = [];
  toast: string | undefined;

  constructor(
    private readonly app: TestApp,
    readonly chatId = `c${Math.random().toString(36).slice(2)}`,
    readonly userId = chatId,
  ) {}

  get text(): string {
    return this.replies.map((r) => renderPlain(r, this.app.translator)).join('\n---\n');
  }

  async send(e: Partial<InboundEvent>): Promise<string> {
    const before = this.app.memory.sent.length;
    const { toast } = await this.app.memory.inbound({ ...e, chatId: this.chatId, userId: this.userId });
    this.toast = toast;
    this.replies = this.app.memory.sent.slice(before).filter((s) => s.to.chatId === this.chatId).map((s) => s.reply);
    return this.text;
  }

  say(text: string): Promise<string> {
    return this.send({ text });
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
  // An empty calendar: the day they would like is typed (no session is offered).
  await c.say('28/11');
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
