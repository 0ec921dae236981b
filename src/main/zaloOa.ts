import type { Redis } from 'ioredis';
import { CARD_PATH, OA_CHANNEL, zaloOaAdapter, type ZaloOaAdapter } from '../channels/zalo-oa/adapter.js';
import { localLock, type OaApiError, type OaTokenStore } from '../channels/zalo-oa/client.js';
import { sharedLock } from '../channels/zalo-oa/lock.js';
import { loadOaTemplates } from '../channels/zalo-oa/templates.js';
import type { Clock } from '../core/ports.js';
import { RedisLocks } from '../db/redisCoordination.js';
import { addressKey } from '../domain/address.js';
import { msg, type Msg } from '../domain/message.js';
import type { ChannelDeps } from './channels.js';
import type { Stores } from './container.js';

/** Every OA call times out after this; the token lock's lease is well beyond it. */
const HTTP_TIMEOUT_MS = 10_000;
const TOKEN_LOCK_LEASE_MS = 3 * HTTP_TIMEOUT_MS + 10_000;
/** A failing refresh is told to the duty chat at most this often per process. */
const ALERT_EVERY_MS = 3600_000;
const EVENT_TTL_S = 24 * 3600;

/** What main gives the OA besides the settings: the stores, Redis, the clock, the duty chat. */
export interface OaPlatform {
  repos: Stores;
  /**
   * A fast-fail connection (newFastFailRedis): the OA goes on answering while Redis is down
   * (events deduplicated in this process and by the chat state's `seen`, tokens used while
   * valid); a connection that waits for Redis would hold every event until it is back.
   */
  redis?: Redis;
  prefix: string;
  clock: Clock;
  alert(m: Msg): void;
}

/** The OA adapter with its ports on this process's database and Redis. */
export function createZaloOa(d: ChannelDeps, p: OaPlatform): ZaloOaAdapter {
  const c = d.config;
  const webhookUrl = c.ZALO_OA_WEBHOOK_URL!;
  const origin = new URL(webhookUrl).origin;
  const tokens: OaTokenStore = {
    async load() {
      const r = await p.repos.platformTokens.load(OA_CHANNEL);
      return r && { accessToken: r.accessToken, refreshToken: r.refreshToken, expiresAt: r.expiresAt, obtainedAt: r.refreshedAt };
    },
    save: (pair) => p.repos.platformTokens.save(OA_CHANNEL, { ...pair, refreshedAt: pair.obtainedAt ?? Date.now() }),
  };
  let alertedAt = 0;
  const alert = (err: OaApiError) => {
    void p.repos.platformTokens.setError(OA_CHANNEL, err.message.slice(0, 300)).catch(() => undefined);
    // A network blip while the token still works is only logged; a refusal needs a person.
    if (err.kind === 'transient' || Date.now() - alertedAt < ALERT_EVERY_MS) return;
    alertedAt = Date.now();
    p.alert(msg('oa:alert.refresh_failed', { error: err.message.slice(0, 200) }));
  };
  return zaloOaAdapter({
    appId: c.ZALO_OA_APP_ID!,
    appSecret: c.ZALO_OA_APP_SECRET!,
    secretKey: c.ZALO_OA_SECRET_KEY ?? '',
    oaId: c.ZALO_OA_ID,
    apiRoot: c.ZALO_OA_API_ROOT,
    oauthRoot: c.ZALO_OA_OAUTH_ROOT,
    webhookUrl,
    redirectUrl: c.ZALO_OA_REDIRECT_URL ?? `${origin}/zalo-oa/callback`,
    refreshToken: c.ZALO_OA_REFRESH_TOKEN,
    siteVerification: c.ZALO_OA_SITE_VERIFICATION,
    verifySignature: c.ZALO_OA_VERIFY_SIGNATURE,
    templates: loadOaTemplates(c.ZALO_OA_TEMPLATES_FILE),
    infoImageUrl: c.ZALO_OA_INFO_IMAGE_URL ?? `${origin}${CARD_PATH}`,
    translator: d.translator,
    log: d.log,
    globalPerSecond: c.ZALO_GLOBAL_PER_SECOND,
    chatIntervalMs: c.ZALO_CHAT_INTERVAL_MS,
    httpTimeoutMs: HTTP_TIMEOUT_MS,
    tokens,
    lock: p.redis ? sharedLock(new RedisLocks(p.redis), `${p.prefix}:lock:zalo_oa:tokens`, { leaseMs: TOKEN_LOCK_LEASE_MS }) : localLock(),
    contacts: {
      touch: (chatId, at) => p.repos.chatContacts.touch(OA_CHANNEL, chatId, at),
      lastInbound: (chatId) => p.repos.chatContacts.lastInbound(OA_CHANNEL, chatId),
    },
    receipts: (kind, ids, at) => p.repos.broadcasts.markReceipts(OA_CHANNEL, ids, kind, at),
    async unfollowed(chatId, at) {
      await p.repos.subscriptions.unsubscribe(OA_CHANNEL, chatId);
      await p.repos.unreachable.mark(addressKey({ channel: OA_CHANNEL, chatId }), at);
    },
    firstTime: firstTimeOn(p.redis, `${p.prefix}:oa:evt:`),
    alert,
    clock: p.clock,
  });
}

/**
 * "Seen this event before?" for every process at once, in Redis (a day is far longer than Zalo
 * retries). Without Redis, or while it is down, this process remembers the last ones itself:
 * an event is never dropped because Redis could not be asked. What a person says is checked
 * once more by the conversation engine (its `seen` ids, saved with the answer in the chat's
 * state row), so a redelivery that reaches another process during an outage is not answered
 * twice either.
 */
function firstTimeOn(redis: Redis | undefined, prefix: string): (id: string) => Promise<boolean> {
  const recent = new Set<string>();
  const local = (id: string) => {
    if (recent.has(id)) return false;
    if (recent.size >= 10_000) recent.clear();
    recent.add(id);
    return true;
  };
  return async (id) => {
    if (!local(id)) return false;
    if (!redis) return true;
    try {
      return (await redis.set(`${prefix}${id}`, '1', 'EX', EVENT_TTL_S, 'NX')) === 'OK';
    } catch {
      return true;
    }
  };
}
