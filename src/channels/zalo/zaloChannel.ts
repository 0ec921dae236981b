import { createServer, type IncomingMessage, type Server } from 'node:http';
import { splitText } from '../../domain/text.js';
import type { DialogEngine } from '../../dialogs/engine.js';
import type { StaffDialog } from '../../dialogs/staff.js';
import type { InboundEvent, Reply } from '../../dialogs/types.js';
import type { Translator } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { renderPlain } from '../plainText.js';
import { type ChannelSender, SendFailure } from '../sender.js';
import { ZALO_TEXT_MAX, ZaloApiError, ZaloClient, type ZaloUpdate, unwrapUpdate } from './client.js';

export interface ZaloOptions {
  token: string;
  apiRoot: string;
  engine: DialogEngine;
  translator: Translator;
  log: Logger;
  webhook?: { url: string; secret: string; port: number };
  pollTimeoutSeconds?: number;
  /** Back-off after a 429 without retry_after, doubling up to 60 s. */
  backoffMs?: number;
  onInbound?: (chatKey: string) => Promise<void>;
  /** Officers link their Zalo account here with "/canbo CODE". */
  staff?: StaffDialog;
  /** Waits for the send slot shared with the outbound queue (per chat and overall). */
  pace?: (chatId: string) => Promise<void>;
}

export interface ZaloChannel {
  client: ZaloClient;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where the webhook server listens (tests). */
  readonly port: number | undefined;
}

/** A Zalo update as the engine's event. Only private chats: Zalo bots are not in groups (yet). */
export function toEvent(u: ZaloUpdate): InboundEvent | undefined {
  const m = u.message;
  if (m.chat.chat_type !== 'PRIVATE' || m.from.is_bot) return undefined;
  const base = { channel: 'zalo' as const, chatId: String(m.chat.id), userId: String(m.from.id), deliveryId: String(m.message_id) };
  if (u.event_name === 'message.text.received' && typeof m.text === 'string') return { ...base, text: m.text };
  // Stickers, photos, and messages from protected users (which arrive with no content).
  return { ...base, unsupported: true };
}

/** Plain text in pieces of at most 2,000 characters, cut at sentence boundaries. */
export function renderZalo(reply: Reply, t: Translator): string[] {
  return splitText(renderPlain(reply, t), ZALO_TEXT_MAX);
}

export function createZaloChannel(o: ZaloOptions): ZaloChannel {
  const client = new ZaloClient(o.token, o.apiRoot);
  const abort = new AbortController();
  let server: Server | undefined;
  let polling: Promise<void> | undefined;
  let backoff = o.backoffMs ?? 1000;

  const handle = async (u: ZaloUpdate) => {
    const event = toEvent(u);
    if (!event) return;
    await o.onInbound?.(`zalo:${event.chatId}`);
    const staffReply = event.text && o.staff ? await o.staff.zaloCommand(event.userId, event.text) : undefined;
    const replies = staffReply ? [{ text: staffReply }] : await o.engine.handle(event);
    for (const r of replies) {
      for (const text of renderZalo(r, o.translator)) {
        await o.pace?.(event.chatId);
        await sendWithBackoff(client, event.chatId, text, o.log);
      }
    }
  };

  const poll = async () => {
    while (!abort.signal.aborted) {
      try {
        const u = await client.getUpdate(o.pollTimeoutSeconds ?? 30, abort.signal);
        backoff = o.backoffMs ?? 1000;
        if (u) await handle(u).catch((e: unknown) => o.log.error({ err: String(e) }, 'zalo update failed'));
      } catch (e) {
        if (abort.signal.aborted) return;
        const wait = e instanceof ZaloApiError && e.retryAfterMs > 0 ? e.retryAfterMs : backoff;
        if (e instanceof ZaloApiError && e.status === 429) backoff = Math.min(backoff * 2, 60_000);
        o.log.warn({ err: e instanceof Error ? e.message : String(e), waitMs: wait }, 'zalo getUpdates failed; backing off');
        await sleep(wait, abort.signal);
      }
    }
  };

  return {
    client,
    get port() {
      const a = server?.address();
      return a && typeof a === 'object' ? a.port : undefined;
    },
    async start() {
      if (o.webhook) {
        const path = new URL(o.webhook.url).pathname;
        server = createServer((req, res) => {
          if (req.method !== 'POST' || req.url !== path) return void res.writeHead(404).end();
          // A call without the right secret is refused and never processed.
          if (req.headers['x-bot-api-secret-token'] !== o.webhook!.secret) return void res.writeHead(401).end();
          void readJson(req).then(async (body) => {
            const u = unwrapUpdate(body);
            if (!u) return void res.writeHead(400).end();
            try {
              await handle(u);
              res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
            } catch (e) {
              o.log.error({ err: String(e) }, 'zalo webhook update failed');
              res.writeHead(500).end();
            }
          });
        });
        await new Promise<void>((resolve) => server!.listen(o.webhook!.port, resolve));
        await client.setWebhook(o.webhook.url, o.webhook.secret);
        o.log.info({ url: o.webhook.url }, 'zalo webhook set');
        return;
      }
      // Polling and a webhook cannot be used together.
      await client.deleteWebhook().catch(() => undefined);
      polling = poll();
      o.log.info('zalo long polling');
    },
    async stop() {
      abort.abort();
      await polling;
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

async function sendWithBackoff(client: ZaloClient, chatId: string, text: string, log: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.sendMessage(chatId, text);
      return;
    } catch (e) {
      const retryable = e instanceof ZaloApiError && (e.status === 429 || e.status >= 500);
      if (!retryable || attempt >= 5) throw e;
      const wait = e.retryAfterMs || 500 * 2 ** attempt;
      log.warn({ status: e.status, waitMs: wait }, 'zalo sendMessage retry');
      await sleep(wait);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** An update is a few KB; anything far larger is not one of them and is not read whole. */
const MAX_BODY_BYTES = 256 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Sends for the outbound queue (notifications to citizens on Zalo). Zalo cannot edit: a card-less channel. */
export class ZaloSender implements ChannelSender {
  readonly channel = 'zalo' as const;
  private readonly client: ZaloClient;

  constructor(
    token: string,
    apiRoot: string,
    private readonly translator: Translator,
    readonly globalPerSecond: number,
    private readonly intervalMs: number,
  ) {
    this.client = new ZaloClient(token, apiRoot);
  }

  chatIntervalMs(): number {
    return this.intervalMs;
  }

  async send(chatId: string, reply: Reply): Promise<number | undefined> {
    try {
      for (const text of renderZalo(reply, this.translator)) await this.client.sendMessage(chatId, text);
      return undefined;
    } catch (e) {
      if (!(e instanceof ZaloApiError)) throw new SendFailure('transient', String(e));
      if (e.status === 429) throw new SendFailure('rate_limited', e.description, e.retryAfterMs || 5000);
      if (e.status === 403) throw new SendFailure('blocked', e.description);
      if (e.status >= 500 || e.status === 408) throw new SendFailure('transient', e.description);
      throw new SendFailure('permanent', `${e.status} ${e.description}`);
    }
  }

  async edit(chatId: string, _messageId: number, reply: Reply): Promise<void> {
    await this.send(chatId, reply);
  }
}
