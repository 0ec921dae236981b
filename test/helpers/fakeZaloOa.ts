import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * A fake Zalo Official Account platform over real HTTP on 127.0.0.1, as documented and as
 * working integrations see it:
 * - OAuth v4 with PKCE consent codes (10 minutes, once) and rotating SINGLE-USE refresh tokens:
 *   each refresh or exchange kills the previous access token; a reused refresh token gets the
 *   HTTP 200 error body Zalo sends (-14014);
 * - the customer-service message endpoint with the 7-day interaction window, button and template
 *   shape checks, image upload (≤ 1 MB), approved templates and ZNS by phone number;
 * - errors as HTTP 200 with `error` ≠ 0, and injectable ones (`failNext`);
 * - a webhook pusher that signs events the way Zalo does (sha256 of app id + raw body +
 *   timestamp + OA secret key) and can misbehave like the real path (NFD text, duplicates,
 *   retries with `num_retry`, a proxy re-serialising the JSON after signing).
 * Ids are big-number strings, as Zalo's are.
 *
 * The error codes Zalo does not document clearly (-140xx for OAuth) are this fake's choice;
 * -14014 for a reused refresh token is the real one.
 */

export type FakeOaEndpoint = 'oauth' | 'cs' | 'template' | 'upload' | 'zns';

export interface FakeOaUser {
  id: string;
  follower: boolean;
  /** Epoch ms of the user's last interaction with the OA; cs messages need one within 7 days. */
  lastInteraction: number | undefined;
  /** The user blocked this kind of message: cs sends answer -244. */
  blocked: boolean;
}

export interface FakeOaSent {
  userId: string;
  endpoint: 'cs' | 'template';
  kind: 'text' | 'buttons' | 'request_user_info' | 'image' | 'template';
  text?: string;
  buttons?: { title: string; type: string; payload: unknown }[];
  image?: { url?: string; attachmentId?: string };
  templatePayload?: Record<string, unknown>;
  msgId: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeZnsCall {
  phone: string;
  templateId: string;
  data: Record<string, unknown>;
  trackingId: string;
  msgId: string;
  at: number;
}

export interface FakeUpload {
  attachmentId: string;
  filename: string;
  contentType: string;
  size: number;
}

export type FakeUserAction =
  | string
  | { location: { lat: number; lon: number; label?: string } }
  | { sticker: true }
  | { media: 'image' | 'file' | 'audio' | 'video' | 'link' | 'gif' }
  | { submitInfo: { name: string; phone: string; address?: string; city?: string; district?: string } }
  | { follow: true }
  | { unfollow: true }
  | { chatnow: true };

export interface FakePushOptions {
  /** Text (and names) decomposed, as some phones send Vietnamese. */
  nfd?: boolean;
  /** The same event, same bytes and msg_id, delivered twice. */
  duplicate?: boolean;
  /** Delivered again this many times with `num_retry: 1..n`, as Zalo does when no 200 came in time. */
  retries?: number;
  /** The signature's hex is wrong. */
  badSignature?: boolean;
  /** A proxy re-serialises the JSON (other spacing and key order) after Zalo signed it. */
  reserialize?: boolean;
  /** Signed with a timestamp sent in X-ZEvent-Timestamp (differing from the body's), as some integrations see. */
  timestampHeader?: boolean;
}

export interface FakeDelivery {
  eventName: string;
  raw: Buffer;
  headers: Record<string, string>;
  status: number;
}

const SEVEN_DAYS_MS = 7 * 24 * 3600_000;
const BUTTON_TYPES = new Set(['oa.query.hide', 'oa.query.show', 'oa.open.url', 'oa.open.phone', 'oa.open.sms']);

export function bigId(): string {
  // 19 digits, above 2^53, never starting with 0: the shape of Zalo's user, OA and app ids.
  let s = String(1 + (randomBytes(1)[0]! % 9));
  for (const b of randomBytes(18)) s += String(b % 10);
  return s;
}

function msgIdHex(): string {
  return randomBytes(16).toString('hex');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys in reverse order, at every level: what a re-serialising proxy may well do. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reorder(v[k])]));
}

export class FakeZaloOa {
  readonly appId = '3421768754289128463';
  readonly appSecret = `app-secret-${randomBytes(8).toString('hex')}`;
  /** The OA secret key that signs webhook events (not the app secret). */
  readonly secretKey = `oa-secret-${randomBytes(8).toString('hex')}`;
  readonly oaId = '1423847451268726170';

  /** Where events are pushed (the bot's webhook). */
  webhookUrl: string | undefined;
  /** After each cs message: its echo, then user_received_message, then user_seen_message. */
  autoEvents = { echo: true, received: true, seen: true };
  /** The fake's own time (token and code expiry, the 7-day window). */
  clock: () => number = () => Date.now();
  /** Seconds; sent as a string, as Zalo does, unless `expiresInAsNumber`. */
  accessTtlSec = 90_000;
  expiresInAsNumber = false;
  /** Delay of every OAuth answer, so concurrent refreshes really overlap. */
  oauthDelayMs = 0;
  imageMaxBytes = 1024 * 1024;

  readonly sent: FakeOaSent[] = [];
  readonly zns: FakeZnsCall[] = [];
  readonly uploads: FakeUpload[] = [];
  readonly deliveries: FakeDelivery[] = [];
  /** Every request that reached an endpoint, with the answer's `error` (0 = success). */
  readonly calls: { endpoint: FakeOaEndpoint | 'consent'; error: number; at: number }[] = [];
  /** The last event `userSends` pushed, as sent. */
  lastPushed: { event: Record<string, unknown>; raw: Buffer } | undefined;

  private server: Server | undefined;
  private readonly users = new Map<string, FakeOaUser>();
  private readonly access = new Map<string, { alive: boolean; expiresAt: number }>();
  private readonly refresh = new Map<string, { spent: boolean; uses: number; expiresAt: number }>();
  private readonly codes = new Map<string, { challenge: string; expiresAt: number; used: boolean }>();
  private readonly attachments = new Set<string>();
  private readonly faults: { endpoint: FakeOaEndpoint; code: number; remaining: number; httpStatus?: number }[] = [];
  private readonly pending = new Set<Promise<void>>();
  private refreshGrants = 0;
  private codeGrants = 0;
  private lastTimestamp = 0;

  static async start(): Promise<FakeZaloOa> {
    const fake = new FakeZaloOa();
    await fake.listen();
    return fake;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  private get root(): string {
    if (!this.server) throw new Error('FakeZaloOa: call start() first');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get oauthRoot(): string {
    return `${this.root}/oauth`;
  }
  get apiRoot(): string {
    return `${this.root}/openapi`;
  }
  get znsRoot(): string {
    return `${this.root}/business`;
  }

  /** Waits for the automatic events still being delivered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settled();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // --- state for tests -------------------------------------------------------------------

  user(id: string): FakeOaUser {
    let u = this.users.get(id);
    if (!u) {
      u = { id, follower: true, lastInteraction: undefined, blocked: false };
      this.users.set(id, u);
    }
    return u;
  }

  sentTo(userId: string): FakeOaSent[] {
    return this.sent.filter((m) => m.userId === userId);
  }

  lastTo(userId: string): FakeOaSent | undefined {
    return this.sentTo(userId).at(-1);
  }

  /** How many times this refresh token was presented (a correct client: at most once). */
  refreshUses(refreshToken: string): number {
    return this.refresh.get(refreshToken)?.uses ?? 0;
  }

  get refreshCount(): number {
    return this.refreshGrants;
  }

  get codeExchangeCount(): number {
    return this.codeGrants;
  }

  /** The one access token that works now. */
  get liveAccessToken(): string | undefined {
    for (const [t, s] of this.access) if (s.alive && s.expiresAt > this.clock()) return t;
    return undefined;
  }

  isAlive(accessToken: string): boolean {
    const s = this.access.get(accessToken);
    return s !== undefined && s.alive && s.expiresAt > this.clock();
  }

  /** A pair as the developer console hands it out (for bootstrap); kills the previous access token. */
  issueTokens(): { accessToken: string; refreshToken: string; expiresIn: number } {
    const p = this.issue();
    return { accessToken: p.access_token, refreshToken: p.refresh_token, expiresIn: this.accessTtlSec };
  }

  /** The next `times` requests to `endpoint` fail with Zalo error `code` (HTTP 200), or with `httpStatus` and no JSON. */
  failNext(endpoint: FakeOaEndpoint, code: number, times = 1, opts: { httpStatus?: number } = {}): void {
    this.faults.push({ endpoint, code, remaining: times, httpStatus: opts.httpStatus });
  }

  callsTo(endpoint: FakeOaEndpoint): number {
    return this.calls.filter((c) => c.endpoint === endpoint).length;
  }

  /** Drops every uploaded image: sending one by attachment id then answers -100. */
  expireUploads(): void {
    this.attachments.clear();
  }

  /**
   * The OA admin opens `authUrl` and approves: the consent page redirects back with
   * `code`, `oa_id` and `state`. Done over HTTP, so the URL the keeper built is what is checked.
   */
  async approve(authUrl: string): Promise<{ code: string; oaId: string; state: string; redirectUri: string }> {
    const res = await fetch(authUrl, { redirect: 'manual' });
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`consent refused: HTTP ${res.status}`);
    const back = new URL(location);
    return {
      code: back.searchParams.get('code') ?? '',
      oaId: back.searchParams.get('oa_id') ?? '',
      state: back.searchParams.get('state') ?? '',
      redirectUri: `${back.origin}${back.pathname}`,
    };
  }

  // --- webhook pusher --------------------------------------------------------------------

  /** The user does something; the event is POSTed (signed) to `webhookUrl`. Resolves to each POST's HTTP status. */
  async userSends(userId: string, action: FakeUserAction, opts: FakePushOptions = {}): Promise<number[]> {
    const event = this.userEvent(userId, action, opts.nfd ?? false);
    // Every user action here counts as an interaction, which reopens the 7-day window.
    const u = this.user(userId);
    u.lastInteraction = this.clock();
    if (typeof action === 'object' && 'follow' in action) u.follower = true;
    if (typeof action === 'object' && 'unfollow' in action) u.follower = false;
    const raw = Buffer.from(JSON.stringify(event), 'utf8');
    this.lastPushed = { event, raw };
    const statuses: number[] = [];
    const times = opts.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) statuses.push(await this.deliver(event, raw, opts));
    for (let n = 1; n <= (opts.retries ?? 0); n++) statuses.push(await this.deliver(event, raw, opts, n));
    return statuses;
  }

  /** Signs and POSTs one raw event; the bytes signed are the bytes sent (unless `reserialize`). */
  async deliver(event: Record<string, unknown>, raw: Buffer, opts: FakePushOptions = {}, numRetry?: number): Promise<number> {
    if (!this.webhookUrl) throw new Error('FakeZaloOa: set webhookUrl before pushing events');
    const bodyTs = String(event.timestamp ?? '');
    const signedTs = opts.timestampHeader ? String(Number(bodyTs) + 7) : bodyTs;
    let mac = createHash('sha256').update(this.appId).update(raw).update(signedTs).update(this.secretKey).digest('hex');
    if (opts.badSignature) mac = (mac[0] === '0' ? '1' : '0') + mac.slice(1);
    const sent = opts.reserialize ? Buffer.from(JSON.stringify(reorder(JSON.parse(raw.toString('utf8'))), null, 1), 'utf8') : raw;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-zevent-signature': `mac=${mac}` };
    if (opts.timestampHeader) headers['x-zevent-timestamp'] = signedTs;
    if (numRetry !== undefined) headers.num_retry = String(numRetry);
    let status: number;
    try {
      const res = await request(this.webhookUrl, { method: 'POST', headers, body: sent });
      await res.body.arrayBuffer();
      status = res.statusCode;
    } catch {
      status = 0; // nobody listening: recorded rather than thrown, as Zalo just retries later
    }
    this.deliveries.push({ eventName: String(event.event_name), raw: sent, headers, status });
    return status;
  }

  private timestamp(): string {
    // Strictly increasing, so events pushed in one millisecond still order.
    this.lastTimestamp = Math.max(this.clock(), this.lastTimestamp + 1);
    return String(this.lastTimestamp);
  }

  /** Zalo's app-scoped id of a user: another big number. */
  private idByApp(userId: string): string {
    return /^\d+$/.test(userId) ? (BigInt(userId) ^ 0x2a5a_5a5a_a5a5n).toString() : `app-${userId}`;
  }

  private userEvent(userId: string, action: FakeUserAction, nfd: boolean): Record<string, unknown> {
    const human = (s: string) => (nfd ? s.normalize('NFD') : s.normalize('NFC'));
    const common = { app_id: this.appId, user_id_by_app: this.idByApp(userId), timestamp: this.timestamp() };
    const fromUser = { sender: { id: userId }, recipient: { id: this.oaId } };
    if (typeof action === 'string') {
      return { ...common, event_name: 'user_send_text', ...fromUser, message: { msg_id: msgIdHex(), text: human(action) } };
    }
    if ('location' in action) {
      const { lat, lon, label } = action.location;
      return {
        ...common,
        event_name: 'user_send_location',
        ...fromUser,
        message: {
          msg_id: msgIdHex(),
          ...(label ? { text: human(label) } : {}),
          attachments: [{ type: 'location', payload: { coordinates: { latitude: String(lat), longitude: String(lon) } } }],
        },
      };
    }
    if ('sticker' in action) {
      const id = randomBytes(8).toString('hex');
      return {
        ...common,
        event_name: 'user_send_sticker',
        ...fromUser,
        message: { msg_id: msgIdHex(), attachments: [{ type: 'sticker', payload: { id, url: `https://zalo.example/sticker/${id}` } }] },
      };
    }
    if ('media' in action) {
      const m = action.media;
      return {
        ...common,
        event_name: `user_send_${m}`,
        ...fromUser,
        message: { msg_id: msgIdHex(), attachments: [{ type: m, payload: { url: `https://zalo.example/${m}/${msgIdHex()}` } }] },
      };
    }
    if ('submitInfo' in action) {
      const i = action.submitInfo;
      const info: Record<string, string> = { name: human(i.name), phone: i.phone };
      if (i.address) info.address = human(i.address);
      if (i.city) info.city = human(i.city);
      if (i.district) info.district = human(i.district);
      return { ...common, event_name: 'user_submit_info', ...fromUser, info };
    }
    if ('follow' in action || 'unfollow' in action) {
      return { ...common, event_name: 'follow' in action ? 'follow' : 'unfollow', oa_id: this.oaId, source: 'oa_profile', follower: { id: userId } };
    }
    return { ...common, event_name: 'user_click_chatnow', oa_id: this.oaId, user_id: userId };
  }

  /** The events Zalo sends after a cs message: about the OA's message, so from the OA to the user. */
  private afterSend(m: FakeOaSent): void {
    if (!this.webhookUrl) return;
    const fromOa = { app_id: this.appId, user_id_by_app: this.idByApp(m.userId), sender: { id: this.oaId }, recipient: { id: m.userId } };
    const events: Record<string, unknown>[] = [];
    if (this.autoEvents.echo) {
      const name = m.kind === 'image' ? 'oa_send_image' : m.kind === 'request_user_info' ? 'oa_send_list' : 'oa_send_text';
      events.push({ ...fromOa, event_name: name, message: { msg_id: m.msgId, ...(m.text ? { text: m.text } : {}) } });
    }
    if (this.autoEvents.received) events.push({ ...fromOa, event_name: 'user_received_message', message: { msg_ids: [m.msgId] } });
    if (this.autoEvents.seen) events.push({ ...fromOa, event_name: 'user_seen_message', message: { msg_ids: [m.msgId] } });
    if (events.length === 0) return;
    const run = (async () => {
      await new Promise((r) => setImmediate(r));
      for (const e of events) {
        e.timestamp = this.timestamp();
        await this.deliver(e, Buffer.from(JSON.stringify(e), 'utf8'));
      }
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  // --- HTTP ------------------------------------------------------------------------------

  private issue(): { access_token: string; refresh_token: string; expires_in: string | number } {
    // A new access token kills the previous one, as on Zalo.
    for (const s of this.access.values()) s.alive = false;
    const now = this.clock();
    const at = `at-${randomBytes(24).toString('base64url')}`;
    const rt = `rt-${randomBytes(24).toString('base64url')}`;
    this.access.set(at, { alive: true, expiresAt: now + this.accessTtlSec * 1000 });
    this.refresh.set(rt, { spent: false, uses: 0, expiresAt: now + 90 * 24 * 3600_000 });
    return { access_token: at, refresh_token: rt, expires_in: this.expiresInAsNumber ? this.accessTtlSec : String(this.accessTtlSec) };
  }

  private takeFault(endpoint: FakeOaEndpoint) {
    const f = this.faults.find((x) => x.endpoint === endpoint && x.remaining > 0);
    if (f) f.remaining--;
    return f;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const reply = (endpoint: FakeOaEndpoint | 'consent', body: Record<string, unknown>, status = 200) => {
      this.calls.push({ endpoint, error: Number(body.error ?? 0), at: this.clock() });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };

    if (req.method === 'GET' && url.pathname === '/oauth/v4/oa/permission') return this.consent(url, res);
    if (req.method !== 'POST') return void res.writeHead(405).end();

    const endpoint: FakeOaEndpoint | undefined =
      url.pathname === '/oauth/v4/oa/access_token'
        ? 'oauth'
        : url.pathname === '/openapi/v3.0/oa/message/cs'
          ? 'cs'
          : url.pathname === '/openapi/v3.0/oa/message/template'
            ? 'template'
            : url.pathname === '/openapi/v2.0/oa/upload/image'
              ? 'upload'
              : url.pathname === '/business/message/template'
                ? 'zns'
                : undefined;
    if (!endpoint) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>404</h1>');

    if (endpoint === 'oauth') {
      if (this.oauthDelayMs) await new Promise((r) => setTimeout(r, this.oauthDelayMs));
      const fault = this.takeFault('oauth');
      if (fault?.httpStatus) return void res.writeHead(fault.httpStatus, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      if (fault) return reply('oauth', { error: fault.code, error_name: 'Injected', error_description: 'injected by the test' });
      return reply('oauth', this.oauth(new URLSearchParams(raw.toString('utf8')), req.headers.secret_key));
    }

    const fault = this.takeFault(endpoint);
    if (fault?.httpStatus) {
      this.calls.push({ endpoint, error: fault.httpStatus, at: this.clock() });
      return void res.writeHead(fault.httpStatus, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    }
    if (fault) return reply(endpoint, { error: fault.code, message: 'injected by the test' });

    const token = req.headers.access_token;
    if (typeof token !== 'string' || !this.access.has(token) || !this.access.get(token)!.alive) {
      return reply(endpoint, { error: -216, message: 'Access token is invalid' });
    }
    if (this.access.get(token)!.expiresAt <= this.clock()) return reply(endpoint, { error: -220, message: 'Access token has expired' });

    if (endpoint === 'upload') return reply(endpoint, this.upload(req, raw));
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(endpoint, { error: -201, message: 'Body is not valid JSON' });
    }
    if (!isRecord(body)) return reply(endpoint, { error: -201, message: 'Body must be an object' });
    if (endpoint === 'zns') return reply(endpoint, this.sendZns(body));
    return reply(endpoint, this.sendMessage(endpoint, body));
  }

  private consent(url: URL, res: ServerResponse): void {
    const appId = url.searchParams.get('app_id');
    const redirect = url.searchParams.get('redirect_uri');
    const challenge = url.searchParams.get('code_challenge');
    const state = url.searchParams.get('state') ?? '';
    this.calls.push({ endpoint: 'consent', error: 0, at: this.clock() });
    if (appId !== this.appId || !redirect || !challenge) return void res.writeHead(400, { 'content-type': 'text/html' }).end('<h1>-14003 invalid param</h1>');
    const code = `code-${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, { challenge, expiresAt: this.clock() + 10 * 60_000, used: false });
    const back = new URL(redirect);
    back.searchParams.set('code', code);
    back.searchParams.set('oa_id', this.oaId);
    back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private oauth(form: URLSearchParams, secret: string | string[] | undefined): Record<string, unknown> {
    const fail = (error: number, error_name: string, error_description: string) => ({ error, error_name, error_description });
    if (form.get('app_id') !== this.appId) return fail(-14001, 'Invalid app id', 'app_id is wrong');
    if (secret !== this.appSecret) return fail(-14002, 'Invalid secret key', 'secret_key header is wrong');
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      this.refreshGrants++;
      const rt = form.get('refresh_token') ?? '';
      const s = this.refresh.get(rt);
      if (s) s.uses++;
      if (!s || s.spent || s.expiresAt <= this.clock()) return fail(-14014, 'Invalid refresh token', 'Refresh token is invalid or has been used');
      s.spent = true;
      return this.issue();
    }
    if (grant === 'authorization_code') {
      this.codeGrants++;
      const c = this.codes.get(form.get('code') ?? '');
      if (!c || c.used || c.expiresAt <= this.clock()) return fail(-14005, 'Invalid oauth code', 'The code is invalid, used or expired');
      c.used = true;
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return fail(-14019, 'Invalid code verifier', 'code_verifier does not match code_challenge');
      return this.issue();
    }
    return fail(-14003, 'Invalid param', `grant_type ${String(grant)}`);
  }

  private sendMessage(endpoint: 'cs' | 'template', body: Record<string, unknown>): Record<string, unknown> {
    const bad = (message: string) => ({ error: -201, message });
    const userId = isRecord(body.recipient) ? body.recipient.user_id : undefined;
    if (typeof userId !== 'string' || !/^\d+$/.test(userId)) return bad('recipient.user_id must be a numeric string');
    const message = isRecord(body.message) ? body.message : undefined;
    if (!message) return bad('message is required');
    const text = message.text;
    if (text !== undefined && (typeof text !== 'string' || text.length > 2000)) return bad('message.text must be a string of at most 2000 characters');
    const attachment = message.attachment;
    const record: Omit<FakeOaSent, 'msgId' | 'at'> = { userId, endpoint, kind: 'text', body };
    if (typeof text === 'string') record.text = text;

    if (endpoint === 'template') {
      if (!isRecord(attachment) || attachment.type !== 'template' || !isRecord(attachment.payload) || typeof attachment.payload.template_type !== 'string') {
        return bad('a template message needs attachment {type:"template", payload:{template_type}}');
      }
      record.kind = 'template';
      record.templatePayload = attachment.payload;
    } else {
      const u = this.user(userId);
      if (!u.follower) return { error: -213, message: 'User has not followed OA' };
      if (u.blocked) return { error: -244, message: 'User has blocked messages of this type' };
      if (u.lastInteraction === undefined || this.clock() - u.lastInteraction > SEVEN_DAYS_MS) {
        return { error: -230, message: 'User has not interacted with the OA in the past 7 days' };
      }
      if (attachment !== undefined) {
        const problem = this.checkAttachment(attachment, record);
        if (problem === 'expired_upload') return { error: -100, message: 'Attachment has expired' };
        if (problem) return bad(problem);
      } else if (typeof text !== 'string' || text.length === 0) {
        return bad('message.text is required');
      }
      if (record.kind === 'buttons' && (typeof text !== 'string' || text.length === 0)) return bad('buttons need message.text');
    }
    const sent: FakeOaSent = { ...record, msgId: msgIdHex(), at: this.clock() };
    this.sent.push(sent);
    if (endpoint === 'cs') this.afterSend(sent);
    return { error: 0, message: 'Success', data: { message_id: sent.msgId, user_id: userId } };
  }

  /** What is wrong with the attachment ('expired_upload' for an unknown upload), or undefined; fills in the record's kind. */
  private checkAttachment(attachment: unknown, record: Omit<FakeOaSent, 'msgId' | 'at'>): string | undefined {
    if (!isRecord(attachment) || attachment.type !== 'template' || !isRecord(attachment.payload)) return 'attachment must be {type:"template", payload}';
    const p = attachment.payload;
    if (p.template_type === undefined && Array.isArray(p.buttons)) {
      if (p.buttons.length === 0 || p.buttons.length > 5) return 'a message takes 1 to 5 buttons';
      for (const b of p.buttons) {
        if (!isRecord(b) || typeof b.title !== 'string' || b.title === '' || typeof b.type !== 'string' || !BUTTON_TYPES.has(b.type)) return 'bad button';
        if (b.type.startsWith('oa.query.') && (typeof b.payload !== 'string' || b.payload === '')) return 'a query button takes a string payload';
        if (b.type === 'oa.open.url' && !(isRecord(b.payload) && typeof b.payload.url === 'string' && /^https?:\/\//.test(b.payload.url))) return 'open.url takes {url}';
        if (b.type === 'oa.open.phone' && !(isRecord(b.payload) && typeof b.payload.phone_code === 'string')) return 'open.phone takes {phone_code}';
      }
      record.kind = 'buttons';
      record.buttons = p.buttons as FakeOaSent['buttons'];
      return undefined;
    }
    const el = Array.isArray(p.elements) && p.elements.length === 1 && isRecord(p.elements[0]) ? p.elements[0] : undefined;
    if (p.template_type === 'request_user_info') {
      if (!el || typeof el.title !== 'string' || typeof el.subtitle !== 'string' || typeof el.image_url !== 'string') return 'request_user_info takes one element {title, subtitle, image_url}';
      if (el.title.length > 100 || el.subtitle.length > 500) return 'request_user_info title or subtitle too long';
      record.kind = 'request_user_info';
      return undefined;
    }
    if (p.template_type === 'media') {
      if (!el || el.media_type !== 'image') return 'media takes one element {media_type:"image", url | attachment_id}';
      if (typeof el.attachment_id === 'string') {
        if (!this.attachments.has(el.attachment_id)) return 'expired_upload';
        record.image = { attachmentId: el.attachment_id };
      } else if (typeof el.url === 'string' && /^https?:\/\//.test(el.url)) {
        record.image = { url: el.url };
      } else return 'media element needs url or attachment_id';
      record.kind = 'image';
      return undefined;
    }
    return `unknown template_type ${String(p.template_type)}`;
  }

  private upload(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
    const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
    if (!boundary) return { error: -201, message: 'multipart/form-data expected' };
    const delimiter = Buffer.from(`--${boundary}`);
    let at = raw.indexOf(delimiter);
    while (at !== -1) {
      const start = at + delimiter.length;
      const next = raw.indexOf(delimiter, start);
      if (next === -1) break;
      const part = raw.subarray(start + 2, next - 2); // past the CRLF after the delimiter, before the CRLF ending the part
      const headEnd = part.indexOf('\r\n\r\n');
      if (headEnd !== -1) {
        const head = part.subarray(0, headEnd).toString('utf8');
        if (/name="file"/.test(head)) {
          const bytes = part.subarray(headEnd + 4);
          if (bytes.length > this.imageMaxBytes) return { error: -201, message: 'File size exceeds 1MB' };
          const attachmentId = randomBytes(24).toString('base64url');
          this.attachments.add(attachmentId);
          this.uploads.push({
            attachmentId,
            filename: /filename="([^"]*)"/.exec(head)?.[1] ?? '',
            contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? '',
            size: bytes.length,
          });
          return { error: 0, message: 'Success', data: { attachment_id: attachmentId } };
        }
      }
      at = next;
    }
    return { error: -201, message: 'Field "file" is missing' };
  }

  private sendZns(body: Record<string, unknown>): Record<string, unknown> {
    const { phone, template_id: templateId, template_data: data, tracking_id: trackingId } = body;
    if (typeof phone !== 'string' || !/^84\d{9,10}$/.test(phone)) return { error: -108, message: 'Phone number is invalid' };
    if (typeof templateId !== 'string' || templateId === '' || !isRecord(data) || typeof trackingId !== 'string') {
      return { error: -201, message: 'template_id, template_data and tracking_id are required' };
    }
    const msgId = msgIdHex();
    this.zns.push({ phone, templateId, data, trackingId, msgId, at: this.clock() });
    return { error: 0, message: 'Success', data: { msg_id: msgId, sent_time: String(this.clock()), quota: { dailyQuota: '500', remainingQuota: '499' } } };
  }
}

/** Settings that point the bot's OA channel at this fake (webhook path only: the port is the bot's). */
export function oaEnv(fake: FakeZaloOa, over: Record<string, string> = {}): Record<string, string> {
  return {
    ZALO_OA_APP_ID: fake.appId,
    ZALO_OA_APP_SECRET: fake.appSecret,
    ZALO_OA_SECRET_KEY: fake.secretKey,
    ZALO_OA_ID: fake.oaId,
    ZALO_OA_API_ROOT: fake.apiRoot,
    ZALO_OA_OAUTH_ROOT: fake.oauthRoot,
    ZALO_OA_WEBHOOK_URL: 'http://127.0.0.1/zalo-oa/webhook',
    ZALO_OA_INFO_IMAGE_URL: 'https://bot.example/oa-card.png',
    ZALO_CHAT_INTERVAL_MS: '0',
    ADMIN_CHAT_ID: 'memory:duty',
    ...over,
  };
}
