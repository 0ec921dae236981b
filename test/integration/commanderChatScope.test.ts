import { afterEach, describe, expect, it } from 'vitest';
import { Conversation, testApp, type TestApp } from '../helpers/app.js';

/**
 * A commander of one commune (long-thanh) through the real chat path: the team commands do what
 * the console does, for the teams that are theirs, and refuse kindly (and on the record) the rest.
 * The unit's file gives doan-tn and to-xe (long-thanh among others: shared) and hoi-pn (not long-thanh).
 */
let app: TestApp | undefined;

afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

const seed = (id: string, communes: string[]) => ({ id, name: `Tổ ${id}`, communes, capabilities: ['home_kit' as const], capacityPerDay: 4 });
const codeIn = (text: string) => /\b([A-Z0-9]{6})\b/.exec(text)?.[1];

describe('team chat commands of a commander of some communes', () => {
  it('/doi lists only the teams they see; /moicanbo and /malienket make codes only for their own teams', async () => {
    app = await testApp();
    const t = (key: string) => app!.translator.render({ key });
    await app.repos.teams.upsertAll([seed('mine', ['long-thanh']), seed('theirs', ['my-loc'])]);
    app.repos.teams.invalidate();
    const admin = (await app.repos.staff.byIdentity({ channel: 'memory', userId: 'admin' }))!;
    await app.repos.staff.setCommunes(admin.id, ['long-thanh']);
    const a = new Conversation(app, 'admin');

    const list = await a.say('/doi');
    expect([...list.matchAll(/• ([a-z-]+):/g)].map((m) => m[1]).sort()).toEqual(['doan-tn', 'mine', 'to-xe']);
    expect(list).toMatch(/• doan-tn:.*chỉ xem/);
    expect(list).not.toMatch(/• mine:.*chỉ xem/);

    // Another commune's team, and a team shared with another commune: no code, said why.
    expect(await a.say('/moicanbo theirs')).toBe(t('scope:team.hidden'));
    expect(await a.say('/malienket theirs')).toBe(t('scope:team.hidden'));
    expect(await a.say('/malienket doan-tn')).toBe(t('scope:team.not_yours'));
    expect(await a.say('/moicanbo to-xe')).toBe(t('scope:team.not_yours'));
    expect(await app.database.db.select().from(app.database.t.invites)).toEqual([]);
    const refused = (await app.repos.audit.since(0)).filter((e) => e.action === 'scope_refused');
    expect(refused.map((e) => [e.actor, e.subject])).toEqual([
      [`staff:${admin.id}`, 'theirs'],
      [`staff:${admin.id}`, 'theirs'],
      [`staff:${admin.id}`, 'doan-tn'],
      [`staff:${admin.id}`, 'to-xe'],
    ]);

    // Their own team: a code that works.
    const code = codeIn(await a.say('/moicanbo mine'));
    expect(code).toBeDefined();
    const officer = new Conversation(app, 'officer-1');
    await officer.say(`/dangky ${code}`);
    expect((await app.repos.staff.byIdentity({ channel: 'memory', userId: 'officer-1' }))?.teamId).toBe('mine');
    expect(codeIn(await a.say('/malienket mine'))).toBeDefined();

    // The same commander for the whole unit again: every team is theirs.
    await app.repos.staff.setCommunes(admin.id, []);
    expect(codeIn(await a.say('/malienket theirs'))).toBeDefined();
    expect([...(await a.say('/doi')).matchAll(/• ([a-z-]+):/g)].map((m) => m[1]).sort()).toEqual(['doan-tn', 'hoi-pn', 'mine', 'theirs', 'to-xe']);
    expect(await app.database.db.select().from(app.database.t.invites)).toHaveLength(3);
  });

  it('/phien: only their communes\' sessions are listed, offered and written', async () => {
    app = await testApp();
    const { sessions } = app.services;
    const at = (communeId: string, date: string) =>
      sessions.create({ communeId, date, startTime: '07:30', endTime: '11:30', placeName: `Nhà văn hóa ${communeId}`, address: 'Ấp 1', mapUrl: null, services: ['cccd'], homeCapacity: 0, rideCapacity: 0, notes: null }, 'test');
    await at('long-thanh', '2026-11-28');
    await at('my-loc', '2026-12-05');
    const admin = (await app.repos.staff.byIdentity({ channel: 'memory', userId: 'admin' }))!;
    await app.repos.staff.setCommunes(admin.id, ['long-thanh']);
    const a = new Conversation(app, 'admin');

    await a.say('/phien');
    expect(a.text).toContain('28/11/2026 · Xã Long Thạnh');
    expect(a.text).not.toContain('Xã Mỹ Lộc');
    await a.press('Thêm buổi');
    expect(a.text).toContain('Xã Long Thạnh');
    expect(a.text).not.toContain('Xã Mỹ Lộc');
    // Another commune typed by name: not taken.
    expect(await a.say('my loc')).toContain(app.translator.render({ key: 'scope:area.not_yours' }));

    // Their communes change while a session is drafted: nothing is written beyond them.
    await a.say('long thanh');
    await a.press('12/12/2026');
    await a.say('7:30-11:30');
    await a.say('Trường tiểu học');
    await a.say('Ấp 2');
    await a.press('Xong');
    await app.repos.staff.setCommunes(admin.id, ['my-loc']);
    expect(await a.press('Lưu')).toContain(app.translator.render({ key: 'scope:area.not_yours' }));
    expect((await sessions.list()).map((s) => [s.communeId, s.date])).toEqual([['long-thanh', '2026-11-28'], ['my-loc', '2026-12-05']]);
    expect((await app.repos.audit.since(0)).filter((e) => e.action === 'scope_refused').map((e) => e.subject)).toEqual(['my-loc', 'long-thanh']);
  });
});
