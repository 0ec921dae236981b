import { describe, expect, it } from 'vitest';
import { AreaMatcher, type Area } from '../../src/domain/area.js';
import { formatVnDate, localDate, parseLocalDate, upcomingSaturdays } from '../../src/domain/dates.js';
import { parseBirthYear, parsePersonName } from '../../src/domain/person.js';
import { maskPhone, parseVnMobile } from '../../src/domain/phone.js';
import { findRequestCode, newRequestCode, priorityOf } from '../../src/domain/request.js';
import { escapeHtml, foldText, htmlToPlain, splitText } from '../../src/domain/text.js';

describe('foldText', () => {
  it('removes diacritics including đ, folds case and punctuation', () => {
    expect(foldText('Đường Trần Hưng Đạo!')).toBe('duong tran hung dao');
    expect(foldText('  Xe   ĐƯA đón ')).toBe('xe dua don');
  });
  it('treats tone placement and composed/decomposed forms alike', () => {
    expect(foldText('hoà')).toBe(foldText('hòa'));
    expect(foldText('Hòa'.normalize('NFD'))).toBe(foldText('Hòa'.normalize('NFC')));
  });
  it('drops emoji', () => {
    expect(foldText('🏠 Làm CCCD tại nhà')).toBe('lam cccd tai nha');
  });
});

describe('escapeHtml / htmlToPlain', () => {
  it('escapes what Telegram HTML would interpret and round-trips to plain text', () => {
    const raw = '<b>An</b> & "Bình"';
    expect(escapeHtml(raw)).toBe('&lt;b&gt;An&lt;/b&gt; &amp; &quot;Bình&quot;');
    expect(htmlToPlain(`<b>Tên:</b> ${escapeHtml(raw)}`)).toBe(`Tên: ${raw}`);
  });
});

describe('splitText', () => {
  it('keeps every piece within the limit and loses no word', () => {
    const sentence = 'Người cao tuổi cần được giúp đỡ tận nhà. ';
    const text = sentence.repeat(150);
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    for (const p of parts) expect(p.endsWith('.')).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
  });
  it('cuts a word-less text hard at the limit', () => {
    expect(splitText('x'.repeat(4500), 2000).map((p) => p.length)).toEqual([2000, 2000, 500]);
  });
});

describe('parseVnMobile', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['0912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['84912345678', '0912345678'],
    ['038-123-4567', '0381234567'],
    ['0567 123 456', '0567123456'],
    ['0701234567', '0701234567'],
    ['0861234567', '0861234567'],
  ])('accepts %s', (input, expected) => {
    expect(parseVnMobile(input)).toEqual({ ok: true, phone: expected });
  });
  it.each(['', '091234567', '09123456789', '0212345678', '0112345678', 'abc', '0912 345 67x', '+1 912 345 678', '１２３'])(
    'refuses %s',
    (input) => {
      expect(parseVnMobile(input).ok).toBe(false);
    },
  );
  it('masks for logs', () => {
    expect(maskPhone('0912345678')).toBe('091****678');
  });
});

describe('parsePersonName', () => {
  it('accepts names with and without diacritics', () => {
    expect(parsePersonName('  Nguyễn   Thị Bưởi ')).toEqual({ ok: true, name: 'Nguyễn Thị Bưởi' });
    expect(parsePersonName('nguyen van an')).toEqual({ ok: true, name: 'nguyen van an' });
  });
  it('refuses empty, digits, symbols and overlong input with a reason', () => {
    expect(parsePersonName('   ')).toEqual({ ok: false, reason: 'empty' });
    expect(parsePersonName('123456')).toEqual({ ok: false, reason: 'not_a_name' });
    expect(parsePersonName('<script>')).toEqual({ ok: false, reason: 'not_a_name' });
    expect(parsePersonName('😀😀')).toEqual({ ok: false, reason: 'not_a_name' });
    expect(parsePersonName('A'.repeat(81))).toEqual({ ok: false, reason: 'too_long' });
  });
});

describe('parseBirthYear', () => {
  const now = new Date('2026-11-23T00:00:00Z');
  it('accepts a sane year', () => expect(parseBirthYear(' 1945 ', now)).toEqual({ ok: true, year: 1945 }));
  it.each(['1899', '2027', '45', 'năm 45', ''])('refuses %s', (y) => expect(parseBirthYear(y, now).ok).toBe(false));
});

describe('dates in Vietnam time', () => {
  it('uses the Vietnamese date near midnight UTC', () => {
    expect(localDate(new Date('2026-11-27T18:30:00Z'))).toBe('2026-11-28');
  });
  it('lists the next Saturdays after today', () => {
    // Monday 23/11/2026 → 28/11, 5/12
    expect(upcomingSaturdays(new Date('2026-11-23T03:00:00Z'), 2)).toEqual(['2026-11-28', '2026-12-05']);
    // On a Saturday the next one is a week later.
    expect(upcomingSaturdays(new Date('2026-11-28T03:00:00Z'), 1)).toEqual(['2026-12-05']);
  });
  it('parses typed dates, rolling to next year and refusing the past', () => {
    const now = new Date('2026-11-23T03:00:00Z');
    expect(parseLocalDate('5/12', now)).toEqual({ ok: true, date: '2026-12-05' });
    expect(parseLocalDate('10-1', now)).toEqual({ ok: true, date: '2027-01-10' });
    expect(parseLocalDate('1/11/2026', now)).toEqual({ ok: false, reason: 'past' });
    expect(parseLocalDate('31/2', now)).toEqual({ ok: false, reason: 'format' });
    expect(parseLocalDate('mai', now)).toEqual({ ok: false, reason: 'format' });
    expect(parseLocalDate('1/10/2027', now)).toEqual({ ok: false, reason: 'too_far' });
    expect(formatVnDate('2026-12-05')).toBe('05/12/2026');
  });
});

describe('request codes and priority', () => {
  it('makes short unambiguous codes and finds them in sloppy text', () => {
    for (let i = 0; i < 200; i++) {
      const code = newRequestCode();
      expect(code).toMatch(/^TB-[ACDEFGHJKMNPQRTUVWXY34679]{4}$/);
      expect(findRequestCode(`ma cua toi la ${code.toLowerCase().replace('-', ' ')}`)).toBe(code);
    }
  });
  it('serves bedridden people first', () => {
    expect(priorityOf('bedridden')).toBeLessThan(priorityOf('wheelchair'));
    expect(priorityOf('wheelchair')).toBeLessThan(priorityOf('very_old'));
    expect(priorityOf('very_old')).toBeLessThan(priorityOf('other'));
  });
});

describe('AreaMatcher', () => {
  const communes: Area[] = [
    { id: 'tan-hoa', name: 'Xã Tân Hòa', kind: 'commune', parentId: null, aliases: ['Xã Tân Bình'] },
    { id: 'long-thanh', name: 'Xã Long Thạnh', kind: 'commune', parentId: null, aliases: [] },
    { id: 'can-duoc', name: 'Phường Cần Đước', kind: 'commune', parentId: null, aliases: ['Thị trấn Cần Đước'] },
  ];
  const m = new AreaMatcher(communes);
  it('matches without diacritics, prefixes or with an old name', () => {
    expect(m.match('tan hoa')).toMatchObject({ kind: 'exact', area: { id: 'tan-hoa' } });
    expect(m.match('xa Tân Hoà')).toMatchObject({ kind: 'exact', area: { id: 'tan-hoa' } });
    expect(m.match('tan binh')).toMatchObject({ kind: 'exact', area: { id: 'tan-hoa' } });
    expect(m.match('can duoc')).toMatchObject({ kind: 'exact', area: { id: 'can-duoc' } });
  });
  it('suggests the closest names for a typo and nothing for nonsense', () => {
    const r = m.match('long thnh');
    expect(r.kind).toBe('suggest');
    expect(r.kind === 'suggest' && r.areas[0]?.id).toBe('long-thanh');
    expect(m.match('zzzzqqq')).toEqual({ kind: 'suggest', areas: [] });
  });
});
