import { Translator } from '../../src/i18n.js';
import { createClassifier } from '../../src/services/understanding.js';
import { describe, expect, it } from 'vitest';
import { ChatLock } from '../../src/conversation/chatLock.js';
import { matchOption } from '../../src/conversation/optionMatch.js';
import { ConfigError, loadConfig } from '../../src/main/config.js';

describe('matchOption', () => {
  const labels = [
    { id: 'home', label: '🏠 Làm CCCD tại nhà' },
    { id: 'ride', label: '🚐 Xe đưa đón đi làm CCCD' },
  ];
  it('accepts the number, the label and the label without diacritics', () => {
    expect(matchOption('2', labels)).toBe('ride');
    expect(matchOption('Xe đưa đón đi làm CCCD', labels)).toBe('ride');
    expect(matchOption('xe dua don', labels)).toBe('ride');
    expect(matchOption('LAM CCCD TAI NHA', labels)).toBe('home');
  });
  it('does not guess', () => {
    expect(matchOption('3', labels)).toBeUndefined();
    expect(matchOption('cccd', labels)).toBeUndefined();
    expect(matchOption('', labels)).toBeUndefined();
  });
});

describe('ChatLock', () => {
  it('runs one chat in order and other chats concurrently', async () => {
    const lock = new ChatLock();
    const order: string[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all([
      lock.run('a', async () => (await sleep(30), order.push('a1'))),
      lock.run('a', async () => order.push('a2')),
      lock.run('b', async () => order.push('b1')),
    ]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    expect(lock.size).toBe(0);
  });
  it('keeps going after a failure', async () => {
    const lock = new ChatLock();
    await expect(lock.run('a', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(lock.run('a', async () => 'ok')).resolves.toBe('ok');
  });
});

describe('loadConfig', () => {
  it('defaults to a SQLite file under ./data', () => {
    const c = loadConfig({});
    expect(c.dialect).toBe('sqlite');
    expect(c.databaseUrl).toBe('data/bot.sqlite');
  });
  it('switches to PostgreSQL by URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).dialect).toBe('postgres');
  });
  it('names the bad variable', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'nonsense' })).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(() => loadConfig({ RETENTION_DAYS: '-3' })).toThrow(/RETENTION_DAYS/);
    expect(() => loadConfig({ TELEGRAM_API_ROOT: 'ftp://x' })).toThrow(/TELEGRAM_API_ROOT/);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://x.vn/hook' })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://x.vn/hook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
  it('refuses a platform token without a duty chat, naming ADMIN_CHAT_ID (an emergency must reach someone)', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz' })).toThrow(/ADMIN_CHAT_ID/);
    expect(() => loadConfig({ ZALO_BOT_TOKEN: '1234567890:zalo-token' })).toThrow(/ADMIN_CHAT_ID/);
    expect(loadConfig({ ZALO_BOT_TOKEN: '1234567890:zalo-token', ADMIN_CHAT_ID: 'zalo:84123', UNIT_PHONE: '0272 3 123 456' }).ADMIN_CHAT_ID).toBe('zalo:84123');
    expect(() => loadConfig({ ADMIN_CHAT_ID: 'not a chat' })).toThrow(/ADMIN_CHAT_ID/);
    expect(loadConfig({ ADMIN_USER_IDS: '123, zalo:abc-9' }).ADMIN_USER_IDS).toEqual(['123', 'zalo:abc-9']);
  });
});

describe('matchOption with the message normaliser', () => {
  it('reads chat abbreviations in answers to a choice ("ko co" → "Không có")', async () => {
    const classifier = createClassifier(await Translator.create('vi'));
    const fold = (s: string) => classifier.normalize(s);
    const labels = [
      { id: 'none', label: 'Không có' },
      { id: 'yes', label: 'Có, gõ lời dặn' },
    ];
    expect(matchOption('ko co', labels, fold)).toBe('none');
    expect(matchOption('hok co', labels, fold)).toBe('none');
    expect(matchOption('ko co', labels)).toBeUndefined();
  });
});
