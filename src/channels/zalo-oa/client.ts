import { createHash, randomBytes } from 'node:crypto';
import { post, type HttpResponse } from '../http.js';

/**
 * Zalo Official Account (OA) Open API: an HTTP client and the keeper of its OAuth tokens.
 *
 * Every root is a parameter because the hosts differ between the documented production ones,
 * business accounts (ZNS) and the test fakes; `OA_DEFAULT_ROOTS` holds the public defaults.
 *
 * Errors are mostly HTTP 200 with a non-zero `error` field, so nothing here trusts the status
 * code alone: every reply body is read and mapped to an `OaApiError` with a `kind` the caller
 * can act on (re-consent, fall back to a template, retry later, drop).
 */

export const OA_DEFAULT_ROOTS = {
  oauthRoot: 'https://oauth.zaloapp.com',
  apiRoot: 'https://openapi.zalo.me',
  znsRoot: 'https://business.openapi.zalo.me',
} as const;

/** Zalo refuses longer text; counted in UTF-16 units, which is never fewer than Zalo's count. */
export const OA_TEXT_MAX = 2000;
export const OA_BUTTONS_MAX = 5;
export const OA_IMAGE_MAX_BYTES = 1024 * 1024;

const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** 25 h: what Zalo documents and answers today, used only when a reply omits `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 90_000;

// ---------------------------------------------------------------------------------------------
// Errors

export type OaErrorKind =
  | 'token'
  | 'not_follower'
  | 'window_closed'
  | 'blocked'
  | 'bad_request'
  | 'rate_limited'
  | 'upload_expired'
  | 'transient'
  | 'other';

const KIND_BY_CODE: ReadonlyMap<number, OaErrorKind> = new Map<number, OaErrorKind>([
  [-216, 'token'],
  [-220, 'token'],
  [-124, 'token'],
  [-213, 'not_follower'],
  [-230, 'window_closed'],
  [-232, 'window_closed'],
  [-227, 'blocked'],
  [-244, 'blocked'],
  [-201, 'bad_request'],
  [-32, 'rate_limited'],
  [-100, 'upload_expired'],
]);

export function oaErrorKind(code: number): OaErrorKind {
  return KIND_BY_CODE.get(code) ?? 'other';
}

/**
 * `code` is Zalo's own (negative) error code when Zalo answered one; the HTTP status for an
 * HTTP-level failure; 0 when no answer came (network, timeout) or the check was local.
 */
export class OaApiError extends Error {
  override readonly name = 'OaApiError';

  constructor(
    readonly code: number,
    readonly kind: OaErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Zalo sends numbers as strings in places (expires_in "90000", error "-14014"). */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

async function readJson(res: HttpResponse): Promise<unknown> {
  // Reading the body also frees the kept-alive connection, so it is read even on errors.
  return res.json().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// Tokens

export interface OaTokenPair {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms of the exchange or refresh that produced the pair, for the console page. */
  obtainedAt?: number;
}

/**
 * Where the pair lives between processes and restarts. It must be durable: the refresh token is
 * single use, so a pair that is lost after a refresh cannot be recovered without the OA admin
 * consenting again.
 */
export interface OaTokenStore {
  load(): Promise<OaTokenPair | undefined>;
  save(pair: OaTokenPair): Promise<void>;
}

/**
 * Runs `fn` while holding a lock shared by every process that uses the same store (a Redis
 * lease, a database row lock). The lease must outlive the HTTP timeout of a refresh
 * (`httpTimeoutMs`, plus the store write): a lease that lapses mid-refresh lets a second process
 * present the same single-use refresh token, and one of the two then loses the pair.
 */
export type OaLock = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * The lock could not be had now (its Redis does not answer, or another holder kept it too long):
 * `fn` did not run. The keeper then spends no refresh token (see `OaTokenKeeper.accessToken`).
 */
export class OaLockUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OaLockUnavailable';
  }
}

/** A lock for one process only: tests, the console, a single-instance deployment. */
export function localLock(): OaLock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(() => fn());
    tail = run.catch(() => undefined);
    return run;
  };
}

/** An RFC 7636 verifier: 32 random bytes, base64url, 43 characters. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** PKCE S256, the only method Zalo accepts. */
export function codeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

export interface OaKeeperError {
  at: number;
  code: number;
  kind: OaErrorKind;
  message: string;
}

export interface OaKeeperState {
  /** A stored pair that has not expired and whose refresh has not been refused since. */
  connected: boolean;
  expiresAt?: number;
  lastRefreshAt?: number;
  lastError?: OaKeeperError;
}

/** What the API client needs from a keeper; a test can supply its own. */
export interface OaAccessTokens {
  accessToken(): Promise<string>;
  onTokenRejected(badToken: string): Promise<string>;
}

export interface OaTokenKeeperOptions {
  oauthRoot: string;
  appId: string;
  appSecret: string;
  store: OaTokenStore;
  lock: OaLock;
  clock?: { now(): number };
  /** Refresh when less than this is left. Default 5 h: about every 20 h for a 25 h token. */
  refreshAheadMs?: number;
  httpTimeoutMs?: number;
  /** After a transient refresh failure, the still-valid token is used this long before trying again. */
  retryAfterFailureMs?: number;
  /** Told of every failed refresh or store write, whoever triggered it: the place to alert admins. */
  onError?: (err: OaApiError) => void;
}

export class OaTokenKeeper implements OaAccessTokens {
  private readonly clock: { now(): number };
  private readonly refreshAheadMs: number;
  private readonly httpTimeoutMs: number;
  private readonly retryAfterFailureMs: number;
  private cached: OaTokenPair | undefined;
  /** A pair whose store write failed: it holds the only live refresh token, so it is kept and re-saved. */
  private unsaved: { pair: OaTokenPair; replaces: string } | undefined;
  private aheadRefresh: Promise<string> | undefined;
  private readonly rejections = new Map<string, Promise<string>>();
  private lastError: OaKeeperError | undefined;
  private lastTransientFailureAt: number | undefined;
  private lastRefreshAt: number | undefined;
  private refused = false;

  constructor(private readonly opts: OaTokenKeeperOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.refreshAheadMs = opts.refreshAheadMs ?? 5 * 3600_000;
    this.httpTimeoutMs = opts.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    this.retryAfterFailureMs = opts.retryAfterFailureMs ?? 60_000;
  }

  newCodeVerifier(): string {
    return newCodeVerifier();
  }

  /** The page the OA admin opens to grant the app access; it comes back to `redirectUri` with `?code=&oa_id=&state=`. */
  authUrl(p: { redirectUri: string; state: string; codeVerifier: string }): string {
    const q = new URLSearchParams({
      app_id: this.opts.appId,
      redirect_uri: p.redirectUri,
      code_challenge: codeChallenge(p.codeVerifier),
      state: p.state,
    });
    return `${this.opts.oauthRoot}/v4/oa/permission?${q.toString()}`;
  }

  /** Trades the consent code (valid 10 minutes, once) for a pair, stored before anything uses it. */
  async exchangeCode(code: string, codeVerifier: string): Promise<{ expiresAt: number }> {
    return this.opts.lock(async () => {
      const pair = await this.grant({ grant_type: 'authorization_code', code, code_verifier: codeVerifier });
      await this.persist(pair, undefined, true);
      return { expiresAt: pair.expiresAt };
    });
  }

  /**
   * First start with a refresh token from the developer console. Spends it only when the store
   * is empty (or `force`), so restarting with the same setting never reuses a spent token.
   * Resolves true when it spent the token.
   */
  async bootstrap(refreshToken: string, opts: { force?: boolean } = {}): Promise<boolean> {
    return this.opts.lock(async () => {
      const stored = await this.opts.store.load();
      if (stored && !opts.force) {
        this.cached = stored;
        return false;
      }
      await this.refreshWith(refreshToken);
      return true;
    });
  }

  /**
   * A token to call the API with, refreshed ahead of expiry, and only under the lock: a refresh
   * token is single use, and two processes presenting it at once (neither seeing the other,
   * Redis being down) would leave one of them, or the store, with a dead pair. So when the lock
   * cannot be had, the current token goes on being used while it is valid and the refresh is
   * tried again after `retryAfterFailureMs`; refreshing starts `refreshAheadMs` (5 h) before
   * expiry, so a Redis outage shorter than that costs nothing. Past expiry, sends fail as
   * transient (retried later) until the lock can be had again.
   */
  async accessToken(): Promise<string> {
    if (this.unsaved) await this.resave();
    const pair = this.cached ?? (await this.loadCached());
    const now = this.clock.now();
    if (!this.due(pair, now)) return pair.accessToken;
    const stillValid = pair.expiresAt > now;
    if (stillValid && this.lastTransientFailureAt !== undefined && now - this.lastTransientFailureAt < this.retryAfterFailureMs) {
      return pair.accessToken;
    }
    // One refresh per process at a time; the lock then serialises the processes.
    this.aheadRefresh ??= this.opts
      .lock(async () => {
        const stored = await this.loadStored();
        // Another process may have refreshed while this one waited: its pair is used as it is,
        // and the single-use refresh token it replaced is never presented again.
        if (!this.due(stored, this.clock.now())) {
          this.cached = stored;
          return stored.accessToken;
        }
        return (await this.refreshWith(stored.refreshToken)).accessToken;
      })
      .finally(() => {
        this.aheadRefresh = undefined;
      });
    try {
      return await this.aheadRefresh;
    } catch (e) {
      if (e instanceof OaLockUnavailable) {
        this.lastTransientFailureAt = this.clock.now();
        if (stillValid) return pair.accessToken;
        throw new OaApiError(0, 'transient', `zalo-oa token: expired, and not refreshed while the token lock cannot be had (${e.message})`);
      }
      // A network blip must not stop sending while the current token still works for hours.
      if (stillValid && e instanceof OaApiError && e.kind === 'transient') return pair.accessToken;
      throw e;
    }
  }

  /**
   * Called when the API refused `badToken` (-216/-220/-124). A refresh in another process kills
   * the old access token, so the store is read first: a different token there is the cure, and
   * only when the store holds the refused token too is the refresh token spent.
   */
  async onTokenRejected(badToken: string): Promise<string> {
    const now = this.clock.now();
    if (this.cached && this.cached.accessToken !== badToken && this.cached.expiresAt > now) return this.cached.accessToken;
    let pending = this.rejections.get(badToken);
    if (!pending) {
      pending = this.opts
        .lock(async () => {
          const stored = await this.loadStored();
          return this.replacing(stored, badToken) ?? (await this.refreshWith(stored.refreshToken)).accessToken;
        })
        .catch(async (e: unknown) => {
          if (!(e instanceof OaLockUnavailable)) throw e;
          // Another process's refresh shows in the store: reading it needs no lock, spending does.
          const cured = this.replacing(await this.loadStored(), badToken);
          if (cured) return cured;
          throw new OaApiError(0, 'transient', `zalo-oa token: refused, and not refreshed while the token lock cannot be had (${e.message})`);
        })
        .finally(() => this.rejections.delete(badToken));
      this.rejections.set(badToken, pending);
    }
    return pending;
  }

  async state(): Promise<OaKeeperState> {
    const pair = this.cached ?? (await this.opts.store.load().catch(() => undefined));
    const now = this.clock.now();
    return {
      connected: pair !== undefined && pair.expiresAt > now && !this.refused,
      expiresAt: pair?.expiresAt,
      lastRefreshAt: pair?.obtainedAt ?? this.lastRefreshAt,
      lastError: this.lastError,
    };
  }

  /** The stored token, taken up, when it is not the refused one and still valid. */
  private replacing(stored: OaTokenPair, badToken: string): string | undefined {
    if (stored.accessToken === badToken || stored.expiresAt <= this.clock.now()) return undefined;
    this.cached = stored;
    return stored.accessToken;
  }

  private due(pair: OaTokenPair, now: number): boolean {
    return pair.expiresAt - now < this.refreshAheadMs;
  }

  private async loadStored(): Promise<OaTokenPair> {
    const stored = (await this.opts.store.load()) ?? this.unsaved?.pair;
    if (!stored) throw new OaApiError(0, 'token', 'zalo-oa: no token pair stored; run the OA consent flow or bootstrap(refreshToken)');
    return stored;
  }

  private async loadCached(): Promise<OaTokenPair> {
    this.cached = await this.loadStored();
    return this.cached;
  }

  /** Must run inside the lock: the refresh token is single use. */
  private async refreshWith(refreshToken: string): Promise<OaTokenPair> {
    const pair = await this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, refreshToken);
    await this.persist(pair, refreshToken, false);
    return pair;
  }

  private async grant(fields: Record<string, string>, previousRefresh?: string): Promise<OaTokenPair> {
    try {
      const pair = await this.requestPair(fields, previousRefresh);
      this.refused = false;
      this.lastTransientFailureAt = undefined;
      this.lastRefreshAt = pair.obtainedAt;
      return pair;
    } catch (e) {
      const err = e instanceof OaApiError ? e : new OaApiError(0, 'transient', `zalo-oa token: ${errorText(e)}`);
      if (err.kind === 'transient') this.lastTransientFailureAt = this.clock.now();
      // A stale consent code says nothing about the pair in the store; a refused refresh does.
      else if (fields.grant_type === 'refresh_token') this.refused = true;
      this.report(err);
      throw err;
    }
  }

  private async requestPair(fields: Record<string, string>, previousRefresh?: string): Promise<OaTokenPair> {
    let res: HttpResponse;
    try {
      res = await post(
        `${this.opts.oauthRoot}/v4/oa/access_token`,
        { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.opts.appSecret },
        new URLSearchParams({ ...fields, app_id: this.opts.appId }).toString(),
        AbortSignal.timeout(this.httpTimeoutMs),
      );
    } catch (e) {
      throw new OaApiError(0, 'transient', `zalo-oa token: no answer (${errorText(e)})`);
    }
    const body = await readJson(res);
    const code = isRecord(body) ? numberOf(body.error) : undefined;
    if (isRecord(body) && code !== undefined && code !== 0) {
      // Failures come as HTTP 200 with error/error_name/error_description.
      const what = [body.error_name, body.error_description, body.message].filter((s) => typeof s === 'string' && s).join(': ');
      throw new OaApiError(code, 'token', `zalo-oa token ${fields.grant_type} refused ${code}${what ? ` (${what})` : ''}`);
    }
    if (res.status >= 500 || body === undefined) throw new OaApiError(res.status, 'transient', `zalo-oa token: HTTP ${res.status} ${res.statusText}`);
    if (!res.ok) throw new OaApiError(res.status, 'token', `zalo-oa token: HTTP ${res.status} ${res.statusText}`);
    if (!isRecord(body) || typeof body.access_token !== 'string' || !body.access_token) {
      throw new OaApiError(0, 'token', 'zalo-oa token: the reply has no access_token');
    }
    const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : previousRefresh;
    if (!refreshToken) throw new OaApiError(0, 'token', 'zalo-oa token: the reply has no refresh_token');
    const now = this.clock.now();
    const expiresIn = numberOf(body.expires_in) ?? DEFAULT_EXPIRES_IN_S;
    return { accessToken: body.access_token, refreshToken, expiresAt: now + expiresIn * 1000, obtainedAt: now };
  }

  /**
   * The store is written before the token is used or returned: the refresh token just spent is
   * gone, and the new one must survive this process. A failed write is retried; if it still
   * fails the pair is kept in memory (this process keeps working), re-saved later and reported.
   */
  private async persist(pair: OaTokenPair, replaces: string | undefined, throwOnFailure: boolean): Promise<void> {
    let lastFailure: unknown;
    for (const wait of [0, 100, 500]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      try {
        await this.opts.store.save(pair);
        this.cached = pair;
        this.unsaved = undefined;
        return;
      } catch (e) {
        lastFailure = e;
      }
    }
    this.cached = pair;
    this.unsaved = { pair, replaces: replaces ?? '' };
    const err = new OaApiError(0, 'other', `zalo-oa token: the new pair could not be stored (${errorText(lastFailure)}); it lives only in this process until a later save succeeds`);
    this.report(err);
    if (throwOnFailure) throw err;
  }

  private async resave(): Promise<void> {
    const pending = this.unsaved;
    if (!pending) return;
    await this.opts
      .lock(async () => {
        const stored = await this.opts.store.load();
        // Save only over the pair this one replaced: anything newer came from a later consent.
        if (!stored || stored.refreshToken === pending.replaces) await this.opts.store.save(pending.pair);
        if (this.unsaved === pending) this.unsaved = undefined;
      })
      .catch(() => undefined);
  }

  private report(err: OaApiError): void {
    this.lastError = { at: this.clock.now(), code: err.code, kind: err.kind, message: err.message };
    try {
      this.opts.onError?.(err);
    } catch {
      // An alerting hook that throws must not turn into a token failure.
    }
  }
}

// ---------------------------------------------------------------------------------------------
// API client

export type OaButton =
  | { title: string; type: 'oa.query.hide' | 'oa.query.show'; payload: string }
  | { title: string; type: 'oa.open.url'; payload: { url: string } }
  | { title: string; type: 'oa.open.phone'; payload: { phone_code: string } };

export type OaImage = { url: string } | { attachmentId: string };

export interface ZaloOaClientOptions {
  apiRoot: string;
  /** The ZNS (notification by phone number) host; sendZns refuses to run without it. */
  znsRoot?: string;
  keeper: OaAccessTokens;
  httpTimeoutMs?: number;
  /** Path of the approved-template endpoint under apiRoot. */
  templatePath?: string;
  /** Builds the template request body: the shape depends on the template type Zalo approved. */
  templateBody?: (userId: string, payload: Record<string, unknown>) => unknown;
  imageMaxBytes?: number;
}

function defaultTemplateBody(userId: string, payload: Record<string, unknown>): unknown {
  return { recipient: { user_id: userId }, message: { attachment: { type: 'template', payload } } };
}

export class ZaloOaClient {
  private readonly httpTimeoutMs: number;
  private readonly templatePath: string;
  private readonly templateBody: (userId: string, payload: Record<string, unknown>) => unknown;
  private readonly imageMaxBytes: number;

  constructor(private readonly opts: ZaloOaClientOptions) {
    this.httpTimeoutMs = opts.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    this.templatePath = opts.templatePath ?? '/v3.0/oa/message/template';
    this.templateBody = opts.templateBody ?? defaultTemplateBody;
    this.imageMaxBytes = opts.imageMaxBytes ?? OA_IMAGE_MAX_BYTES;
  }

  /** A customer-service message (needs a user interaction within 7 days). Resolves to Zalo's message id. */
  async sendText(userId: string, text: string, buttons?: OaButton[]): Promise<string> {
    checkText(text, 'text');
    if (text.length === 0) throw new OaApiError(0, 'bad_request', 'zalo-oa: empty text');
    const message: Record<string, unknown> = { text };
    if (buttons && buttons.length > 0) {
      if (buttons.length > OA_BUTTONS_MAX) {
        throw new OaApiError(0, 'bad_request', `zalo-oa: ${buttons.length} buttons; at most ${OA_BUTTONS_MAX} per message (list the rest as text)`);
      }
      for (const b of buttons) checkButton(b);
      message.attachment = { type: 'template', payload: { buttons } };
    }
    return this.sendCs(userId, message);
  }

  /** Asks the user to share name and phone; the answer comes later as a `user_submit_info` event. */
  async requestUserInfo(userId: string, card: { title: string; subtitle: string; imageUrl: string }): Promise<string> {
    return this.sendCs(userId, {
      attachment: {
        type: 'template',
        payload: { template_type: 'request_user_info', elements: [{ title: card.title, subtitle: card.subtitle, image_url: card.imageUrl }] },
      },
    });
  }

  async sendImage(userId: string, image: OaImage, caption?: string): Promise<string> {
    if (caption !== undefined) checkText(caption, 'caption');
    const element = 'url' in image ? { media_type: 'image', url: image.url } : { media_type: 'image', attachment_id: image.attachmentId };
    const message: Record<string, unknown> = { attachment: { type: 'template', payload: { template_type: 'media', elements: [element] } } };
    if (caption) message.text = caption;
    return this.sendCs(userId, message);
  }

  /** Resolves to the attachment id for `sendImage({attachmentId})`. */
  async uploadImage(bytes: Buffer, filename: string, contentType: string): Promise<string> {
    if (bytes.length > this.imageMaxBytes) {
      throw new OaApiError(0, 'bad_request', `zalo-oa: image is ${bytes.length} bytes; Zalo takes at most ${this.imageMaxBytes} (shrink it or send it by URL)`);
    }
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) throw new OaApiError(0, 'bad_request', `zalo-oa: bad content type ${JSON.stringify(contentType)}`);
    const form = multipartFile('file', filename, contentType, bytes);
    const data = await this.call('upload', `${this.opts.apiRoot}/v2.0/oa/upload/image`, form.body, form.contentType);
    const id = idOf(data, 'attachment_id');
    if (!id) throw new OaApiError(0, 'other', 'zalo-oa upload: the reply has no attachment_id');
    return id;
  }

  /** An approved template message, allowed outside the 7-day window. */
  async sendTemplate(userId: string, payload: Record<string, unknown>): Promise<string> {
    return this.messageId('template', await this.call('template', `${this.opts.apiRoot}${this.templatePath}`, JSON.stringify(this.templateBody(userId, payload))));
  }

  /** A ZNS notice to a phone number ("84…"), for people who do not follow the OA or are outside the window. */
  async sendZns(phone: string, templateId: string, data: Record<string, unknown>, trackingId: string): Promise<string> {
    if (!this.opts.znsRoot) throw new OaApiError(0, 'bad_request', 'zalo-oa: ZNS is not configured (no znsRoot)');
    const body = JSON.stringify({ phone, template_id: templateId, template_data: data, tracking_id: trackingId });
    return this.messageId('zns', await this.call('zns', `${this.opts.znsRoot}/message/template`, body));
  }

  private async sendCs(userId: string, message: Record<string, unknown>): Promise<string> {
    const body = JSON.stringify({ recipient: { user_id: userId }, message });
    return this.messageId('cs', await this.call('cs', `${this.opts.apiRoot}/v3.0/oa/message/cs`, body));
  }

  private messageId(what: string, data: Record<string, unknown>): string {
    const id = idOf(data, 'message_id') ?? idOf(data, 'msg_id');
    if (!id) throw new OaApiError(0, 'other', `zalo-oa ${what}: the reply has no message id`);
    return id;
  }

  /** One API call; a refused token is renewed through the keeper and the call retried once. */
  private async call(what: string, url: string, body: string | Buffer, contentType = 'application/json'): Promise<Record<string, unknown>> {
    let token = await this.opts.keeper.accessToken();
    for (let attempt = 0; ; attempt++) {
      const reply = await this.once(what, url, token, body, contentType);
      if (reply.ok) return reply.data;
      const err = reply.error;
      if (err.kind !== 'token' || attempt > 0) throw err;
      token = await this.opts.keeper.onTokenRejected(token);
    }
  }

  private async once(
    what: string,
    url: string,
    token: string,
    body: string | Buffer,
    contentType: string,
  ): Promise<{ ok: true; data: Record<string, unknown> } | { ok: false; error: OaApiError }> {
    let res: HttpResponse;
    try {
      res = await post(url, { 'content-type': contentType, access_token: token }, body, AbortSignal.timeout(this.httpTimeoutMs));
    } catch (e) {
      // The request may still have reached Zalo: a caller that retries must tolerate a duplicate.
      return { ok: false, error: new OaApiError(0, 'transient', `zalo-oa ${what}: no answer (${errorText(e)})`) };
    }
    const json = await readJson(res);
    const code = isRecord(json) ? numberOf(json.error) : undefined;
    if (code !== undefined && code !== 0) {
      const message = isRecord(json) && typeof json.message === 'string' ? json.message : '';
      return { ok: false, error: new OaApiError(code, oaErrorKind(code), `zalo-oa ${what} ${code}${message ? `: ${message}` : ''}`) };
    }
    if (res.status >= 500) return { ok: false, error: new OaApiError(res.status, 'transient', `zalo-oa ${what}: HTTP ${res.status} ${res.statusText}`) };
    if (res.status === 429) return { ok: false, error: new OaApiError(res.status, 'rate_limited', `zalo-oa ${what}: HTTP 429`) };
    if (!res.ok) return { ok: false, error: new OaApiError(res.status, 'other', `zalo-oa ${what}: HTTP ${res.status} ${res.statusText}`) };
    // A 200 that is not JSON is a proxy's page, not Zalo: worth another try later.
    if (!isRecord(json)) return { ok: false, error: new OaApiError(res.status, 'transient', `zalo-oa ${what}: the reply is not JSON`) };
    return { ok: true, data: isRecord(json.data) ? json.data : {} };
  }
}

function checkText(text: string, what: string): void {
  if (text.length > OA_TEXT_MAX) {
    throw new OaApiError(0, 'bad_request', `zalo-oa: ${what} is ${text.length} characters; at most ${OA_TEXT_MAX} (split it before sending)`);
  }
}

function checkButton(b: OaButton): void {
  const bad = (why: string) => new OaApiError(0, 'bad_request', `zalo-oa: button ${JSON.stringify(b.title)}: ${why}`);
  if (typeof b.title !== 'string' || b.title.trim() === '') throw bad('empty title');
  switch (b.type) {
    case 'oa.query.hide':
    case 'oa.query.show':
      if (typeof b.payload !== 'string' || b.payload === '') throw bad('a query button needs a string payload');
      return;
    case 'oa.open.url':
      if (!b.payload || typeof b.payload.url !== 'string' || !/^https?:\/\//.test(b.payload.url)) throw bad('an open.url button needs {url}');
      return;
    case 'oa.open.phone':
      if (!b.payload || typeof b.payload.phone_code !== 'string' || b.payload.phone_code === '') throw bad('an open.phone button needs {phone_code}');
      return;
    default:
      throw bad(`unknown type ${JSON.stringify((b as { type: unknown }).type)}`);
  }
}

/** Ids stay strings: they are larger than 2^53 and would be corrupted as numbers. */
function idOf(data: Record<string, unknown>, key: string): string | undefined {
  const v = data[key];
  if (typeof v === 'string' && v) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

function multipartFile(field: string, filename: string, contentType: string, bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----thu7oa${randomBytes(12).toString('hex')}`;
  const safeName = filename.replace(/["\\\r\n]/g, '_') || 'image';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'utf8'), bytes, Buffer.from(`\r\n--${boundary}--\r\n`, 'ascii')]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
