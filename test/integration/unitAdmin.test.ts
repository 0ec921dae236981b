import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AreaAdmin } from '../../src/core/areas/admin.js';
import { AreaService } from '../../src/core/areas/service.js';
import { SettingsService } from '../../src/core/settings/service.js';
import { UnitAdmin } from '../../src/core/teams/admin.js';
import { seedTeamsFile } from '../../src/core/teams/file.js';
import { StaffService } from '../../src/core/teams/service.js';
import type { Database } from '../../src/db/database.js';
import { AccessRepository } from '../../src/db/repositories/access.js';
import { AreaRepository } from '../../src/db/repositories/areas.js';
import { AuditRepository } from '../../src/db/repositories/audit.js';
import { SettingsRepository } from '../../src/db/repositories/settings.js';
import { StaffRepository } from '../../src/db/repositories/staff.js';
import { TeamRepository } from '../../src/db/repositories/teams.js';
import type { StaffMember } from '../../src/domain/team.js';
import { AREAS_FILE, TestClock } from '../helpers/app.js';
import { DIALECTS, freshDatabase, pgAvailable } from '../helpers/db.js';
import { teamsFile } from '../helpers/stack.js';

const ME: StaffMember = { id: 'cmd-root', name: 'Root', teamId: null, commander: true, communes: [], root: true, identities: [] };
/** A commander of two communes (not the whole unit). */
const OF_TWO: StaffMember = { id: 'cmd-two', name: 'Hai xã', teamId: null, commander: true, communes: ['tan-hoa', 'long-thanh'], root: false, identities: [] };
const DEFAULTS = { unitName: 'Công an xã', unitPhone: '0272 3 123 456', workingHours: '07:30-17:00', holidays: [], slaUnclaimedMinutes: 120, retentionDays: 90, reminderHour: 18 };

describe.each(DIALECTS)('running the unit on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();
  let db: Database;
  let teams: TeamRepository;
  let areas: AreaService;
  let areaAdmin: AreaAdmin;
  let unit: UnitAdmin;
  let changes = 0;
  const clock = new TestClock();

  beforeAll(async () => {
    if (skip) return;
    db = await freshDatabase(dialect);
    teams = new TeamRepository(db);
    const staff = new StaffRepository(db);
    const audit = new AuditRepository(db);
    areas = new AreaService(new AreaRepository(db));
    await areas.seedFromFile(AREAS_FILE);
    areaAdmin = new AreaAdmin(new AreaRepository(db), areas, audit, clock, async () => undefined);
    unit = new UnitAdmin(teams, staff, new StaffService(teams, staff, audit, clock, 3600_000), new AccessRepository(db), audit, clock, areas, async () => changes++);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('the teams file seeds an empty database only; a team stopped since stays stopped', async () => {
    const file = teamsFile([{ id: 'doan-tn', name: 'Tổ Đoàn', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 4 }]);
    expect(await seedTeamsFile(file, teams)).toBe(true);
    expect(await unit.setActive('doan-tn', false, ME)).toBe('ok');
    expect(await seedTeamsFile(file, teams)).toBe(false);
    expect(await teams.active()).toEqual([]);
    expect((await teams.all()).map((t) => [t.id, t.active])).toEqual([['doan-tn', false]]);
    expect(changes).toBe(1);
  });

  it.skipIf(skip)('a bad team is refused field by field; an import with one bad team saves none of them', async () => {
    const bad = await unit.createTeam({ name: '  ', communes: ['nowhere'], capabilities: [], capacityPerDay: '-1' }, ME);
    expect(bad.ok ? [] : Object.keys(bad.errors).sort()).toEqual(['capabilities', 'capacityPerDay', 'name']);
    const json = JSON.stringify({ teams: [{ id: 'a', name: 'A', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 2 }, { id: 'b', name: 'B', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: -1 }] });
    const r = await unit.importTeams(json, ME);
    expect(r.ok ? undefined : r.errors.file).toEqual({ key: 'admin:teams.import_error_at', params: { at: 2, what: { key: 'admin:teams.error.capacity' } } });
    expect((await teams.all()).map((t) => t.id)).toEqual(['doan-tn']);
    const created = await unit.createTeam({ name: 'Tổ Đoàn', communes: ['my-loc'], capabilities: ['vehicle'], capacityPerDay: '3' }, ME);
    expect(created).toEqual({ ok: true, value: 'to-doan' });
  });

  it.skipIf(skip)('a CSV with a broken row saves nothing; a good one is matched at once, its hamlets replaced on the next import', async () => {
    const before = await areaAdmin.list(ME);
    const broken = await areaAdmin.importCsv('ma,ten,ten_cu,ap\nbinh-an,Xã Bình An,,Ấp Một\nbad id!,Xã Hai,,\n', ME);
    expect(broken).toEqual({ ok: false, problem: { key: 'admin:areas.error.row_id', params: { row: 3 } } });
    expect(await areaAdmin.list(ME)).toEqual(before);
    expect(await areaAdmin.importCsv('ten,ap\nXã Bình An,Ấp Một; Ấp Hai\n', ME)).toEqual({ ok: true, count: 1 });
    const m = areas.match('ap hai');
    expect(m.kind === 'exact' && m.area.id).toBe('xa-binh-an');
    await areaAdmin.importCsv('ten,ap\nXã Bình An,Ấp Một\n', ME);
    expect(await areaAdmin.one('xa-binh-an', ME)).toMatchObject({ hamlets: [{ name: 'Ấp Một' }] });
  });

  it.skipIf(skip)('a commander of two communes changes only the teams serving none but theirs, and only their communes\' areas', async () => {
    const seed = (id: string, communes: string[]) => ({ id, name: `Tổ ${id}`, communes, capabilities: ['home_kit' as const], capacityPerDay: 4 });
    await teams.upsertAll([seed('mine', ['tan-hoa']), seed('shared', ['long-thanh', 'my-loc']), seed('theirs', ['my-loc'])]);
    const ours = ['mine', 'shared', 'theirs'];
    const reach = (await unit.teamsFor(OF_TWO)).filter((t) => ours.includes(t.id)).map((t) => [t.id, t.reach]).sort();
    expect(reach).toEqual([['mine', 'change'], ['shared', 'see']]);
    const form = { name: 'Tổ đổi tên', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: '2' };
    const outside = { ok: false, errors: { communes: { key: 'scope:team.outside' } } };
    // Every write is refused in the service, whatever the page showed.
    expect(await unit.updateTeam('shared', form, OF_TWO)).toBe('not_yours');
    expect(await unit.updateTeam('theirs', form, OF_TWO)).toBe('hidden');
    expect(await unit.updateTeam('mine', { ...form, communes: ['tan-hoa', 'my-loc'] }, OF_TWO)).toEqual(outside);
    expect(await unit.createTeam({ ...form, communes: ['long-thanh', 'my-loc'] }, OF_TWO)).toEqual(outside);
    expect(await unit.setActive('shared', false, OF_TWO)).toBe('not_yours');
    expect(await unit.unlinkWorkChat('theirs', OF_TWO)).toBe('hidden');
    expect(await unit.invite('officer', 'shared', OF_TWO)).toEqual({ refused: 'not_yours' });
    expect(await unit.removeOfficer('theirs', 'anyone', OF_TWO)).toBe('hidden');
    const file = JSON.stringify({ teams: [seed('theirs', ['tan-hoa'])] });
    expect(await unit.importTeams(file, OF_TWO)).toEqual({ ok: false, errors: { file: { key: 'scope:team.import' } } });
    const after = (await teams.all()).filter((t) => ours.includes(t.id)).map((t) => [t.id, t.name, t.communes, t.active]).sort();
    expect(after).toEqual([['mine', 'Tổ mine', ['tan-hoa'], true], ['shared', 'Tổ shared', ['long-thanh', 'my-loc'], true], ['theirs', 'Tổ theirs', ['my-loc'], true]]);
    // Their own team they change; the file they take home holds only what they see.
    expect(await unit.updateTeam('mine', form, OF_TWO)).toEqual({ ok: true, value: undefined });
    expect(await unit.invite('officer', 'mine', OF_TWO)).toEqual({ code: expect.stringMatching(/^[A-Z0-9]{6}$/) });
    const exported = (JSON.parse(await unit.exportTeams(OF_TWO)) as { teams: { id: string }[] }).teams.map((t) => t.id);
    expect(exported.filter((id) => ours.includes(id)).sort()).toEqual(['mine', 'shared']);
    // A root commander of the whole unit changes the shared team.
    expect(await unit.setActive('shared', false, ME)).toBe('ok');

    expect((await areaAdmin.list(OF_TWO)).map((v) => v.commune.id).sort()).toEqual(['long-thanh', 'tan-hoa']);
    expect(await areaAdmin.one('my-loc', OF_TWO)).toBe('not_yours');
    const commune = { name: 'Xã Mỹ Lộc Mới', oldNames: '', hamlets: 'Ấp Một' };
    expect(await areaAdmin.saveCommune('my-loc', commune, OF_TWO)).toEqual({ ok: false, errors: { form: { key: 'scope:area.not_yours' } } });
    expect(await areaAdmin.saveCommune(undefined, commune, OF_TWO)).toEqual({ ok: false, errors: { form: { key: 'scope:area.new' } } });
    expect(await areaAdmin.importCsv('ma,ten\nmy-loc,Xã Mỹ Lộc Mới\n', OF_TWO)).toEqual({ ok: false, problem: { key: 'scope:area.import' } });
    expect(areas.communeName('my-loc')).toBe('Xã Mỹ Lộc');
    expect(await areaAdmin.saveCommune('tan-hoa', { name: 'Xã Tân Hòa', oldNames: '', hamlets: 'Ấp Bình Lợi' }, OF_TWO)).toEqual({ ok: true, id: 'tan-hoa' });
  });

  it.skipIf(skip)('settings: saved whole or not at all, audited, read back by another process', async () => {
    const store = new SettingsRepository(db);
    const audit = new AuditRepository(db);
    const one = new SettingsService(store, audit, clock, DEFAULTS);
    const other = new SettingsService(store, audit, clock, DEFAULTS);
    await Promise.all([one.load(), other.load()]);
    const form = { unitName: 'Công an xã Mỹ Lộc', unitPhone: '0272 3 999 888', workingHours: '07:00-16:30', holidays: '01/01/2027', slaUnclaimedMinutes: '60', retentionDays: '30', reminderHour: '19' };
    expect(await one.save({ ...form, retentionDays: '0' }, 'staff:cmd-root')).toEqual({ ok: false, errors: { retentionDays: 'admin:settings.error.retentionDays' } });
    expect(await store.all()).toEqual([]);
    const saved = await one.save(form, 'staff:cmd-root');
    expect(saved.ok && saved.changed.length).toBe(7);
    await other.load();
    expect(other.current()).toEqual({ unitName: 'Công an xã Mỹ Lộc', unitPhone: '0272 3 999 888', workingHours: '07:00-16:30', holidays: ['2027-01-01'], slaUnclaimedMinutes: 60, retentionDays: 30, reminderHour: 19 });
    expect(other.policy.slaUnclaimedMs).toBe(3600_000);
    expect(other.workingHours()).toMatchObject({ startMinute: 420, endMinute: 990, holidays: ['2027-01-01'] });
    expect((await audit.since(0)).filter((e) => e.action === 'setting_changed').length).toBe(7);
    // A change the areas page makes is seen by the other process the next time it reads.
    let reloaded = 0;
    other.watch('areas.version', async () => void reloaded++);
    await one.bump('areas.version', 'staff:cmd-root');
    await other.load();
    expect(reloaded).toBe(1);
  });
});
