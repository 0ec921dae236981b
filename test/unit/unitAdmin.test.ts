import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/core/areas/csv.js';
import { parseAreaFile } from '../../src/core/areas/service.js';
import { slugFor } from '../../src/core/forms.js';
import { checkSettings } from '../../src/core/settings/schema.js';
import { AreaMatcher } from '../../src/domain/area.js';
import { addWorkingTime, parseWorkingHours } from '../../src/domain/workingHours.js';
import { AREAS_FILE } from '../helpers/app.js';

const good = { unitName: 'Công an xã Tân Hòa', unitPhone: '0272 3 123 456', workingHours: '07:30-17:00', holidays: '', slaUnclaimedMinutes: '120', retentionDays: '90', reminderHour: '18' };

describe('unit settings', () => {
  it('a good form parses, holidays written the Vietnamese way become ISO dates, sorted and once each', () => {
    const r = checkSettings({ ...good, holidays: '30/4/2027\n1/1/2027 2027-01-01' });
    expect(r).toEqual({ ok: true, value: { ...good, holidays: ['2027-01-01', '2027-04-30'], slaUnclaimedMinutes: 120, retentionDays: 90, reminderHour: 18 } });
  });

  it('each bad field is named by its own message; an emergency line is refused as the unit phone', () => {
    const r = checkSettings({ unitName: ' ', unitPhone: '11 4', workingHours: '17:00-07:30', holidays: '31/02/2027', slaUnclaimedMinutes: '-1', retentionDays: 'abc', reminderHour: '24' });
    expect(r).toEqual({
      ok: false,
      errors: {
        unitName: 'admin:settings.error.unitName',
        unitPhone: 'admin:settings.error.unitPhone_emergency',
        workingHours: 'admin:settings.error.workingHours',
        holidays: 'admin:settings.error.holidays',
        slaUnclaimedMinutes: 'admin:settings.error.slaUnclaimedMinutes',
        retentionDays: 'admin:settings.error.retentionDays',
        reminderHour: 'admin:settings.error.reminderHour',
      },
    });
  });

  it('the SLA clock does not run on a holiday', () => {
    // Friday 27/11/2026 16:00 in Vietnam; one working hour left that day is 60 min, then Saturday.
    const friday4pm = Date.UTC(2026, 10, 27, 9);
    const plain = parseWorkingHours('07:30-17:00');
    expect(new Date(addWorkingTime(friday4pm, 120 * 60_000, plain)).toISOString()).toBe('2026-11-28T01:30:00.000Z');
    // Saturday off: Monday 08:30.
    expect(new Date(addWorkingTime(friday4pm, 120 * 60_000, { ...plain, holidays: ['2026-11-28'] })).toISOString()).toBe('2026-11-30T01:30:00.000Z');
  });
});

describe('areas', () => {
  it('CSV: quoted cells keep commas, doubled quotes and line breaks; each row knows its line; an open quote is found', () => {
    const { rows } = parseCsv('\uFEFFma,ten\r\n"a","Xã ""Mới"", A"\n\nb,"Hai\ndòng"\nc,Ba');
    expect(rows).toEqual([
      { line: 1, cells: ['ma', 'ten'] },
      { line: 2, cells: ['a', 'Xã "Mới", A'] },
      { line: 4, cells: ['b', 'Hai\ndòng'] },
      { line: 6, cells: ['c', 'Ba'] },
    ]);
    expect(parseCsv('ma,ten\na,"Xã Một\nb,Hai').unclosedAt).toBe(2);
  });

  it('names that fold to the same letters for different communes are found (Đông Thạnh, Đông Thành)', () => {
    const m = new AreaMatcher(parseAreaFile(JSON.parse(readFileSync(AREAS_FILE, 'utf8'))));
    const flagged = m.confusable().map((g) => g.areas.map((a) => a.id).sort());
    expect(flagged).toContainEqual(['dong-thanh', 'phuoc-dong']);
    expect(m.match('dong thanh').kind).toBe('ambiguous');
  });

  it('ids from names are short, unaccented and unique', () => {
    expect(slugFor('Tổ Đoàn Thanh niên', new Set())).toBe('to-doan-thanh-nien');
    expect(slugFor('Tổ Đoàn Thanh niên', new Set(['to-doan-thanh-nien']))).toBe('to-doan-thanh-nien-2');
    expect(slugFor('Xã Một Hai Ba Bốn Năm Sáu Bảy Tám', new Set(), 20)).toBe('xa-mot-hai-ba-bon-na');
  });
});
