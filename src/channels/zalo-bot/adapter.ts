import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InboundEvent } from '../../conversation/types.js';
import type { Address } from '../../domain/address.js';
import type { Reply } from '../../domain/reply.js';
import { splitText } from '../../domain/text.js';
import type { Lang, Translator } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { type ChannelAdapter, type ChannelHost, SendFailure } from '../adapter.js';
import { renderPlain } from '../plainText.js';
import type { PollLease } from '../pollLease.js';
import { ZALO_TEXT_MAX, ZaloApiError, ZaloClient, type ZaloUpdate, unwrapUpdate } from './client.js';

export interface ZaloBotOptions {
  token: string;
  apiRoot: string;
  translator: Translator;
  log: Logger;
  webhook?: { url: string; secret: string };
  pollTimeoutSeconds?: number;
  /** Polling: held by one process per token; without it this process always polls. */
  lease?: PollLease;
  /** Back-off after a failed poll without retry_after, doubling up to 60 s. */
  backoffMs?: number;
  /** No rate limit is published for Zalo bots: conservative defaults (a 429 still backs off). */
  globalPerSecond: number;
  chatIntervalMs: number;
}

/** A Zalo update as the engine's event. Only private chats: Zalo bots are not in groups (yet). */
export function toEvent(u: ZaloUpdate): InboundEvent | undefined {
  const m = u.message;
  if (!m || typeof m !== 'object' || !m.chat || !m.from) return undefined;
  if (m.chat.chat_type !== 'PRIVATE' || m.from.is_bot) return undefined;
  const base: InboundEvent = {
    address: { channel: 'zalo', chatId: String(m.chat.id), kind: 'private' },
    actor: { channel: 'zalo', userId: String(m.from.id) },
    actorName: m.from.display_name,
    deliveryId: String(m.message_id),
    messageId: String(m.message_id),
  };
  if (u.event_name === 'message.text.received' && typeof m.text === 'string') return { ...base, text: m.text };
  // Stickers, photos, and messages from protected users (which arrive with no content).
  return { ...base, unsupported: true };
}

/** Plain text in pieces of at most 2,000 characters, cut at sentence boundaries. */
export function renderZalo(reply: Reply, t: Translator, lang?: Lang): string[] {
  return splitText(renderPlain(reply, t, lang), ZALO_TEXT_MAX);
}

/**
 * The official Zalo Bot Platform (Telegram-like HTTP API, no buttons, no groups): menus are
 * numbered lists. Updates by long polling (one per call, 408 = nothing new) or by webhook.
 */
export function zaloBotAdapter(o: ZaloBotOptions): ChannelAdapter<string> & { client: ZaloClient } {
  const client = new ZaloClient(o.token, o.apiRoot);
  const abort = new AbortController();
  let polling: Promise<void> | undefined;

  const poll = async (host: ChannelHost) => {
    let backoff = o.backoffMs ?? 1000;
    while (!abort.signal.aborted) {
      // A standby waits here until the poller dies.
      await o.lease?.until(abort.signal);
      if (abort.signal.aborted) return;
      try {
        const u = await client.getUpdate(o.pollTimeoutSeconds ?? 30, abort.signal);
        backoff = o.backoffMs ?? 1000;
        const event = u ? toEvent(u) : undefined;
        if (event) await host.inbound(event);
      } catch (e) {
        if (abort.signal.aborted) return;
        const wait = e instanceof ZaloApiError && e.retryAfterMs > 0 ? e.retryAfterMs : backoff;
        if (e instanceof ZaloApiError && e.status === 429) backoff = Math.min(backoff * 2, 60_000);
        o.log.warn({ err: e instanceof Error ? e.message : String(e), waitMs: wait }, 'zalo getUpdates failed; backing off');
        await sleep(wait, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
  };

  return {
    id: 'zalo',
    client,
    caps: { buttons: 0, edit: false, groups: false, contact: false, maxText: ZALO_TEXT_MAX, format: 'plain' },
    limits: { globalPerSecond: o.globalPerSecond, intervalMs: () => o.chatIntervalMs },
    kindOf: () => 'private',
    render: (reply, lang) => renderZalo(reply, o.translator, lang),
    async send(to: Address, text: string) {
      try {
        const r = await client.sendMessage(to.chatId, text);
        return r?.message_id;
      } catch (e) {
        throw classifyZalo(e);
      }
    },
    // Zalo cannot edit a sent message: the new version is sent as a new one.
    async edit(to: Address, _messageId: string, text: string) {
      try {
        await client.sendMessage(to.chatId, text);
      } catch (e) {
        throw classifyZalo(e);
      }
    },
    async start(host) {
      if (o.webhook) {
        const secret = Buffer.from(o.webhook.secret);
        host.route({
          path: new URL(o.webhook.url).pathname,
          async handle(req) {
            // A call without the right secret is refused and never processed.
            const given = Buffer.from(String(req.headers['x-bot-api-secret-token'] ?? ''));
            if (given.length !== secret.length || !timingSafeEqual(given, secret)) return { status: 401 };
            let body: unknown;
            try {
              body = JSON.parse(req.rawBody.toString('utf8'));
            } catch {
              return { status: 400 };
            }
            const u = unwrapUpdate(body);
            if (!u) return { status: 400 };
            const event = toEvent(u);
            // An update we do not read (a group, no chat): acknowledged, or Zalo sends it forever.
            if (event) await host.inbound(event);
            return { status: 200, body: { ok: true } };
          },
        });
        await client.setWebhook(o.webhook.url, o.webhook.secret).then(
          () => o.log.info({ url: o.webhook!.url }, 'zalo webhook set'),
          (e: unknown) => o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'zalo setWebhook failed'),
        );
        return;
      }
      // Polling and a webhook cannot be used together.
      await client.deleteWebhook().catch(() => undefined);
      polling = poll(host);
      o.log.info('zalo long polling');
    },
    async stop() {
      abort.abort();
      await polling;
      await o.lease?.stop();
    },
  };
}

function classifyZalo(e: unknown): SendFailure {
  if (!(e instanceof ZaloApiError)) return new SendFailure('transient', e instanceof Error ? e.message : String(e));
  if (e.status === 429) return new SendFailure('rate_limited', e.description, e.retryAfterMs || 1000);
  if (e.status === 403) return new SendFailure('blocked', e.description);
  if (e.status >= 500 || e.status === 408) return new SendFailure('transient', e.description);
  return new SendFailure('permanent', `${e.status} ${e.description}`);
}
