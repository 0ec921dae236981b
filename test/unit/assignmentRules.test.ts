import { describe, expect, it } from 'vitest';
import { chooseTeam, requiredCapabilities, type Team } from '../../src/domain/team.js';
import { addWorkingTime, endOfDayAfter, parseWorkingHours } from '../../src/domain/workingHours.js';

const team = (id: string, over: Partial<Team> = {}): Team => ({
  id,
  name: id,
  workChat: { channel: 'telegram', chatId: `-100${id.length}`, kind: 'group' },
  officerCount: 0,
  communes: ['tan-hoa'],
  capabilities: ['home_kit', 'vehicle', 'vneid'],
  capacityPerDay: 5,
  ...over,
});
const home = { type: 'home' as const, services: ['cccd_new' as const], communeId: 'tan-hoa' };

describe('chooseTeam', () => {
  it('routes by area and capability', () => {
    const teams = [team('a', { communes: ['long-thanh'] }), team('b', { capabilities: ['vehicle'] }), team('c')];
    expect(chooseTeam(home, teams, new Map())).toMatchObject({ ok: true, team: { id: 'c' } });
    expect(chooseTeam({ ...home, type: 'ride' }, [team('b', { capabilities: ['vehicle'] })], new Map())).toMatchObject({ ok: true });
    expect(chooseTeam(home, [team('b', { capabilities: ['vehicle'] })], new Map())).toEqual({ ok: false, reason: 'no_capability' });
    expect(chooseTeam(home, [team('a', { communes: ['x'] })], new Map())).toEqual({ ok: false, reason: 'no_team_for_area' });
  });
  it('picks the least loaded team with room, and none when all are full', () => {
    const teams = [team('a'), team('b'), team('c', { capacityPerDay: 1 })];
    expect(chooseTeam(home, teams, new Map([['a', 3], ['b', 2], ['c', 0]]))).toMatchObject({ team: { id: 'c' } });
    expect(chooseTeam(home, teams, new Map([['a', 3], ['b', 2], ['c', 1]]))).toMatchObject({ team: { id: 'b' } });
    expect(chooseTeam(home, teams, new Map([['a', 5], ['b', 5], ['c', 1]]))).toEqual({ ok: false, reason: 'no_capacity' });
  });
  it('never picks a team nobody can be reached in, nor one that handed the request back, and says which', () => {
    expect(chooseTeam(home, [team('a', { workChat: null }), team('b')], new Map(), ['b'])).toEqual({ ok: false, reason: 'no_team_linked' });
    expect(chooseTeam(home, [team('b')], new Map(), ['b'])).toEqual({ ok: false, reason: 'no_team_for_area' });
  });
  it('a team without a work chat works when it has officers (they work from their own chats)', () => {
    expect(chooseTeam(home, [team('a', { workChat: null, officerCount: 2 })], new Map())).toMatchObject({ ok: true, team: { id: 'a' } });
  });
  it('a VNeID-only home visit needs VNeID support, not the CCCD kit', () => {
    expect(requiredCapabilities({ type: 'home', services: ['vneid_l2'] })).toEqual(['vneid']);
    expect(requiredCapabilities({ type: 'ride', services: ['vneid_l2'] })).toEqual(['vehicle']);
  });
});

describe('working hours', () => {
  const wh = parseWorkingHours('07:30-17:00');
  const vn = (iso: string) => Date.parse(`${iso}+07:00`);
  it('counts only working time', () => {
    expect(addWorkingTime(vn('2026-11-23T09:00:00'), 2 * 3600_000, wh)).toBe(vn('2026-11-23T11:00:00'));
    expect(addWorkingTime(vn('2026-11-23T16:00:00'), 2 * 3600_000, wh)).toBe(vn('2026-11-24T08:30:00'));
    expect(addWorkingTime(vn('2026-11-23T05:00:00'), 3600_000, wh)).toBe(vn('2026-11-23T08:30:00'));
    // Saturday evening → Monday morning (no Sunday duty)
    expect(addWorkingTime(vn('2026-11-28T20:00:00'), 3600_000, wh)).toBe(vn('2026-11-30T08:30:00'));
  });
  it('refuses nonsense', () => {
    expect(() => parseWorkingHours('17:00-07:30')).toThrow();
    expect(() => parseWorkingHours('morning')).toThrow();
  });
  it('a visit for Saturday is overdue after Sunday ends', () => {
    expect(endOfDayAfter('2026-11-28')).toBe(vn('2026-11-30T00:00:00') - 1);
  });
});
