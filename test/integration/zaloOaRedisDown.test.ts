import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZaloOaAdapter } from '../../src/channels/zalo-oa/adapter.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/main/privateRedis.js';
import { testApp, type TestApp, TestClock } from '../helpers/app.js';
import { tempDir } from '../helpers/db.js';
import { FakeZaloOa, oaEnv } from '../helpers/fakeZaloOa.js';
import { eventually, teamsFile } from '../helpers/stack.js';

const USER = '5730261523081428931';
let fake: FakeZaloOa | undefined;
let redis: PrivateRedis | undefined;
let redisDir = '';
const apps: TestApp[] = [];

afterEach(async () => {
  // Redis back first: closing the queues needs it.
  if (redis === undefined && redisDir) redis = await startPrivateRedis(redisDir, { persist: false });
  await fake?.settled();
  for (const a of apps.splice(0)) await a.shutdown();
  await fake?.close();
  await redis?.stop();
  redis = undefined;
  redisDir = '';
});

const oaOf = (app: TestApp) => app.adapters.get('zalo_oa') as ZaloOaAdapter;
const webhookOf = (app: TestApp) => `http://127.0.0.1:${app.server!.port}/zalo-oa/webhook`;

describe('Zalo OA while Redis is down', () => {
  it('answers a citizen within seconds, answers a redelivered event once (in either process), and spends no refresh token without the lock', async () => {
    redisDir = tempDir('thu7-redis-');
    redis = await startPrivateRedis(redisDir, { persist: false });
    const port = redis.port;
    fake = await FakeZaloOa.start();
    // A pair near its end: every send finds the token due for a refresh.
    fake.accessTtlSec = 3600;
    const settings = oaEnv(fake, {
      DATA_DIR: tempDir(),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`,
      TEAMS_FILE: teamsFile([]),
      ZALO_OA_REFRESH_TOKEN: fake.issueTokens().refreshToken,
    });
    // Two processes on one database and one Redis, as replicas behind a load balancer.
    for (let i = 0; i < 2; i++) apps.push(await testApp(settings, new TestClock(), { http: true, redis: true }));
    const [a, b] = apps as [TestApp, TestApp];
    // Started while Redis was connecting: the start-up refresh token was spent, under the lock, once.
    expect(fake.refreshCount).toBe(1);
    const token = fake.liveAccessToken!;

    await redis.stop();
    redis = undefined;
    fake.webhookUrl = webhookOf(a);
    const asked = Date.now();
    await fake.userSends(USER, 'xin chao');
    const answer = await eventually(() => fake!.sentTo(USER), (s) => s.length > 0, 5000);
    const answeredInMs = Date.now() - asked;
    expect(answer.map((m) => m.text ?? '').join('\n')).toContain('Làm CCCD tại nhà');
    expect(answeredInMs).toBeLessThan(5000);
    await oaOf(a).idle();
    const answered = fake.sentTo(USER).length;
    // The token was due, but the lock could not be had: the current one was used, nothing spent.
    expect(fake.refreshCount).toBe(1);
    expect(fake.liveAccessToken).toBe(token);

    // Zalo delivers the same event again: to the same process, then to the other one.
    const { event, raw } = fake.lastPushed!;
    expect(await fake.deliver(event, raw, {}, 1)).toBe(200);
    await oaOf(a).idle();
    fake.webhookUrl = webhookOf(b);
    expect(await fake.deliver(event, raw, {}, 2)).toBe(200);
    await oaOf(b).idle();
    expect(fake.sentTo(USER)).toHaveLength(answered);

    // The other process is told the token is dead: with no lock, it does not refresh either.
    await expect(oaOf(b).keeper.onTokenRejected(token)).rejects.toMatchObject({ kind: 'transient' });
    expect(fake.refreshCount).toBe(1);

    // Redis is back: the refresh happens under the lock again, once.
    redis = await startPrivateRedis(redisDir, { persist: false, port });
    await eventually(() => b.readiness(), (r) => r.checks.redis === 'ok', 10_000);
    const renewed = await oaOf(b).keeper.onTokenRejected(token);
    expect(fake.refreshCount).toBe(2);
    expect(renewed).toBe(fake.liveAccessToken);
  });
});
