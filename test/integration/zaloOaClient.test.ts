import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  codeChallenge,
  localLock,
  OaApiError,
  type OaButton,
  type OaLock,
  OaLockUnavailable,
  type OaTokenPair,
  type OaTokenStore,
  OaTokenKeeper,
  ZaloOaClient,
} from '../../src/channels/zalo-oa/client.js';
import { zaloOaAdapter } from '../../src/channels/zalo-oa/adapter.js';
import { type OaEvent, parseOaBody, parseOaEvent, verifySignature } from '../../src/channels/zalo-oa/events.js';
import { Translator } from '../../src/i18n.js';
import { createLogger } from '../../src/log.js';
import { FakeZaloOa } from '../helpers/fakeZaloOa.js';
import { eventually } from '../helpers/stack.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A real-looking Zalo user id: above 2^53, so a Number would change its last digits. */
const USER = '5730261523081428931';

/** The shared token store of "all processes": a copy in, a copy out, like a database row. */
class MemoryStore implements OaTokenStore {
  pair: OaTokenPair | undefined;
  saves = 0;
  failSaves = 0;

  async load(): Promise<OaTokenPair | undefined> {
    return this.pair ? { ...this.pair } : undefined;
  }
  async save(pair: OaTokenPair): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new Error('database unavailable');
    }
    this.saves++;
    this.pair = { ...pair };
  }
}

class Clock {
  constructor(public ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The bot's webhook endpoint: keeps the raw bytes and headers of every POST. */
class Receiver {
  readonly received: { raw: Buffer; headers: IncomingHttpHeaders }[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ raw: Buffer.concat(chunks), headers: req.headers });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/zalo-oa/webhook`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  last(): { raw: Buffer; headers: IncomingHttpHeaders } {
    const r = this.received.at(-1);
    if (!r) throw new Error('nothing received');
    return r;
  }
}

let fake: FakeZaloOa;
let receiver: Receiver;
let store: MemoryStore;

beforeEach(async () => {
  fake = await FakeZaloOa.start();
  receiver = new Receiver();
  fake.webhookUrl = await receiver.start();
  store = new MemoryStore();
});
afterEach(async () => {
  await fake.close();
  await receiver.stop();
});

function keeperFor(opts: { store?: OaTokenStore; lock?: OaLock; clock?: Clock; onError?: (e: OaApiError) => void } = {}): OaTokenKeeper {
  return new OaTokenKeeper({
    oauthRoot: fake.oauthRoot,
    appId: fake.appId,
    appSecret: fake.appSecret,
    store: opts.store ?? store,
    lock: opts.lock ?? localLock(),
    clock: opts.clock ?? new Clock(),
    httpTimeoutMs: 5_000,
    onError: opts.onError,
  });
}

function clientFor(keeper: OaTokenKeeper, apiRoot = fake.apiRoot): ZaloOaClient {
  return new ZaloOaClient({ apiRoot, znsRoot: fake.znsRoot, keeper, httpTimeoutMs: 5_000 });
}

async function rejection(p: Promise<unknown>): Promise<OaApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OaApiError) return e;
    throw e;
  }
  throw new Error('expected an OaApiError, but the call succeeded');
}

/** The last webhook POST, checked the way the adapter will check it, then parsed. */
function lastEvent(): OaEvent | undefined {
  const { raw, headers } = receiver.last();
  expect(verifySignature({ appId: fake.appId, secretKey: fake.secretKey, rawBody: raw, header: headers['x-zevent-signature'] as string })).toBe(true);
  return parseOaEvent(parseOaBody(raw), { oaId: fake.oaId });
}

describe('token keeper', () => {
  it('exchanges the consent code (PKCE) and stores the pair before anything uses it; a code works once', async () => {
    const clock = new Clock();
    const keeper = keeperFor({ clock });
    const verifier = keeper.newCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = keeper.authUrl({ redirectUri: 'https://bot.example/zalo-oa/callback', state: 'st-42', codeVerifier: verifier });
    const back = await fake.approve(url);
    expect(back.state).toBe('st-42');
    expect(back.oaId).toBe(fake.oaId);
    expect(back.redirectUri).toBe('https://bot.example/zalo-oa/callback');

    const { expiresAt } = await keeper.exchangeCode(back.code, verifier);
    expect(store.pair?.accessToken).toBe(fake.liveAccessToken);
    // expires_in arrives as the string "90000": 25 h.
    expect(expiresAt).toBe(clock.now() + 90_000_000);
    expect(store.pair?.expiresAt).toBe(expiresAt);
    expect(await keeper.accessToken()).toBe(store.pair?.accessToken);
    expect((await keeper.state()).connected).toBe(true);

    const reused = await rejection(keeper.exchangeCode(back.code, verifier));
    expect(reused.kind).toBe('token');
    expect(reused.code).toBe(-14005);
    expect(store.saves).toBe(1);
    // A stale code says nothing about the pair already stored.
    expect((await keeper.state()).connected).toBe(true);

    const second = await fake.approve(keeper.authUrl({ redirectUri: 'https://bot.example/cb', state: 's', codeVerifier: verifier }));
    const wrongVerifier = await rejection(keeper.exchangeCode(second.code, keeper.newCodeVerifier()));
    expect(wrongVerifier.code).toBe(-14019);
    expect(codeChallenge(verifier)).not.toBe(codeChallenge(keeper.newCodeVerifier()));
  });

  it('bootstraps from a console refresh token once, then refreshes ahead of expiry (about every 20 h)', async () => {
    const clock = new Clock();
    const keeper = keeperFor({ clock });
    const seed = fake.issueTokens();
    expect(await keeper.bootstrap(seed.refreshToken)).toBe(true);
    expect(fake.refreshUses(seed.refreshToken)).toBe(1);
    expect(store.pair?.refreshToken).not.toBe(seed.refreshToken);
    // A restart with the same setting must not present the spent token again.
    expect(await keeperFor({ clock }).bootstrap(seed.refreshToken)).toBe(false);
    expect(fake.refreshUses(seed.refreshToken)).toBe(1);

    const first = await keeper.accessToken();
    clock.advance(19 * HOUR);
    expect(await keeper.accessToken()).toBe(first);
    expect(fake.refreshCount).toBe(1);

    clock.advance(HOUR + 60_000); // 20 h 01: under 5 h left
    const second = await keeper.accessToken();
    expect(second).not.toBe(first);
    expect(fake.refreshCount).toBe(2);
    expect(fake.isAlive(first)).toBe(false);
    expect(fake.isAlive(second)).toBe(true);
    expect(store.pair?.accessToken).toBe(second);
    const state = await keeper.state();
    expect(state).toMatchObject({ connected: true, lastRefreshAt: clock.now(), expiresAt: clock.now() + 90_000_000 });
    expect(state.lastError).toBeUndefined();
  });

  it('recovers a token killed by another process through the store, spending no refresh token', async () => {
    const lock = localLock();
    const clockA = new Clock();
    const a = keeperFor({ lock, clock: clockA });
    const b = keeperFor({ lock, clock: new Clock() });
    await a.bootstrap(fake.issueTokens().refreshToken);
    const clientB = clientFor(b);
    fake.user(USER).lastInteraction = Date.now();
    await clientB.sendText(USER, 'Một');
    const old = await b.accessToken();

    clockA.advance(20.5 * HOUR);
    const renewed = await a.accessToken();
    expect(renewed).not.toBe(old);
    expect(fake.isAlive(old)).toBe(false);

    const refreshes = fake.refreshCount;
    const csCalls = fake.callsTo('cs');
    await clientB.sendText(USER, 'Hai');
    expect(fake.refreshCount).toBe(refreshes);
    expect(fake.callsTo('cs')).toBe(csCalls + 2); // refused once with the dead token, then sent
    expect(fake.calls.filter((c) => c.endpoint === 'cs').map((c) => c.error).slice(-2)).toEqual([-216, 0]);
    expect(fake.sentTo(USER).map((m) => m.text)).toEqual(['Một', 'Hai']);
    expect(await b.accessToken()).toBe(renewed);
  });

  it('a refused token with nothing newer in the store is refreshed and the call retried once, no more', async () => {
    const keeper = keeperFor();
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const client = clientFor(keeper);
    fake.user(USER).lastInteraction = Date.now();

    fake.failNext('cs', -216, 1);
    await client.sendText(USER, 'Xin chào');
    expect(fake.refreshCount).toBe(2);
    expect(fake.sentTo(USER)).toHaveLength(1);

    fake.failNext('cs', -220, 2);
    const calls = fake.callsTo('cs');
    const err = await rejection(client.sendText(USER, 'Lần nữa'));
    expect(err.kind).toBe('token');
    expect(err.code).toBe(-220);
    expect(fake.callsTo('cs')).toBe(calls + 2);
    expect(fake.refreshCount).toBe(3);
    expect(fake.sentTo(USER)).toHaveLength(1);
  });

  it('two processes refreshing at the same moment spend the refresh token once and share the new token', async () => {
    const lock = localLock(); // stands for the Redis lease both processes take
    const clockA = new Clock();
    const clockB = new Clock();
    const a = keeperFor({ lock, clock: clockA });
    const b = keeperFor({ lock, clock: clockB });
    await a.bootstrap(fake.issueTokens().refreshToken);
    const spentOnce = store.pair!.refreshToken;
    await b.accessToken(); // both processes hold the same pair in memory
    clockA.advance(21 * HOUR);
    clockB.advance(21 * HOUR);
    fake.oauthDelayMs = 150;
    const refreshes = fake.refreshCount;

    const tokens = await Promise.all([a.accessToken(), b.accessToken(), a.accessToken(), b.accessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(fake.refreshUses(spentOnce)).toBe(1);
    expect(fake.refreshCount).toBe(refreshes + 1);
    expect(fake.isAlive(tokens[0]!)).toBe(true);
    expect(store.pair?.accessToken).toBe(tokens[0]);
  });

  it('control: without the shared lock the same race presents the refresh token twice and one side loses', async () => {
    const noLock: OaLock = (fn) => fn();
    const clockA = new Clock();
    const clockB = new Clock();
    const a = keeperFor({ lock: noLock, clock: clockA });
    const b = keeperFor({ lock: noLock, clock: clockB });
    await a.bootstrap(fake.issueTokens().refreshToken);
    const rt = store.pair!.refreshToken;
    clockA.advance(21 * HOUR);
    clockB.advance(21 * HOUR);
    fake.oauthDelayMs = 150;

    const results = await Promise.allSettled([a.accessToken(), b.accessToken()]);
    expect(fake.refreshUses(rt)).toBe(2);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(OaApiError);
    expect((lost.reason as OaApiError).code).toBe(-14014);
  });

  it('a reused refresh token (store reset to a spent pair) is a token error, recorded and reported', async () => {
    const clock = new Clock();
    const keeper = keeperFor({ clock });
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const spent = { ...store.pair! };
    clock.advance(21 * HOUR);
    await keeper.accessToken();
    store.pair = spent; // e.g. a database restored from yesterday's backup

    const errors: OaApiError[] = [];
    const restored = keeperFor({ clock, onError: (e) => errors.push(e) });
    const err = await rejection(restored.accessToken());
    expect(err.kind).toBe('token');
    expect(err.code).toBe(-14014);
    expect(err.message).toContain('Invalid refresh token');
    expect(fake.refreshUses(spent.refreshToken)).toBe(2);
    expect(errors).toHaveLength(1);
    const state = await restored.state();
    expect(state.connected).toBe(false);
    expect(state.lastError).toMatchObject({ code: -14014, kind: 'token', at: clock.now() });

    // The same through an API call with a token not yet due: -216, store holds that token, refresh refused.
    const early = keeperFor({ clock: new Clock(spent.expiresAt - 24 * HOUR) });
    fake.user(USER).lastInteraction = Date.now();
    const viaApi = await rejection(clientFor(early).sendText(USER, 'Chào'));
    expect(viaApi.kind).toBe('token');
    expect(viaApi.code).toBe(-14014);
    expect((await early.state()).lastError?.code).toBe(-14014);
  });

  it('a transient refresh failure keeps the still-valid token, then retries after a pause', async () => {
    const clock = new Clock();
    const keeper = keeperFor({ clock });
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const current = await keeper.accessToken();
    clock.advance(21 * HOUR);
    fake.failNext('oauth', 0, 1, { httpStatus: 502 });

    expect(await keeper.accessToken()).toBe(current);
    const state = await keeper.state();
    expect(state.lastError?.kind).toBe('transient');
    expect(state.connected).toBe(true);
    const oauthCalls = fake.callsTo('oauth');
    expect(await keeper.accessToken()).toBe(current); // within the pause: no new attempt
    expect(fake.callsTo('oauth')).toBe(oauthCalls);

    clock.advance(2 * 60_000);
    const renewed = await keeper.accessToken();
    expect(renewed).not.toBe(current);
    expect(fake.isAlive(renewed)).toBe(true);
  });

  it('while the shared lock cannot be had (Redis down) no refresh token is spent: the valid token goes on, the refresh waits for the lock', async () => {
    const clock = new Clock();
    let down = false;
    const local = localLock();
    // The Redis lock's contract when Redis refuses: `fn` does not run.
    const lock: OaLock = (fn) => (down ? Promise.reject(new OaLockUnavailable('Redis does not answer')) : local(fn));
    const keeper = keeperFor({ clock, lock });
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const current = await keeper.accessToken();
    clock.advance(21 * HOUR); // due: under 5 h left
    down = true;
    expect(await keeper.accessToken()).toBe(current);
    expect(await rejection(keeper.onTokenRejected(current))).toMatchObject({ kind: 'transient' });
    expect(fake.refreshCount).toBe(1);

    // Another process refreshed before Redis went down: a refused token is cured from the store, no lock needed.
    const other = keeperFor({ clock: new Clock(clock.now()), lock: local });
    down = false;
    const theirs = await other.onTokenRejected(current);
    down = true;
    expect(await keeper.onTokenRejected(current)).toBe(theirs);
    expect(fake.refreshCount).toBe(2);

    // Past its expiry and still no lock: the send fails for later (transient), nothing is spent.
    clock.advance(4 * HOUR);
    const stale = keeperFor({ clock, lock });
    store.pair = { ...store.pair!, expiresAt: clock.now() - 1 };
    expect(await rejection(stale.accessToken())).toMatchObject({ kind: 'transient' });
    expect(fake.refreshCount).toBe(2);

    // Redis is back: the next try after the pause refreshes, under the lock, once.
    down = false;
    clock.advance(2 * 60_000);
    const renewed = await stale.accessToken();
    expect(fake.isAlive(renewed)).toBe(true);
    expect(fake.refreshCount).toBe(3);
  });

  it('a start-up refresh token that could not be used for want of the lock is used once the lock can be had', async () => {
    let down = true;
    const local = localLock();
    const lock: OaLock = (fn) => (down ? Promise.reject(new OaLockUnavailable('Redis does not answer')) : local(fn));
    const seed = fake.issueTokens();
    const oa = zaloOaAdapter({
      ...{ appId: fake.appId, appSecret: fake.appSecret, secretKey: fake.secretKey, oaId: fake.oaId, apiRoot: fake.apiRoot, oauthRoot: fake.oauthRoot },
      webhookUrl: 'http://127.0.0.1/zalo-oa/webhook',
      redirectUrl: 'http://127.0.0.1/zalo-oa/callback',
      refreshToken: seed.refreshToken,
      verifySignature: true,
      templates: new Map(),
      infoImageUrl: 'https://bot.example/oa-card.png',
      translator: await Translator.create('vi'),
      log: createLogger('silent'),
      globalPerSecond: 10,
      chatIntervalMs: 0,
      refreshCheckMs: 50,
      tokens: store,
      lock,
      contacts: { touch: async () => undefined, lastInbound: async () => undefined },
      receipts: async () => 0,
      unfollowed: async () => undefined,
      firstTime: async () => true,
      alert: () => undefined,
      clock: { now: () => Date.now() },
    });
    await oa.start({ inbound: async () => ({}), route: () => undefined, text: () => '' });
    expect(store.pair).toBeUndefined();
    expect(fake.refreshUses(seed.refreshToken)).toBe(0);
    down = false;
    await eventually(() => store.pair, (p) => p !== undefined, 5000);
    await oa.stop();
    expect(fake.refreshUses(seed.refreshToken)).toBe(1);
    expect(store.pair?.accessToken).toBe(fake.liveAccessToken);
  });

  it('a store write that fails keeps the new pair in this process and saves it on a later call', async () => {
    const clock = new Clock();
    const errors: OaApiError[] = [];
    const keeper = keeperFor({ clock, onError: (e) => errors.push(e) });
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const before = { ...store.pair! };
    clock.advance(21 * HOUR);
    store.failSaves = 3;

    const renewed = await keeper.accessToken();
    expect(fake.isAlive(renewed)).toBe(true);
    expect(store.pair?.accessToken).toBe(before.accessToken);
    expect(errors.map((e) => e.kind)).toEqual(['other']);

    expect(await keeper.accessToken()).toBe(renewed);
    expect(store.pair?.accessToken).toBe(renewed);
    expect(fake.refreshUses(before.refreshToken)).toBe(1);
  });
});

describe('API client', () => {
  let client: ZaloOaClient;
  beforeEach(async () => {
    const keeper = keeperFor();
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    client = clientFor(keeper);
  });

  it('sends text with the access_token header and returns Zalo message id', async () => {
    fake.user(USER).lastInteraction = Date.now() - DAY;
    const id = await client.sendText(USER, 'Đã ghi nhận yêu cầu của bác.');
    const sent = fake.lastTo(USER);
    expect(sent).toMatchObject({ kind: 'text', text: 'Đã ghi nhận yêu cầu của bác.', msgId: id });
    expect(sent?.body).toEqual({ recipient: { user_id: USER }, message: { text: 'Đã ghi nhận yêu cầu của bác.' } });
  });

  it('maps -230 (7-day window), -213, -244 to their kinds; templates and ZNS still go', async () => {
    const far = '5730261523081428932';
    fake.user(far).lastInteraction = Date.now() - 8 * DAY;
    const closed = await rejection(client.sendText(far, 'Nhắc lịch'));
    expect(closed).toMatchObject({ kind: 'window_closed', code: -230 });
    expect(fake.sentTo(far)).toHaveLength(0);

    fake.user(far).lastInteraction = Date.now() - 6 * DAY;
    await client.sendText(far, 'Nhắc lịch');
    expect(fake.sentTo(far)).toHaveLength(1);

    const gone = '5730261523081428933';
    fake.user(gone).lastInteraction = Date.now();
    fake.user(gone).follower = false;
    expect(await rejection(client.sendText(gone, 'x'))).toMatchObject({ kind: 'not_follower', code: -213 });
    const blocking = '5730261523081428934';
    fake.user(blocking).lastInteraction = Date.now();
    fake.user(blocking).blocked = true;
    expect(await rejection(client.sendText(blocking, 'x'))).toMatchObject({ kind: 'blocked', code: -244 });

    fake.user(far).lastInteraction = Date.now() - 30 * DAY;
    const payload = { template_type: 'transaction_event', language: 'VI', elements: [{ type: 'header', content: 'Lịch làm CCCD' }] };
    const templateId = await client.sendTemplate(far, payload);
    expect(fake.lastTo(far)).toMatchObject({ endpoint: 'template', kind: 'template', msgId: templateId, templatePayload: payload });

    const znsId = await client.sendZns('84912345678', '501443', { code: 'TH-1234', date: '28/11/2026' }, 'req-77');
    expect(fake.zns).toEqual([expect.objectContaining({ phone: '84912345678', templateId: '501443', trackingId: 'req-77', msgId: znsId })]);
    expect(fake.zns[0]?.data).toEqual({ code: 'TH-1234', date: '28/11/2026' });
    expect((await rejection(client.sendZns('0912345678', '501443', {}, 't'))).code).toBe(-108);
  });

  it('maps -32 to rate_limited and 5xx or no answer to transient, without retrying', async () => {
    fake.user(USER).lastInteraction = Date.now();
    fake.failNext('cs', -32, 1);
    const calls = fake.callsTo('cs');
    expect(await rejection(client.sendText(USER, 'a'))).toMatchObject({ kind: 'rate_limited', code: -32 });
    expect(fake.callsTo('cs')).toBe(calls + 1);

    fake.failNext('cs', 0, 1, { httpStatus: 502 });
    expect(await rejection(client.sendText(USER, 'b'))).toMatchObject({ kind: 'transient', code: 502 });

    fake.failNext('cs', -201, 1);
    expect((await rejection(client.sendText(USER, 'c'))).kind).toBe('bad_request');

    const nowhere = clientFor(keeperFor(), 'http://127.0.0.1:9');
    expect(await rejection(nowhere.sendText(USER, 'd'))).toMatchObject({ kind: 'transient', code: 0 });
    expect(fake.sentTo(USER)).toHaveLength(0);
  });

  it('buttons: five go with their exact shapes; six, or text over 2,000 characters, are refused before any request', async () => {
    fake.user(USER).lastInteraction = Date.now();
    const five: OaButton[] = [
      { title: 'Làm CCCD tại nhà', type: 'oa.query.hide', payload: '#home' },
      { title: 'Xe đưa đón', type: 'oa.query.show', payload: '#ride' },
      { title: 'Hướng dẫn', type: 'oa.open.url', payload: { url: 'https://dichvucong.gov.vn' } },
      { title: 'Gọi công an xã', type: 'oa.open.phone', payload: { phone_code: '02723123456' } },
      { title: 'Khác', type: 'oa.query.hide', payload: '#other' },
    ];
    await client.sendText(USER, 'Bác cần gì ạ?', five);
    expect(fake.lastTo(USER)).toMatchObject({ kind: 'buttons', text: 'Bác cần gì ạ?', buttons: five });

    const calls = fake.callsTo('cs');
    const six = [...five, { title: 'Thêm', type: 'oa.query.hide', payload: '#more' } as OaButton];
    const refused = await rejection(client.sendText(USER, 'Bác cần gì ạ?', six));
    expect(refused.kind).toBe('bad_request');
    expect(refused.message).toContain('6 buttons');
    expect((await rejection(client.sendText(USER, 'x'.repeat(2001)))).message).toContain('2001 characters');
    expect(fake.callsTo('cs')).toBe(calls);
    await client.sendText(USER, 'x'.repeat(2000));
    expect(fake.lastTo(USER)?.text).toHaveLength(2000);

    // The fake checks on its own: what slips past a client is refused as Zalo would (-201).
    const { post } = await import('../../src/channels/http.js');
    const res = await post(
      `${fake.apiRoot}/v3.0/oa/message/cs`,
      { 'content-type': 'application/json', access_token: fake.liveAccessToken! },
      JSON.stringify({ recipient: { user_id: USER }, message: { text: 'x', attachment: { type: 'template', payload: { buttons: six } } } }),
    );
    expect(await res.json()).toMatchObject({ error: -201 });
  });

  it('images: upload up to 1 MB and send by attachment id or URL; larger is refused locally; an expired upload maps to upload_expired', async () => {
    fake.user(USER).lastInteraction = Date.now();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(50_000, 7)]);
    const attachmentId = await client.uploadImage(png, 'giấy hẹn.png', 'image/png');
    expect(fake.uploads).toEqual([{ attachmentId, filename: 'giấy hẹn.png', contentType: 'image/png', size: png.length }]);
    await client.sendImage(USER, { attachmentId }, 'Giấy hẹn của bác');
    expect(fake.lastTo(USER)).toMatchObject({ kind: 'image', image: { attachmentId }, text: 'Giấy hẹn của bác' });
    await client.sendImage(USER, { url: 'https://bot.example/map.png' });
    expect(fake.lastTo(USER)).toMatchObject({ kind: 'image', image: { url: 'https://bot.example/map.png' } });

    const uploads = fake.callsTo('upload');
    const big = await rejection(client.uploadImage(Buffer.alloc(1024 * 1024 + 1), 'big.jpg', 'image/jpeg'));
    expect(big.kind).toBe('bad_request');
    expect(fake.callsTo('upload')).toBe(uploads);
    await client.uploadImage(Buffer.alloc(1024 * 1024), 'edge.jpg', 'image/jpeg');

    fake.expireUploads();
    expect(await rejection(client.sendImage(USER, { attachmentId }))).toMatchObject({ kind: 'upload_expired', code: -100 });
  });

  it('asks for the phone with request_user_info; the answer comes back as user_submit_info, phone as given', async () => {
    fake.user(USER).lastInteraction = Date.now();
    fake.autoEvents = { echo: false, received: false, seen: false };
    await client.requestUserInfo(USER, { title: 'Công an xã Tân Hòa', subtitle: 'Chia sẻ số điện thoại để cán bộ gọi lại', imageUrl: 'https://bot.example/logo.png' });
    expect(fake.lastTo(USER)?.kind).toBe('request_user_info');
    expect(await fake.userSends(USER, { submitInfo: { name: 'Nguyễn Thị Lành', phone: '84912345678', address: 'Ấp Hòa Bình' } }, { nfd: true })).toEqual([200]);
    expect(lastEvent()).toEqual({
      kind: 'submit_info',
      userId: USER,
      name: 'Nguyễn Thị Lành',
      phone: '84912345678',
      address: 'Ấp Hòa Bình',
      timestamp: Number(fake.lastPushed!.event.timestamp),
    });
  });
});

describe('webhook', () => {
  it('verifies the signed raw bytes; rejects a wrong key, a missing or malformed header, a re-serialised body', async () => {
    await fake.userSends(USER, 'Cho tôi hỏi lịch làm CCCD');
    const { raw, headers } = receiver.last();
    const header = headers['x-zevent-signature'] as string;
    expect(header).toMatch(/^mac=[0-9a-f]{64}$/);
    const base = { appId: fake.appId, secretKey: fake.secretKey, rawBody: raw };
    expect(verifySignature({ ...base, header })).toBe(true);
    expect(verifySignature({ ...base, header: header.slice(4) })).toBe(true); // bare hex
    expect(verifySignature({ ...base, header: header.toUpperCase().replace('MAC=', 'mac=') })).toBe(true);
    expect(verifySignature({ ...base, secretKey: fake.appSecret, header })).toBe(false);
    expect(verifySignature({ ...base, appId: '3421768754289128464', header })).toBe(false);
    expect(verifySignature({ ...base, header: undefined })).toBe(false);
    for (const bad of ['', 'mac=', 'mac=xyz', header.slice(0, -2), `${header}00`, 'sha256=abc'])
      expect(verifySignature({ ...base, header: bad })).toBe(false);
    expect(verifySignature({ ...base, rawBody: Buffer.from('not json'), header })).toBe(false);
    expect(verifySignature({ ...base, rawBody: Buffer.concat([raw, Buffer.from(' ')]), header })).toBe(false);

    await fake.userSends(USER, 'Cho tôi hỏi', { reserialize: true });
    const proxied = receiver.last();
    // Same JSON content, other bytes: the signature no longer matches.
    expect(parseOaBody(proxied.raw)).toEqual(fake.lastPushed!.event);
    expect(proxied.raw.equals(fake.lastPushed!.raw)).toBe(false);
    expect(verifySignature({ ...base, rawBody: proxied.raw, header: proxied.headers['x-zevent-signature'] as string })).toBe(false);

    await fake.userSends(USER, 'x', { badSignature: true });
    expect(verifySignature({ ...base, rawBody: receiver.last().raw, header: receiver.last().headers['x-zevent-signature'] as string })).toBe(false);

    await fake.userSends(USER, 'y', { timestampHeader: true });
    const withTs = receiver.last();
    const tsArgs = { ...base, rawBody: withTs.raw, header: withTs.headers['x-zevent-signature'] as string };
    expect(verifySignature(tsArgs)).toBe(false);
    expect(verifySignature({ ...tsArgs, timestampHeader: withTs.headers['x-zevent-timestamp'] as string })).toBe(true);
  });

  it('parses every event kind the platform sends, NFD text as NFC, ids as exact strings', async () => {
    const nfc = 'Tôi muốn làm căn cước tại nhà cho mẹ già';
    await fake.userSends(USER, nfc, { nfd: true });
    const rawText = receiver.last().raw.toString('utf8');
    expect(rawText).toContain(nfc.normalize('NFD'));
    expect(rawText).not.toContain(nfc);
    const pushed = fake.lastPushed!.event as { message: { msg_id: string }; timestamp: string };
    expect(lastEvent()).toEqual({ kind: 'text', msgId: pushed.message.msg_id, userId: USER, text: nfc, timestamp: Number(pushed.timestamp) });

    await fake.userSends(USER, { location: { lat: 10.7923119, lon: 106.7820651, label: 'Chợ Tân Hòa' } });
    expect(lastEvent()).toMatchObject({ kind: 'location', userId: USER, lat: 10.7923119, lon: 106.7820651, label: 'Chợ Tân Hòa' });

    await fake.userSends(USER, { sticker: true });
    expect(lastEvent()).toMatchObject({ kind: 'unsupported', what: 'sticker', userId: USER });
    for (const media of ['image', 'file', 'audio', 'video', 'link', 'gif'] as const) {
      await fake.userSends(USER, { media });
      expect(lastEvent()).toMatchObject({ kind: 'unsupported', what: media, userId: USER });
    }

    await fake.userSends(USER, { follow: true });
    expect(lastEvent()).toMatchObject({ kind: 'follow', userId: USER });
    await fake.userSends(USER, { unfollow: true });
    expect(lastEvent()).toMatchObject({ kind: 'unfollow', userId: USER });
    await fake.userSends(USER, { chatnow: true });
    expect(lastEvent()).toMatchObject({ kind: 'chatnow', userId: USER });

    // After a cs message: the echo, then received, then seen, all about the OA's message.
    fake.user(USER).follower = true;
    const keeper = keeperFor();
    await keeper.bootstrap(fake.issueTokens().refreshToken);
    const before = receiver.received.length;
    const msgId = await clientFor(keeper).sendText(USER, 'Dạ, bác chờ cán bộ gọi lại ạ.');
    await fake.settled();
    const after = receiver.received.slice(before);
    expect(after).toHaveLength(3);
    const events = after.map(({ raw, headers }) => {
      expect(verifySignature({ appId: fake.appId, secretKey: fake.secretKey, rawBody: raw, header: headers['x-zevent-signature'] as string })).toBe(true);
      return parseOaEvent(parseOaBody(raw), { oaId: fake.oaId });
    });
    expect(events.map((e) => e?.kind)).toEqual(['echo', 'received', 'seen']);
    expect(events[0]).toMatchObject({ kind: 'echo', msgId, userId: USER, eventName: 'oa_send_text' });
    expect(events[1]).toMatchObject({ kind: 'received', userId: USER, msgIds: [msgId] });
    expect(events[2]).toMatchObject({ kind: 'seen', userId: USER, msgIds: [msgId] });
    // Without the OA id the user is still found: the recipient of the OA's message.
    expect(parseOaEvent(parseOaBody(after[2]!.raw))).toMatchObject({ kind: 'seen', userId: USER });

    expect(parseOaEvent({ event_name: 'add_user_to_tag', sender: { id: USER }, timestamp: '1' })).toEqual({ kind: 'other', eventName: 'add_user_to_tag', userId: USER, timestamp: 1 });
    expect(parseOaEvent({ event_name: 'user_send_text', message: { text: 'no sender' } })).toBeUndefined();
    expect(parseOaEvent(undefined)).toBeUndefined();
    expect(parseOaEvent({ message: {} })).toBeUndefined();
    expect(parseOaEvent({ event_name: 'user_send_location', sender: { id: USER }, message: { msg_id: 'm', attachments: [{ payload: { coordinates: { latitude: 'x', longitude: '1' } } }] } })).toMatchObject({
      kind: 'unsupported',
      what: 'location',
    });
  });

  it('keeps big ids exact even when they arrive as bare numbers', () => {
    const raw = Buffer.from('{"event_name":"user_send_text","sender":{"id":5730261523081428931},"recipient":{"id":1423847451268726170},"message":{"msg_id":"m1","text":"12345678901234567890 \\"9999999999999999999\\""},"timestamp":1718000500000,"n":-12.5e3}');
    expect(String((JSON.parse(raw.toString()) as { sender: { id: number } }).sender.id)).not.toBe(USER); // what a plain parse does
    const body = parseOaBody(raw) as Record<string, Record<string, unknown>>;
    expect(body.sender!.id).toBe(USER);
    expect(body.recipient!.id).toBe('1423847451268726170');
    expect(body.message!.text).toBe('12345678901234567890 "9999999999999999999"');
    expect(body.timestamp).toBe(1718000500000);
    expect(body.n).toBe(-12500);
    expect(parseOaEvent(body)).toMatchObject({ kind: 'text', userId: USER, timestamp: 1718000500000 });
    expect(parseOaBody('{"broken":')).toBeUndefined();
  });

  it('pushes duplicates and retries (num_retry) with the same msg_id, each correctly signed', async () => {
    expect(await fake.userSends(USER, 'Lặp lại', { duplicate: true, retries: 2 })).toEqual([200, 200, 200, 200]);
    const got = receiver.received.slice(-4);
    expect(got.map((r) => r.headers.num_retry)).toEqual([undefined, undefined, '1', '2']);
    const parsed = got.map((r) => {
      expect(verifySignature({ appId: fake.appId, secretKey: fake.secretKey, rawBody: r.raw, header: r.headers['x-zevent-signature'] as string })).toBe(true);
      return parseOaEvent(parseOaBody(r.raw));
    });
    const ids = new Set(parsed.map((e) => (e?.kind === 'text' ? e.msgId : undefined)));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBe((fake.lastPushed!.event.message as { msg_id: string }).msg_id);
  });
});
