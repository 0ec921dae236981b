import { describe, expect, it } from 'vitest';
import { renderCard } from '../../src/core/notices/card.js';
import type { Card } from '../../src/domain/card.js';
import { describePhone, parseVnPhone, parseWorldPhone } from '../../src/domain/phone.js';
import { notBefore } from '../../src/domain/quietHours.js';
import type { CitizenRequest } from '../../src/domain/request.js';
import { countryName, localTime, vnInstant, zoneByLocalHour, zonesOf } from '../../src/domain/timezone.js';
import { renderPlain } from '../../src/channels/plainText.js';
import { Translator } from '../../src/i18n.js';
import type { ConsoleContext } from '../../src/web/console.js';
import { workItem } from '../../src/web/routes/work.js';
import { Views } from '../../src/web/views.js';
import type { WebUser } from '../../src/core/access/service.js';

describe('numbers in any country (libphonenumber-js)', () => {
  it('reads a Korean, Japanese and Taiwanese number with its country code, shown in national form with the country named', () => {
    expect(parseWorldPhone('+82 10-1234-5678')).toEqual({ ok: true, e164: '+821012345678', country: 'KR' });
    expect(parseWorldPhone('0081 90 1234 5678')).toEqual({ ok: true, e164: '+819012345678', country: 'JP' });
    expect(describePhone('+821012345678')).toBe('+82 10-1234-5678, Hàn Quốc');
    expect(describePhone('+819012345678')).toBe('+81 90-1234-5678, Nhật Bản');
    expect(describePhone('+886912345678')).toBe('+886 912 345 678, Đài Loan');
    expect(describePhone('+79123456789', 'en')).toBe('+7 (912) 345-67-89, Russia');
  });

  it('reads a Vietnamese number as today, with or without +84 (and +840…)', () => {
    for (const typed of ['0912 345 678', '+84 912 345 678', '+840912345678', '84912345678']) {
      expect(parseWorldPhone(typed)).toEqual({ ok: true, e164: '+84912345678', country: 'VN' });
    }
    expect(describePhone('+84912345678')).toBe('0912345678');
    expect(parseVnPhone('+82 10-1234-5678')).toEqual({ ok: false });
  });

  it('reads a number without its code once the country is known; refuses a wrong one naming the country and its format', () => {
    expect(parseWorldPhone('010-1234-5678', 'KR')).toEqual({ ok: true, e164: '+821012345678', country: 'KR' });
    expect(parseWorldPhone('+82 123')).toEqual({ ok: false, country: 'KR', example: '+82 10-2000-0000' });
    expect(parseWorldPhone('+81 12')).toMatchObject({ ok: false, country: 'JP', example: expect.stringMatching(/^\+81 90-/) });
    // Without a code and no country known: nothing to name.
    expect(parseWorldPhone('010-1234-5678')).toEqual({ ok: false });
    expect(parseWorldPhone('abc')).toEqual({ ok: false });
  });
});

describe('time zones and quiet hours', () => {
  it('guesses the zone of a one-zone country and asks the time for a country with several', () => {
    expect(zonesOf('KR')).toEqual(['Asia/Seoul']);
    expect(zonesOf('US').length).toBeGreaterThan(3);
    expect(countryName('KR')).toBe('Hàn Quốc');
    // 03:00 UTC: 19:00 the day before in Los Angeles (winter), 22:00 in New York.
    const now = Date.UTC(2026, 10, 23, 3);
    expect(zoneByLocalHour('US', 22, now)).toMatch(/New_York|Detroit|Indiana|Kentucky|Louisville|Indianapolis/);
    const west = zoneByLocalHour('US', 19, now);
    expect(west).toBeDefined();
    expect(localTime(now, west!).time).toBe('19:00');
  });

  it('holds a notice planned between 22:00 and 07:00 on their clock until 07:00 there', () => {
    const at23InSeoul = Date.UTC(2026, 10, 23, 14, 0, 30);
    expect(notBefore(at23InSeoul, 'Asia/Seoul')).toBe(Date.UTC(2026, 10, 23, 22, 0));
    const at0130InSeoul = Date.UTC(2026, 10, 23, 16, 30);
    expect(notBefore(at0130InSeoul, 'Asia/Seoul')).toBe(Date.UTC(2026, 10, 23, 22, 0));
    const at0700InSeoul = Date.UTC(2026, 10, 23, 22, 0);
    expect(notBefore(at0700InSeoul, 'Asia/Seoul')).toBe(at0700InSeoul);
    const at2159InSeoul = Date.UTC(2026, 10, 23, 12, 59);
    expect(notBefore(at2159InSeoul, 'Asia/Seoul')).toBe(at2159InSeoul);
  });

  it('says a Vietnam time on another clock', () => {
    expect(localTime(vnInstant('2026-12-05', '09:00'), 'Asia/Seoul')).toEqual({ date: '2026-12-05', time: '11:00', minutes: 660 });
  });
});

describe('the card of a request filed from far away', () => {
  const base: CitizenRequest = {
    id: '00000000-0000-4000-8000-000000000001', code: 'TB-ACDE', channel: 'telegram', chatId: '7001', userId: '7001', status: 'assigned', consentVersion: 'x',
    createdAt: 0, updatedAt: 0, type: 'home', filedFor: 'other', consentAt: 0, personName: 'Nguyễn Thị Lành', birthYear: 1936, condition: 'bedridden',
    communeId: 'tan-hoa', address: 'Thôn Hòa Bình', phone: '0912345678', services: ['cccd_new'], preferredDate: '2026-11-28', teamId: 't', round: 0,
    relativePhone: '+821012345678', relativeCountry: 'KR', timeZone: 'Asia/Seoul',
  };
  const card: Card = { requestId: base.id, teamId: 't', chat: { channel: 'telegram', chatId: '-1', kind: 'group' }, messageId: null, round: 0, claimedBy: null, claimedName: null, attempts: 0, mode: 'actions', flagged: false };
  const view = { communeName: () => 'Xã Tân Hòa' };

  it('shows the home contact first, then the relative, says it came from abroad, and after a failed call to a home mobile suggests the relative', async () => {
    const t = await Translator.create('vi');
    const text = (r: CitizenRequest, c: Card) => renderPlain(renderCard(r, c, view, 3), t);
    const before = text(base, card);
    expect(before.indexOf('📞 Gọi ở nhà: 0912345678')).toBeLessThan(before.indexOf('👪 Người thân báo giúp qua Telegram, số: +82 10-1234-5678, Hàn Quốc'));
    expect(before).toContain('🌏 Báo từ nước ngoài (Hàn Quốc): gọi số ở nhà trước, rồi báo người thân sau.');
    expect(before).not.toContain('Không gọi được ở nhà?');
    expect(text(base, { ...card, attempts: 1 })).toContain('☎️ Không gọi được ở nhà? Gọi người thân đã báo: +82 10-1234-5678, Hàn Quốc');
    // A landline at home: nothing suggested (someone comes back to it).
    expect(text({ ...base, phone: '02393856123' }, { ...card, attempts: 1 })).not.toContain('Không gọi được ở nhà?');
  });

  it('on the officer’s work page too: call the home first, then the relative; the note that it came from abroad', async () => {
    const t = await Translator.create('vi');
    const views = new Views(t, { cache: false });
    const c = {
      board: { areas: { communeName: () => 'Xã Tân Hòa' }, today: () => '2026-11-23' },
      requests: { viewed: async () => undefined },
      maxContactAttempts: 3,
    } as unknown as ConsoleContext;
    const user = { staff: { id: 's1', teamId: 't' } } as unknown as WebUser;
    const html = (r: CitizenRequest, attempts: number) =>
      workItem(c, user, r, { ...card, attempts } as never).then((item) => views.render('work-item', { ...views.helpers('csrf'), item }));
    const page = await html(base, 1);
    const home = page.indexOf('href="tel:0912345678"');
    const relative = page.indexOf('href="tel:+821012345678"');
    expect(home).toBeGreaterThan(0);
    expect(relative).toBeGreaterThan(home);
    expect(page).toContain('Gọi người thân: +82 10-1234-5678, Hàn Quốc');
    expect(page).toContain('🌏 Báo từ nước ngoài (Hàn Quốc)');
    expect(page).toContain('Không gọi được ở nhà? Gọi người thân đã báo');
    // Filed for oneself: none of it.
    const own = await html({ ...base, filedFor: 'self', relativePhone: undefined, relativeCountry: undefined, timeZone: undefined }, 1);
    expect(own).not.toContain('tel:+82');
    expect(own).not.toContain('Báo từ nước ngoài');
  });
});
