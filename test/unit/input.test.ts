import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAreaFile } from '../../src/core/areas/service.js';
import { cardLines, summaryLines } from '../../src/core/requests/fields.js';
import { RequestLimits } from '../../src/core/requests/limits.js';
import { AreaMatcher } from '../../src/domain/area.js';
import type { CitizenRequest } from '../../src/domain/request.js';
import type { Session } from '../../src/domain/session.js';
import { parseBirthYear, parsePersonName, readBirthYear } from '../../src/domain/person.js';
import { parseVnMobile, parseVnPhone } from '../../src/domain/phone.js';
import { cleanInput } from '../../src/domain/text.js';
import { Translator } from '../../src/i18n.js';
import { ConfigError, loadConfig } from '../../src/main/config.js';
import { AREAS_FILE } from '../helpers/app.js';

describe('cleanInput: what is stored is what is shown', () => {
  it.each([
    ['zero-width space and joiners', 'Nguy\u200Bễn\u200C Văn\u200D An\u2060', 'Nguyễn Văn An'],
    ['byte-order mark and word joiner', '\uFEFFLê\u2060 Thị Hoa', 'Lê Thị Hoa'],
    ['right-to-left override (an address read backwards)', 'Số 7 \u202Eđường 3\u202C, ấp Bình Lợi', 'Số 7 đường 3, ấp Bình Lợi'],
    ['bidi embeddings, isolates and marks', '\u202AẤp\u202B 1\u2066 Tân\u2067 Hòa\u2068\u2069\u200E\u200F\u061C', 'Ấp 1 Tân Hòa'],
    ['Hangul fillers (blank-looking letters)', 'An\u3164 \u115F\u1160Bình\uFFA0', 'An Bình'],
    ['C0 and C1 controls', 'Trần\u0000\u0007 Văn\u0085\u009B Ba\u007F', 'Trần Văn Ba'],
    ['soft hyphen and tag characters', 'Ph\u00ADạm\u{E0041} Văn', 'Phạm Văn'],
  ])('strips %s', (_what, typed, stored) => {
    expect(cleanInput(typed)).toBe(stored);
  });

  it('strips before it composes: a mark split from its letter by an invisible character rejoins it', () => {
    expect(cleanInput('Ho\u200B\u0300a')).toBe('Hòa');
  });

  it('keeps line breaks when asked (a commander\'s note), still without the invisible characters', () => {
    expect(cleanInput('Gọi trước\u202E\r\n\r\n\r\n  nhà trong hẻm  ', { lines: true })).toBe('Gọi trước\n\nnhà trong hẻm');
  });

  it('checks names after cleaning: invisible letters are no name, and hidden ones do not count', () => {
    expect(parsePersonName('\u3164\u3164\u3164')).toEqual({ ok: false, reason: 'empty' });
    expect(parsePersonName('\u200B\u200B')).toEqual({ ok: false, reason: 'empty' });
    expect(parsePersonName('Võ\u202E Thị\u200B Sáu')).toEqual({ ok: true, name: 'Võ Thị Sáu' });
  });
});

describe('phone numbers as people write them', () => {
  it.each([
    ['+840912345678', '0912345678'],
    ['+84 0912 345 678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['84912345678', '0912345678'],
    ['840912345678', '0912345678'],
    ['0084912345678', '0912345678'],
    ['0084 91 234 5678', '0912345678'],
    ['(+84) 912-345-678', '0912345678'],
    ['0912\u200B345\u202E678', '0912345678'],
  ])('normalises the mobile %s', (typed, stored) => {
    expect(parseVnPhone(typed)).toEqual({ ok: true, phone: stored, kind: 'mobile' });
    expect(parseVnMobile(typed)).toEqual({ ok: true, phone: stored });
  });

  it.each([
    ['0272 3 123 456', '02723123456'],
    ['024 3823 4567', '02438234567'],
    ['028.3829.1234', '02838291234'],
    ['+84 272 3123 456', '02723123456'],
  ])('accepts the landline %s as a landline (not as a mobile)', (typed, stored) => {
    expect(parseVnPhone(typed)).toEqual({ ok: true, phone: stored, kind: 'landline' });
    expect(parseVnMobile(typed).ok).toBe(false);
  });

  it.each(['0212345678', '021234567890', '+1 912 345 678', '0044 912 345 678', '0112345678', '113'])('refuses %s', (typed) => {
    expect(parseVnPhone(typed).ok).toBe(false);
  });
});

describe('birth years as people write them', () => {
  const now = new Date('2026-11-23T03:00:00Z');
  it.each(['1941', 'sinh năm 1941', 'năm sinh 1941', 'Sinh năm: 1941.', 'sn 1941', 'bà nội sinh năm 1941', 'born in 1941'])('takes %s as 1941', (typed) => {
    expect(readBirthYear(typed, now)).toEqual({ kind: 'year', year: 1941 });
    expect(parseBirthYear(typed, now)).toEqual({ ok: true, year: 1941 });
  });

  it('asks back two digits and ages instead of guessing', () => {
    expect(readBirthYear('41', now)).toEqual({ kind: 'guess', year: 1941, from: 'two_digits' });
    expect(readBirthYear('năm 45', now)).toEqual({ kind: 'guess', year: 1945, from: 'two_digits' });
    // "05" is a child born in 2005, not someone of 121.
    expect(readBirthYear('05', now)).toEqual({ kind: 'guess', year: 2005, from: 'two_digits' });
    expect(readBirthYear('85 tuổi', now)).toEqual({ kind: 'guess', year: 1941, from: 'age' });
    expect(readBirthYear('ba toi 85t', now)).toEqual({ kind: 'guess', year: 1941, from: 'age' });
    expect(readBirthYear('41 tuoi', now)).toEqual({ kind: 'guess', year: 1985, from: 'age' });
    expect(parseBirthYear('41', now).ok).toBe(false);
  });

  it.each(['1899', '2027', '194', 'abc', '', '200 tuổi'])('refuses %s', (typed) => {
    expect(readBirthYear(typed, now)).toEqual({ kind: 'invalid' });
  });

  it('shows an unknown year as "không rõ" in the summary and on the card', async () => {
    const t = await Translator.create('vi');
    const view = { communeName: () => 'Xã Tân Hòa' };
    const summary = summaryLines({ ...SAMPLE, birthYear: 0 }, view).map((m) => t.render(m));
    expect(summary).toContain('Năm sinh: không rõ');
    const card = cardLines({ ...SAMPLE, birthYear: 0 }, view).map((m) => t.render(m));
    expect(card[0]).toContain('Lê Văn Tám, sinh năm không rõ');
    expect(card.join('\n')).not.toMatch(/sinh 0\b/);
  });
});

describe('commune names: ask instead of guessing', () => {
  const m = new AreaMatcher(parseAreaFile(JSON.parse(readFileSync(AREAS_FILE, 'utf8'))));
  const id = (typed: string) => {
    const r = m.match(typed);
    return r.kind === 'exact' ? r.area.id : `${r.kind}:${r.areas.map((a) => a.id).sort().join(',')}`;
  };

  it('asks when the name folds to several communes and was typed without diacritics', () => {
    expect(id('dong thanh')).toBe('ambiguous:dong-thanh,phuoc-dong');
    expect(id('xa dong thanh')).toBe('ambiguous:dong-thanh,phuoc-dong');
    // Diacritics that fit neither exactly do not decide either.
    expect(id('Đông Thanh')).toBe('ambiguous:dong-thanh,phuoc-dong');
    const r = m.match('dong thanh');
    expect(r.kind === 'ambiguous' && r.choices.map((c) => [c.area.id, c.via?.kind, c.via?.name]).sort()).toEqual([
      ['dong-thanh', undefined, undefined],
      ['phuoc-dong', 'old_name', 'Xã Đông Thạnh'],
    ]);
  });

  it('prefers the exact diacritics: "Đông Thạnh" is the old name of Phước Đông, "Đông Thành" the commune', () => {
    expect(m.match('Đông Thạnh')).toMatchObject({ kind: 'exact', area: { id: 'phuoc-dong' }, via: { kind: 'old_name', name: 'Xã Đông Thạnh' } });
    expect(id('Xã Đông Thạnh')).toBe('phuoc-dong');
    expect(id('ĐÔNG THẠNH')).toBe('phuoc-dong');
    expect(id('Đông Thành')).toBe('dong-thanh');
    // Tone placement and composition do not matter: "hoà" is "hòa".
    expect(id('Tân Hoà')).toBe('tan-hoa');
    expect(id('Ta\u0302n Ho\u0300a')).toBe('tan-hoa');
  });

  it('matches hamlets and leads to their commune', () => {
    expect(m.match('Ấp Bình Lợi')).toMatchObject({ kind: 'exact', area: { id: 'tan-hoa' }, via: { kind: 'hamlet', name: 'Ấp Bình Lợi' } });
    expect(id('ap binh loi')).toBe('tan-hoa');
    expect(id('binh loi')).toBe('tan-hoa');
    expect(id('Ấp Đông Hưng')).toBe('phuoc-dong');
    // One word left of a hamlet's name ("Ấp Chợ" → "chợ") is too common to stand for a place.
    expect(id('cho')).not.toBe('phuoc-dong');
  });

  it('names a commune inside a sentence only when it is one commune', () => {
    expect(m.mentionedIn('thu 7 nay lam o xa long thanh')?.id).toBe('long-thanh');
    expect(m.mentionedIn('lich lam cccd o dong thanh')).toBeUndefined();
    expect(m.mentionedIn('lịch làm căn cước ở Đông Thạnh')?.id).toBe('phuoc-dong');
    expect(m.mentionedIn('lich o ap binh loi')?.id).toBe('tan-hoa');
    expect(m.mentionedIn('lam cccd cho ba noi')).toBeUndefined();
  });
});

describe('the unit phone', () => {
  const token = { TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz', ADMIN_CHAT_ID: '-900' };
  it('is required with a platform token, naming UNIT_PHONE', () => {
    expect(() => loadConfig(token)).toThrow(ConfigError);
    expect(() => loadConfig(token)).toThrow(/UNIT_PHONE: required when a platform token is set/);
    expect(() => loadConfig({ ZALO_BOT_TOKEN: '1234567890:zalo-token', ADMIN_CHAT_ID: 'zalo:1' })).toThrow(/UNIT_PHONE/);
    expect(loadConfig({ ...token, UNIT_PHONE: '0272 3 123 456' }).UNIT_PHONE).toBe('0272 3 123 456');
  });

  it('is never an emergency line, and never defaults to one', () => {
    for (const n of ['113', '114', ' 115 ']) expect(() => loadConfig({ UNIT_PHONE: n })).toThrow(/UNIT_PHONE: 113, 114 and 115 are emergency lines/);
    expect(() => loadConfig({ UNIT_PHONE: 'gọi tôi' })).toThrow(/UNIT_PHONE must be a phone number/);
    // The console: no number set, and the one shown is plainly an example (the container renders it).
    expect(loadConfig({}).UNIT_PHONE).toBeUndefined();
  });

  it('MAX_OPEN_REQUESTS defaults to 3 and must be a positive number', () => {
    expect(loadConfig({}).MAX_OPEN_REQUESTS).toBe(3);
    expect(loadConfig({ MAX_OPEN_REQUESTS: '5' }).MAX_OPEN_REQUESTS).toBe(5);
    expect(() => loadConfig({ MAX_OPEN_REQUESTS: '0' })).toThrow(/MAX_OPEN_REQUESTS/);
  });
});

describe('RequestLimits', () => {
  const chat = { channel: 'memory', chatId: 'c1', kind: 'private' } as const;
  const store = (o: { chat?: number; phone?: number; people?: CitizenRequest[]; filed?: boolean; taken?: number } = {}) => ({
    byId: async () => (o.filed ? SAMPLE : undefined),
    openCountForChat: async () => o.chat ?? 0,
    openCountForPhone: async () => o.phone ?? 0,
    openForPerson: async () => o.people ?? [],
    countForSession: async () => o.taken ?? 0,
  });
  const draft = { personName: 'nguyen van an', birthYear: 1940, communeId: 'tan-hoa', phone: '0912345678', requestId: 'r1' };

  it('refuses the same person (name folded, year, commune) with the open request', async () => {
    const v = await new RequestLimits(store({ people: [{ ...SAMPLE, personName: 'Nguyễn Văn  An' }] }), 3).check(draft, chat);
    expect(v).toMatchObject({ ok: false, reason: 'same_person', existing: { code: 'TB-7K3Q' } });
    expect((await new RequestLimits(store({ people: [{ ...SAMPLE, personName: 'Nguyễn Văn Ân' }] }), 3).check(draft, chat)).ok).toBe(false);
    expect((await new RequestLimits(store({ people: [{ ...SAMPLE, personName: 'Nguyễn Văn Bình' }] }), 3).check(draft, chat)).ok).toBe(true);
  });

  it('refuses past the open requests of a chat, then of a phone', async () => {
    expect(await new RequestLimits(store({ chat: 3 }), 3).check(draft, chat)).toEqual({ ok: false, reason: 'chat', open: 3, max: 3 });
    expect(await new RequestLimits(store({ phone: 3 }), 3).check(draft, chat)).toEqual({ ok: false, reason: 'phone', open: 3, max: 3 });
    expect(await new RequestLimits(store({ chat: 2, phone: 2 }), 3).check(draft, chat)).toEqual({ ok: true });
  });

  it('never counts a request already filed (a retried confirm) against itself', async () => {
    expect(await new RequestLimits(store({ filed: true, chat: 9, phone: 9, people: [SAMPLE] }), 3).check(draft, chat)).toEqual({ ok: true });
  });

  it('a session is full at its capacity for the type; 0 is a capacity not set (no limit)', async () => {
    const s = { id: 's1', homeCapacity: 2, rideCapacity: 0 } as Session;
    expect(await new RequestLimits(store({ taken: 2 }), 3).sessionFull(s, 'home')).toBe(true);
    expect(await new RequestLimits(store({ taken: 1 }), 3).sessionFull(s, 'home')).toBe(false);
    expect(await new RequestLimits(store({ taken: 50 }), 3).sessionFull(s, 'ride')).toBe(false);
  });
});

const SAMPLE: CitizenRequest = {
  id: 'r0',
  code: 'TB-7K3Q',
  channel: 'memory',
  chatId: 'c0',
  userId: 'c0',
  status: 'new',
  consentVersion: '2026-11',
  createdAt: 0,
  updatedAt: 0,
  type: 'home',
  filedFor: 'other',
  consentAt: 0,
  personName: 'Lê Văn Tám',
  birthYear: 1940,
  condition: 'bedridden',
  communeId: 'tan-hoa',
  address: 'Ấp 1',
  phone: '0912345678',
  services: ['cccd_new'],
  preferredDate: '2026-11-28',
};
