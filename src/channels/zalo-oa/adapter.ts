import { setTimeout as sleep } from 'node:timers/promises';
import type { InboundEvent } from '../../conversation/types.js';
import type { Address } from '../../domain/address.js';
import { msg } from '../../domain/message.js';
import type { Lang, Translator } from '../../i18n.js';
import { logError, type Logger } from '../../log.js';
import { type ChannelAdapter, type ChannelHost, SendFailure, type WebhookRoute } from '../adapter.js';
import { OA_BUTTONS_MAX, OA_TEXT_MAX, OaApiError, type OaKeeperState, type OaLock, OaLockUnavailable, type OaTokenStore, OaTokenKeeper, ZaloOaClient } from './client.js';
import { checkConsentState, consentVerifier, newConsentState } from './consent.js';
import { type OaEvent, parseOaBody, parseOaEvent, verifySignature } from './events.js';
import { type OaMessage, parseButtonPayload, renderOa } from './render.js';
import { type OaTemplates, templateFor } from './templates.js';

export const OA_CHANNEL = 'zalo_oa';
/** Zalo lets an OA answer freely for 7 days after the person's last interaction. */
export const OA_REPLY_WINDOW_MS = 7 * 24 * 3600_000;
/** We learn of an interaction a little after it happened: the window is taken as that much shorter. */
const WINDOW_MARGIN_MS = 10 * 60_000;
const RECEIPT_RETRY_MS = 2000;

/** Served for the share-phone form's picture when ZALO_OA_INFO_IMAGE_URL is not set: a plain 96×96 square. */
export const CARD_PATH = '/zalo-oa/card.png';
const CARD_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAIAAABt+uBvAAAAj0lEQVR42u3QMQ0AAAgDsPngQRn+ZeCAk6tJFTQ1zSEKBAkSJEiQIEGCECRIkCBBggQJQpAgQYIECRIkCEGCBAkSJEiQIEEIEiRIkCBBggQhSJAgQYIECRKEIEGCBAkSJEiQIAQJEiRIkCBBghAkSJAgQYIECUKQIEGCBAkSJEgQggQJEiRIkCBBCBIk6M8CzHyFPGfNFD8AAAAASUVORK5CYII=',
  'base64',
);

/** What the OA needs from the rest of the bot (main wires the database and Redis behind these). */
export interface ZaloOaPorts {
  tokens: OaTokenStore;
  /** Held by exactly one process at a time, across all of them: only its holder refreshes. */
  lock: OaLock;
  /** When each chat last wrote (the 7-day window). */
  contacts: { touch(chatId: string, at: number): Promise<void>; lastInbound(chatId: string): Promise<number | undefined> };
  /** "received" and "seen" of messages we sent (announcements count them): how many of the ids were ours to count. */
  receipts(kind: 'received' | 'seen', messageIds: string[], at: number): Promise<number>;
  /** The person unfollowed the OA: no more announcements, the chat unreachable until they write. */
  unfollowed(chatId: string, at: number): Promise<void>;
  /** True the first time an event id is seen, by any process (Zalo redelivers and retries). */
  firstTime(eventId: string): Promise<boolean>;
  /** A token refresh failed: the commanders must know before sends start failing. */
  alert(err: OaApiError): void;
  clock: { now(): number };
}

export interface ZaloOaOptions extends ZaloOaPorts {
  appId: string;
  appSecret: string;
  /** The OA secret key of the webhook settings: it signs the events. */
  secretKey: string;
  /** The OA's id: a consent for another OA is refused; events tell the user apart by it. */
  oaId?: string;
  apiRoot: string;
  oauthRoot: string;
  webhookUrl: string;
  /** Where Zalo sends the OA admin back after consent (this server's callback route). */
  redirectUrl: string;
  /** First start only: spent once, when no pair is stored yet. */
  refreshToken?: string;
  /** The code of Zalo's domain check: /zalo_verifier<CODE>.html is served. */
  siteVerification?: string;
  /** Off only while Zalo changes how it signs: every event would then be taken on trust. */
  verifySignature: boolean;
  templates: OaTemplates;
  /** The image the share-phone form shows (Zalo requires one). */
  infoImageUrl: string;
  translator: Translator;
  log: Logger;
  globalPerSecond: number;
  chatIntervalMs: number;
  httpTimeoutMs?: number;
  /** The webhook answers within this even when handling takes longer (Zalo wants ~2 s). */
  answerWithinMs?: number;
  /** How often the keeper looks whether the token is due (it refreshes ~5 h before expiry). */
  refreshCheckMs?: number;
}

export interface ZaloOaAdapter extends ChannelAdapter<OaMessage> {
  client: ZaloOaClient;
  keeper: OaTokenKeeper;
  /** The link the OA admin opens to connect the OA (valid 10 minutes). */
  consentUrl(): string;
  state(): Promise<OaKeeperState>;
  /** Resolves once no event taken by the webhook is still being handled. */
  idle(): Promise<void>;
}

/** The id an event is known by across redeliveries; undefined for receipts (recording them twice changes nothing). */
function eventId(e: OaEvent): string | undefined {
  switch (e.kind) {
    case 'text':
    case 'location':
    case 'unsupported':
      return `msg:${e.msgId}`;
    case 'follow':
    case 'unfollow':
    case 'chatnow':
    case 'submit_info':
      return `${e.kind}:${e.userId}:${e.timestamp}`;
    default:
      return undefined;
  }
}

/** A user's event as the engine's; undefined for what is not a person talking to us. */
export function toInbound(e: OaEvent): InboundEvent | undefined {
  if (e.kind !== 'text' && e.kind !== 'location' && e.kind !== 'unsupported' && e.kind !== 'follow' && e.kind !== 'submit_info') return undefined;
  const chatId = e.userId;
  const deliveryId = eventId(e);
  const base: InboundEvent = {
    address: { channel: OA_CHANNEL, chatId, kind: 'private' },
    actor: { channel: OA_CHANNEL, userId: chatId },
    ...(deliveryId ? { deliveryId } : {}),
    ...('msgId' in e ? { messageId: e.msgId } : {}),
  };
  switch (e.kind) {
    case 'text': {
      // A tapped button arrives as text carrying its payload.
      const option = parseButtonPayload(e.text);
      return option ? { ...base, option } : { ...base, text: e.text };
    }
    case 'location':
      return { ...base, location: { lat: e.lat, lon: e.lon } };
    case 'unsupported':
      return { ...base, unsupported: true };
    case 'follow':
      // A new follower is greeted with the menu.
      return { ...base, text: '/start' };
    case 'submit_info':
      // Only the phone is taken: the name and address in the form were not asked for.
      return e.phone ? { ...base, contact: { phone: e.phone } } : { ...base, unsupported: true };
  }
}

/**
 * The Zalo Official Account: buttons (up to five, more become a numbered list), the
 * share-phone form, no groups, no edits, 2,000 characters. Events come by webhook only, signed;
 * a reply outside the 7-day window goes as the notice's approved template, or not at all
 * (delivery records "window closed").
 */
export function zaloOaAdapter(o: ZaloOaOptions): ZaloOaAdapter {
  const httpTimeoutMs = o.httpTimeoutMs ?? 10_000;
  const keeper = new OaTokenKeeper({
    oauthRoot: o.oauthRoot,
    appId: o.appId,
    appSecret: o.appSecret,
    store: o.tokens,
    lock: o.lock,
    httpTimeoutMs,
    onError: (err) => {
      logError(o.log, err, 'zalo-oa token refresh failed');
      o.alert(err);
    },
  });
  const client = new ZaloOaClient({ apiRoot: o.apiRoot, keeper, httpTimeoutMs });
  const t = o.translator;
  const infoCard = (lang?: Lang) => ({ title: t.render(msg('oa:phone.card_title'), lang), subtitle: t.render(msg('oa:phone.card_subtitle'), lang) });
  const inFlight = new Set<Promise<void>>();
  // One chat's events are handled in the order they came, even though the webhook answers early.
  const chains = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  const windowClosed = async (chatId: string): Promise<boolean> => {
    const last = await o.contacts.lastInbound(chatId);
    return last !== undefined && o.clock.now() - last > OA_REPLY_WINDOW_MS - WINDOW_MARGIN_MS;
  };

  /** Outside the window: the notice's template, sent once for all its pieces; else "window closed". */
  const viaTemplate = async (chatId: string, m: OaMessage): Promise<string | undefined> => {
    if (m.kind === 'text') {
      const payload = templateFor(o.templates, m.notice);
      if (payload) {
        if (!m.notice.first) return undefined;
        return client.sendTemplate(chatId, payload).catch((e: unknown) => {
          throw toSendFailure(e);
        });
      }
    }
    throw new SendFailure('window_closed', `zalo-oa: no interaction for 7 days and no template set for ${m.kind === 'text' ? m.notice.key || 'this message' : m.kind}`);
  };

  const sendOne = (chatId: string, m: OaMessage): Promise<string> => {
    switch (m.kind) {
      case 'text':
        return client.sendText(chatId, m.text, m.buttons);
      case 'info':
        return client.requestUserInfo(chatId, { title: m.title, subtitle: m.subtitle, imageUrl: o.infoImageUrl });
      case 'image':
        return client.sendImage(chatId, { url: m.url });
    }
  };

  const send = async (to: Address, m: OaMessage): Promise<string | undefined> => {
    if (await windowClosed(to.chatId)) return viaTemplate(to.chatId, m);
    try {
      return await sendOne(to.chatId, m);
    } catch (e) {
      // Zalo knows the window better than our record of it.
      if (e instanceof OaApiError && e.kind === 'window_closed') return viaTemplate(to.chatId, m);
      throw toSendFailure(e);
    }
  };

  const handleEvent = async (host: ChannelHost, e: OaEvent): Promise<void> => {
    const now = o.clock.now();
    if (e.kind === 'received' || e.kind === 'seen') {
      const { kind, msgIds } = e;
      const matched = await o.receipts(kind, msgIds, now);
      // A report can overtake the write of its message's id (an announcement stores it just after
      // the send returns): it is tried once more a little later.
      if (matched < msgIds.length) setTimeout(() => void o.receipts(kind, msgIds, now).catch(() => undefined), RECEIPT_RETRY_MS).unref();
      return;
    }
    if (e.kind === 'echo' || e.kind === 'other') return;
    const id = eventId(e);
    if (id && !(await o.firstTime(id))) return;
    if (e.kind === 'unfollow') return o.unfollowed(e.userId, now);
    // Anything the person does opens the 7-day window again.
    await o.contacts.touch(e.userId, now);
    const event = toInbound(e);
    if (event) await host.inbound(event);
  };

  const webhook = (host: ChannelHost): WebhookRoute => ({
    path: new URL(o.webhookUrl).pathname,
    async handle(req) {
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      // Checked on the bytes as they came: anything re-serialised in between no longer matches.
      if (o.verifySignature && !verifySignature({ appId: o.appId, secretKey: o.secretKey, rawBody: req.rawBody, header: header('x-zevent-signature'), timestampHeader: header('x-zevent-timestamp') })) {
        o.log.warn({ retry: header('num_retry') }, 'zalo-oa webhook: bad or missing signature, refused');
        return { status: 401 };
      }
      const event = parseOaEvent(parseOaBody(req.rawBody), { oaId: o.oaId });
      // Something we do not read is acknowledged, or Zalo sends it again and again.
      if (!event) return { status: 200, body: { ok: true } };
      const chat = 'userId' in event ? (event.userId ?? '') : '';
      const work = (chains.get(chat) ?? Promise.resolve())
        .then(() => handleEvent(host, event))
        .catch((err: unknown) => logError(o.log, err, 'zalo-oa event failed', { event: event.kind }));
      chains.set(chat, work);
      inFlight.add(work);
      void work.finally(() => {
        inFlight.delete(work);
        if (chains.get(chat) === work) chains.delete(chat);
      });
      // Zalo wants its 200 within about 2 s; the work goes on after it if it takes longer.
      const patience = new AbortController();
      await Promise.race([work, sleep(o.answerWithinMs ?? 1500, undefined, { signal: patience.signal }).catch(() => undefined)]);
      patience.abort();
      return { status: 200, body: { ok: true } };
    },
  });

  const page = (status: number, key: string) => ({ status, type: 'text/plain; charset=utf-8', body: t.render(msg(key)) });

  const callback: WebhookRoute = {
    path: new URL(o.redirectUrl).pathname,
    method: 'GET',
    async handle(req) {
      const q = req.query ?? {};
      const state = q.state ?? '';
      if (!q.code || !checkConsentState(o.appSecret, state, Date.now())) return page(400, 'oa:connect.bad_link');
      if (o.oaId && q.oa_id && q.oa_id !== o.oaId) return page(400, 'oa:connect.wrong_oa');
      try {
        await keeper.exchangeCode(q.code, consentVerifier(o.appSecret, state));
      } catch (e) {
        logError(o.log, e, 'zalo-oa consent code refused');
        return page(502, 'oa:connect.failed');
      }
      o.log.info({ oa: q.oa_id }, 'zalo-oa connected: token pair stored');
      return page(200, 'oa:connect.done');
    },
  };

  return {
    id: OA_CHANNEL,
    client,
    keeper,
    caps: { buttons: OA_BUTTONS_MAX, edit: false, groups: false, contact: true, maxText: OA_TEXT_MAX, format: 'plain', replyWindowMs: OA_REPLY_WINDOW_MS, receipts: true },
    limits: { globalPerSecond: o.globalPerSecond, intervalMs: () => o.chatIntervalMs },
    kindOf: () => 'private',
    render: (reply, lang) => renderOa(reply, t, lang, infoCard(lang)),
    send,
    // An OA message cannot be edited: the new version goes as a new message.
    async edit(to, _messageId, m) {
      await send(to, m);
    },
    consentUrl() {
      const state = newConsentState(o.appSecret, Date.now());
      return keeper.authUrl({ redirectUri: o.redirectUrl, state, codeVerifier: consentVerifier(o.appSecret, state) });
    },
    state: () => keeper.state(),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async start(host) {
      host.route(webhook(host));
      host.route(callback);
      // The share-phone form needs a picture; unless one is set, this plain one is served.
      host.route({ path: CARD_PATH, method: 'GET', handle: async () => ({ status: 200, type: 'image/png', body: CARD_PNG }) });
      if (o.siteVerification) {
        const code = o.siteVerification;
        host.route({
          path: `/zalo_verifier${code}.html`,
          method: 'GET',
          handle: async () => ({ status: 200, type: 'text/html; charset=utf-8', body: `<html><head><meta property="zalo-platform-site-verification" content="${code}" /></head><body></body></html>` }),
        });
      }
      // Spent only when nothing is stored yet: a restart with the same setting never reuses it.
      let bootstrapWith = o.refreshToken;
      const bootstrap = async () => {
        if (!bootstrapWith) return;
        try {
          await keeper.bootstrap(bootstrapWith);
          bootstrapWith = undefined;
        } catch (e) {
          logError(o.log, e, 'zalo-oa: ZALO_OA_REFRESH_TOKEN could not be used');
          // Tried again later only when it was not spent (no lock, Zalo not reached); a refusal is final.
          if (!(e instanceof OaLockUnavailable || (e instanceof OaApiError && e.kind === 'transient'))) bootstrapWith = undefined;
        }
      };
      await bootstrap();
      // Refreshed ahead of expiry even when nothing is being sent.
      timer = setInterval(() => void bootstrap().then(() => keeper.accessToken()).catch(() => undefined), o.refreshCheckMs ?? 10 * 60_000);
      timer.unref();
      if (!o.verifySignature) o.log.warn('zalo-oa: ZALO_OA_VERIFY_SIGNATURE=false: webhook events are NOT checked; anyone can post them');
      o.log.info({ url: o.webhookUrl }, 'zalo-oa webhook route ready');
    },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Zalo's refusal in the kinds delivery acts on. */
function toSendFailure(e: unknown): SendFailure {
  if (e instanceof SendFailure) return e;
  if (!(e instanceof OaApiError)) return new SendFailure('transient', e instanceof Error ? e.message : String(e));
  switch (e.kind) {
    case 'rate_limited':
      return new SendFailure('rate_limited', e.message, 1000);
    case 'not_follower':
    case 'blocked':
      return new SendFailure('blocked', e.message);
    case 'window_closed':
      return new SendFailure('window_closed', e.message);
    // A token the keeper could not renew now: later, with a refreshed one.
    case 'token':
    case 'transient':
      return new SendFailure('transient', e.message);
    default:
      return new SendFailure('permanent', e.message);
  }
}
