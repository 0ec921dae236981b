import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { AreaRepository } from '../../src/db/repositories/areas.js';
import { AuditRepository } from '../../src/db/repositories/audit.js';
import { DialogStateRepository } from '../../src/db/repositories/dialogStates.js';
import { BroadcastRepository } from '../../src/db/repositories/broadcasts.js';
import { CardRepository } from '../../src/db/repositories/cards.js';
import { UnreachableRepository } from '../../src/db/repositories/unreachable.js';
import { HandoffRepository } from '../../src/db/repositories/handoffs.js';
import { SessionRepository } from '../../src/db/repositories/sessions.js';
import { SubscriptionRepository } from '../../src/db/repositories/subscriptions.js';
import { RequestRepository } from '../../src/db/repositories/requests.js';
import { CodeTakenError } from '../../src/core/requests/service.js';
import { TeamRepository } from '../../src/db/repositories/teams.js';
import { openDatabase } from '../../src/db/database.js';
import { DIALECTS, freshDatabase, freshDatabaseUrl, pgAvailable, sampleRequest } from '../helpers/db.js';

describe.each(DIALECTS)('repositories on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgAvailable();
  let db: Database;
  let requests: RequestRepository;

  beforeAll(async () => {
    if (skip) return;
    db = await freshDatabase(dialect);
    requests = new RequestRepository(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('stores and reads a request exactly, text of any kind included', async () => {
    const r = sampleRequest();
    const { stored, created } = await requests.insertOnce(r);
    expect(created).toBe(true);
    expect(stored).toEqual({ ...r, pickupAddress: undefined, people: undefined, teamId: undefined, assignedAt: undefined, round: 0, excludedTeams: [], outcome: undefined, reason: undefined, closedAt: undefined, erasedAt: undefined });
    expect(await requests.byCode(r.code)).toEqual(stored);
  });

  it.skipIf(skip)('inserting the same id twice keeps one row (idempotent submit)', async () => {
    const r = sampleRequest();
    await requests.insertOnce(r);
    const again = await requests.insertOnce({ ...r, code: 'TB-XXXX', personName: 'other' });
    expect(again.created).toBe(false);
    expect(again.stored.code).toBe(r.code);
    expect(await requests.byCode('TB-XXXX')).toBeUndefined();
  });

  it.skipIf(skip)('refuses a duplicate code', async () => {
    const a = sampleRequest();
    await requests.insertOnce(a);
    // Both drivers' errors are recognised (drizzle wraps PostgreSQL's): intake draws another code.
    await expect(requests.insertOnce(sampleRequest({ code: a.code }))).rejects.toThrow(CodeTakenError);
  });

  it.skipIf(skip || dialect !== 'postgres')('a refused duplicate keeps its connection (pg\'s pool would open a new one after every failed query)', async () => {
    const a = sampleRequest();
    await requests.insertOnce(a);
    const backend = async () => ((await (db.db as unknown as { execute(q: unknown): Promise<{ rows: { pid: number }[] }> }).execute(sql`select pg_backend_pid() as pid`)).rows[0]!.pid);
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await expect(requests.insertOnce(sampleRequest({ code: a.code }))).rejects.toThrow(CodeTakenError);
      pids.add(await backend());
    }
    // One after the other, every query finds the same idle connection.
    expect(pids.size).toBe(1);
  });

  it.skipIf(skip)('the board\'s counts, page and duplicate flags read the same on this dialect', async () => {
    // A commune of its own, so the other tests' rows do not count.
    const communeId = `c-${Math.random().toString(36).slice(2, 8)}`;
    const today = '2026-11-28';
    const todayStart = Date.UTC(2026, 10, 27, 17);
    const mk = (over: Parameters<typeof sampleRequest>[0]) => requests.insertOnce(sampleRequest({ communeId, ...over }));
    await mk({ status: 'new', preferredDate: today });
    const waiting = await mk({ status: 'new', preferredDate: today });
    await requests.setUnassigned(waiting.stored.id, 'no_team', todayStart);
    await mk({ status: 'assigned', teamId: 't1', preferredDate: '2026-11-21' });
    await mk({ status: 'assigned', teamId: 't1', preferredDate: today });
    await mk({ status: 'claimed', teamId: 't1', preferredDate: '2026-11-20', phone: '0912000111' });
    const twin = await mk({ status: 'new', preferredDate: today, phone: '0912000111' });
    const done = await mk({ status: 'claimed', teamId: 't1', preferredDate: today });
    await requests.transition(done.stored.id, ['claimed'], 'done', todayStart + 3_600_000, { outcome: 'cccd_taken' });
    expect(await requests.counts([communeId], today, todayStart)).toEqual({
      new: 2, unassigned: 1, assigned: 2, claimed: 1, overdue: 2, done_today: 1, reasons: { no_team: 1 },
    });
    const page = await requests.board({ communes: [communeId], state: 'overdue', today, todayStart, limit: 10, offset: 0 });
    expect(page.total).toBe(2);
    expect(page.rows.map((x) => x.status).sort()).toEqual(['assigned', 'claimed']);
    expect((await requests.possibleDuplicates([twin.stored.id])).has(twin.stored.id)).toBe(true);
  });

  it.skipIf(skip)('calls made at one moment share a query and each gets its own answer: requests, cards, audit rows, unreachable chats', async () => {
    const rs = Array.from({ length: 6 }, () => sampleRequest());
    const taken = sampleRequest();
    await requests.insertOnce(taken);
    // Filed together: one with a code taken is refused alone, one filed before comes back as stored.
    const filed = await Promise.allSettled([...rs.map((r) => requests.insertOnce(r)), requests.insertOnce(sampleRequest({ code: taken.code })), requests.insertOnce({ ...taken, personName: 'other' })]);
    expect(filed.map((f) => (f.status === 'fulfilled' ? f.value.created : f.reason instanceof CodeTakenError ? 'taken' : f.reason))).toEqual([...rs.map(() => true), 'taken', false]);
    expect(filed.at(-1)).toMatchObject({ value: { stored: { personName: taken.personName } } });
    // Read together (one query), each its own request; an unknown id is undefined.
    const read = await Promise.all([...rs.map((r) => requests.byId(r.id)), requests.byId('00000000-0000-4000-8000-000000000000')]);
    expect(read.map((r) => r?.code)).toEqual([...rs.map((r) => r.code), undefined]);

    const cards = new CardRepository(db);
    const chat = { channel: 'telegram' as const, chatId: '-4001', kind: 'group' as const };
    const kept = await cards.ensure({ requestId: rs[0]!.id, teamId: 'team-a', chat, round: 0 }, 1000);
    await cards.setMessage(kept, '77', 1001);
    // Made together: the one there already comes back as it was (its message kept), the others new.
    const made = await Promise.all(rs.map((r, i) => cards.ensure({ requestId: r.id, teamId: `team-${i}`, chat, round: 0 }, 2000)));
    expect(made.map((c) => [c.teamId, c.messageId])).toEqual([['team-a', '77'], ...rs.slice(1).map((_, i) => [`team-${i + 1}`, null])]);
    // Posted together; one card cleared and then posted again in the same moment: the last call wins.
    await Promise.all([...rs.slice(1).map((r, i) => cards.setMessage({ requestId: r.id, round: 0 }, `m${i + 1}`, 3000 + i)), cards.setMessage(kept, null, 3100), cards.setMessage(kept, '88', 3101)]);
    const after = await Promise.all(rs.map((r) => cards.get(r.id, 0)));
    expect(after.map((c) => c?.messageId)).toEqual(['88', 'm1', 'm2', 'm3', 'm4', 'm5']);

    const audit = new AuditRepository(db);
    await Promise.all(rs.map((r, i) => audit.record('system', 'request_viewed', r.id, 5000 + i)));
    expect((await Promise.all(rs.map((r) => audit.forSubject(r.id)))).map((rows) => rows.map((a) => a.at))).toEqual(rs.map((_, i) => [5000 + i]));

    const unreachable = new UnreachableRepository(db);
    await unreachable.mark('telegram:blocked-1', 1);
    expect(await Promise.all(['telegram:blocked-1', 'telegram:fine-1', 'telegram:fine-2'].map((k) => unreachable.isUnreachable(k)))).toEqual([true, false, false]);
  });

  it.skipIf(skip)('keeps 64-bit millisecond timestamps', async () => {
    const r = sampleRequest({ createdAt: 4_102_444_800_000, updatedAt: 4_102_444_800_000 });
    expect((await requests.insertOnce(r)).stored.createdAt).toBe(4_102_444_800_000);
  });

  it.skipIf(skip)('lists an owner\'s requests newest first, open ones on demand', async () => {
    const owner = { channel: 'zalo' as const, userId: `u${Math.random()}` };
    const { stored: old } = await requests.insertOnce(sampleRequest({ ...owner, createdAt: 1, updatedAt: 1 }));
    const { stored: newer } = await requests.insertOnce(sampleRequest({ ...owner, createdAt: 2, updatedAt: 2 }));
    expect((await requests.listByOwner(owner)).map((r) => r.id)).toEqual([newer.id, old.id]);
    await requests.transition(old.id, ['new'], 'cancelled', 3);
    expect((await requests.listByOwner(owner, true)).map((r) => r.id)).toEqual([newer.id]);
  });

  it.skipIf(skip)('transitions only from the expected states', async () => {
    const { stored: r } = await requests.insertOnce(sampleRequest());
    expect(await requests.transition(r.id, ['new'], 'cancelled', 5)).toBe(true);
    expect(await requests.transition(r.id, ['new'], 'cancelled', 6)).toBe(false);
    expect((await requests.byId(r.id))?.status).toBe('cancelled');
  });

  it.skipIf(skip)('erases an owner\'s personal data (every personal field of the field table), keeps the anonymous counts', async () => {
    const owner = { channel: 'telegram' as const, userId: `e${Math.random()}` };
    const { stored: open } = await requests.insertOnce(sampleRequest({ ...owner, type: 'ride', pickupAddress: 'Chợ', people: 2 }));
    const { stored: other } = await requests.insertOnce(sampleRequest({ userId: 'someone-else' }));
    const ids = await requests.eraseOwner(owner, 99);
    expect(ids).toEqual([open.id]);
    const erased = await requests.byId(open.id);
    expect(erased).toMatchObject({ personName: '', phone: '', address: '', pickupAddress: undefined, notes: undefined, birthYear: 0, userId: '', chatId: '', erasedAt: 99 });
    // What the reports count stays.
    expect(erased).toMatchObject({ communeId: 'tan-hoa', type: 'ride', people: 2, condition: 'bedridden', services: ['cccd_new', 'vneid_l2'] });
    expect(await requests.listByOwner(owner)).toEqual([]);
    expect((await requests.byId(other.id))?.personName).toBe(other.personName);
  });

  it.skipIf(skip)('dialog state upserts and deletes', async () => {
    const states = new DialogStateRepository(db);
    await states.put('telegram:1', '{"a":1}', 1);
    await states.put('telegram:1', '{"a":2}', 2);
    expect(await states.get('telegram:1')).toBe('{"a":2}');
    expect(await states.deleteOlderThan(3)).toBeGreaterThanOrEqual(1);
    expect(await states.get('telegram:1')).toBeUndefined();
  });

  it.skipIf(skip)('areas are replaced from the file, old ones deactivated', async () => {
    const areas = new AreaRepository(db);
    await areas.replaceAll([
      { id: 'a', name: 'Xã A', kind: 'commune', parentId: null, aliases: ['Xã Cũ'] },
      { id: 'b', name: 'Xã B', kind: 'commune', parentId: null, aliases: [] },
    ]);
    await areas.replaceAll([{ id: 'b', name: 'Xã Bê', kind: 'commune', parentId: null, aliases: [] }]);
    expect(await areas.communes()).toEqual([{ id: 'b', name: 'Xã Bê', kind: 'commune', parentId: null, aliases: [] }]);
  });

  it.skipIf(skip)('audit log records actions without personal data', async () => {
    const audit = new AuditRepository(db);
    await audit.record('telegram:42', 'data_erased', 'req-1', 1000);
    const rows = await audit.since(1000);
    expect(rows.map((r) => [r.actor, r.action, r.subject])).toContainEqual(['telegram:42', 'data_erased', 'req-1']);
  });

  it.skipIf(skip)('handoffs: found by the duty message, answers counted, erased with the chat, outbox and retention', async () => {
    const handoffs = new HandoffRepository(db);
    const base = { kind: 'question' as const, channel: 'zalo' as const, question: 'Bao giờ <cán bộ> đến & "gọi"?' };
    expect(await handoffs.create({ ...base, id: 'h1', code: 'HD-AAAA', chatId: 'z-1', createdAt: 1000 })).toBe(true);
    expect(await handoffs.create({ ...base, id: 'h2', code: 'HD-AAAA', chatId: 'z-2', createdAt: 1000 })).toBe(false);
    expect(await handoffs.create({ ...base, id: 'h3', code: 'HD-CCCC', chatId: 'z-3', createdAt: 5000 })).toBe(true);
    expect(await handoffs.unposted(0, 6000)).toEqual(expect.arrayContaining(['h1', 'h3']));
    const duty = { channel: 'telegram', chatId: '-900', kind: 'group' as const };
    await handoffs.setDutyMessage('h1', duty, '77');
    expect(await handoffs.unposted(0, 6000)).toEqual(['h3']);
    expect((await handoffs.byDutyMessage(duty, '77'))?.question).toBe(base.question);
    expect(await handoffs.byDutyMessage({ channel: 'telegram', chatId: '-901' }, '77')).toBeUndefined();
    expect(await handoffs.byDutyMessage({ channel: 'zalo', chatId: '-900' }, '77')).toBeUndefined();
    expect(await handoffs.addAnswer('h1', 2000)).toBe(1);
    expect(await handoffs.addAnswer('h1', 2001)).toBe(2);
    expect(await handoffs.eraseChat('zalo', 'z-1')).toBe(1);
    expect(await handoffs.byCode('HD-AAAA')).toMatchObject({ chatId: null, question: null, answers: 2 });
    expect(await handoffs.deleteBefore(3000)).toBe(1);
    expect(await handoffs.byId('h1')).toBeUndefined();
    expect(await handoffs.byId('h3')).toBeDefined();
  });

  it.skipIf(skip)('broadcasts: audience from subscriptions and open requests, fixed once, settled once per recipient', async () => {
    const subs = new SubscriptionRepository(db);
    const broadcasts = new BroadcastRepository(db);
    expect(await subs.subscribe('telegram', 's1', 'my-loc', 1)).toBe(true);
    expect(await subs.subscribe('telegram', 's1', 'my-loc', 2)).toBe(false);
    await subs.subscribe('telegram', 's1', 'phuoc-dong', 1);
    await subs.subscribe('zalo', 'z1', 'phuoc-dong', 1);
    await requests.insertOnce(sampleRequest({ id: crypto.randomUUID(), code: 'TB-AUD1', channel: 'zalo', chatId: 'z1', communeId: 'phuoc-dong', preferredDate: '2026-12-05' }));
    await requests.insertOnce(sampleRequest({ id: crypto.randomUUID(), code: 'TB-AUD2', channel: 'telegram', chatId: 'r9', communeId: 'my-loc', preferredDate: '2026-12-05' }));
    expect(await broadcasts.countAudience({ kind: 'communes', communeIds: ['phuoc-dong'] })).toBe(2);
    expect(await broadcasts.countAudience({ kind: 'session', communeId: 'my-loc', date: '2026-12-05' })).toBe(2);
    expect(await broadcasts.countAudience({ kind: 'open_requests' })).toBeGreaterThanOrEqual(2);
    // A commander of some communes: only the open requests of theirs.
    const own = `aud-${dialect}`;
    await requests.insertOnce(sampleRequest({ id: crypto.randomUUID(), code: 'TB-AUD3', channel: 'zalo', chatId: 'z-own', communeId: own }));
    expect(await broadcasts.countAudience({ kind: 'open_requests', communeIds: [own] })).toBe(1);

    const b = { id: `b-${dialect}`, kind: 'admin' as const, createdBy: 'telegram:777', content: { text: 'Thứ Bảy nghỉ' }, audience: { kind: 'communes' as const, communeIds: ['my-loc', 'phuoc-dong'] } };
    expect(await broadcasts.create(b, 10)).toBe(true);
    expect(await broadcasts.create(b, 11)).toBe(false);
    const all = await broadcasts.recipients(b.id, 0, 100);
    expect(all.map((r) => `${r.channel}:${r.chatId}`).sort()).toEqual(['telegram:r9', 'telegram:s1', 'zalo:z1']);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await broadcasts.byId(b.id))?.total).toBe(3);
    await broadcasts.settle(b.id, new Map([['sent', [1, 2]], ['blocked', [3]]]));
    await broadcasts.settle(b.id, new Map([['sent', [1, 2, 3]]]));
    expect(await broadcasts.byId(b.id)).toMatchObject({ sent: 2, blocked: 1, failed: 0, status: 'sending' });
    expect(await broadcasts.pendingCount(b.id)).toBe(0);
    expect(await broadcasts.finish(b.id, 'done', 20)).toBe(true);
    expect(await broadcasts.finish(b.id, 'cancelled', 21)).toBe(false);
    await broadcasts.forgetChat('zalo', 'z1');
    expect((await broadcasts.recipients(b.id, 0, 100)).length).toBe(2);
    await broadcasts.forgetRecipientsBefore(5);
    expect((await broadcasts.recipients(b.id, 0, 100)).length).toBe(2);
    await broadcasts.forgetRecipientsBefore(15);
    expect(await broadcasts.recipients(b.id, 0, 100)).toEqual([]);
    expect(await broadcasts.byId(b.id)).toMatchObject({ sent: 2, blocked: 1, total: 3 });
    expect(await subs.unsubscribe('telegram', 's1')).toBe(2);
  });

  it.skipIf(skip)('sessions: upcoming per commune, cancelled left out, a notified change bumps the version', async () => {
    const sessions = new SessionRepository(db);
    const base = { placeName: 'Nhà văn hóa ấp 3', address: 'Ấp 3', mapUrl: null, startTime: '07:30', endTime: '11:30', services: ['cccd' as const], homeCapacity: 10, rideCapacity: 5, notes: null, status: 'planned' as const, previous: null, version: 0 };
    await sessions.insert({ ...base, id: `s1-${dialect}`, communeId: 'tan-hoa', date: '2026-12-05' }, 'admin', 1);
    await sessions.insert({ ...base, id: `s2-${dialect}`, communeId: 'long-thanh', date: '2026-12-12' }, 'admin', 1);
    expect((await sessions.upcoming('2026-12-01', 'tan-hoa')).map((s) => s.id)).toEqual([`s1-${dialect}`]);
    const moved = await sessions.update(`s1-${dialect}`, { date: '2026-12-19', status: 'moved', previous: { date: '2026-12-05', startTime: '07:30', endTime: '11:30', placeName: base.placeName, address: base.address } }, true, 5);
    expect(moved).toMatchObject({ date: '2026-12-19', status: 'moved', version: 1, previous: { date: '2026-12-05' } });
    await sessions.update(`s2-${dialect}`, { status: 'cancelled' }, true, 6);
    expect((await sessions.upcoming('2026-12-01')).map((s) => s.id)).toEqual([`s1-${dialect}`]);
    expect((await sessions.between('2026-12-01', '2026-12-31')).length).toBe(2);
  });
  it.skipIf(skip)("a team's load on a day follows every move of a request, and the database refuses a team past its capacity", async () => {
    const teams = new TeamRepository(db);
    await teams.upsertAll([{ id: 'cap-a', name: 'A', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 2 }]);
    const day = '2027-01-02';
    const load = async () => (await requests.loadOnDay(day)).get('cap-a') ?? 0;
    const [a, b, c] = [sampleRequest({ preferredDate: day }), sampleRequest({ preferredDate: day }), sampleRequest({ preferredDate: day })];
    for (const r of [a, b, c]) await requests.insertOnce(r);
    expect(await load()).toBe(0);
    expect(await requests.assignTo(a.id, 'cap-a', 1)).toBe('assigned');
    expect(await requests.assignTo(a.id, 'cap-a', 1)).toBe('taken');
    expect(await requests.assignTo(b.id, 'cap-a', 1)).toBe('assigned');
    expect(await load()).toBe(2);
    // Full: refused, and the request is still new, untouched.
    expect(await requests.assignTo(c.id, 'cap-a', 1)).toBe('full');
    expect((await requests.byId(c.id))?.status).toBe('new');
    expect(await load()).toBe(2);
    // Claimed and done still hold the team's day; handed back, unassigned or cancelled free it.
    await requests.transition(a.id, ['assigned'], 'claimed', 2);
    await requests.transition(a.id, ['claimed'], 'done', 3, { outcome: 'cccd_taken' });
    expect(await load()).toBe(2);
    await requests.handBack(b.id, 'cap-a', 4);
    expect(await load()).toBe(1);
    expect(await requests.assignTo(c.id, 'cap-a', 5)).toBe('assigned');
    await requests.setUnassigned(c.id, 'unreachable', 6);
    expect(await load()).toBe(1);
    expect(await requests.assignTo(b.id, 'cap-a', 7)).toBe('assigned');
    await requests.transition(b.id, ['assigned'], 'cancelled', 8);
    expect(await load()).toBe(1);
  });

  it.skipIf(skip)('assignments racing from separate connections never put a team past its capacity', async () => {
    // Two connections, as two worker processes would have, each firing assignments at once.
    const url = await freshDatabaseUrl(dialect);
    const [one, two] = [await openDatabase(url), await openDatabase(url)];
    try {
      await new TeamRepository(one).upsertAll([{ id: 'cap-b', name: 'B', communes: ['tan-hoa'], capabilities: ['home_kit'], capacityPerDay: 5 }]);
      const [r1, r2] = [new RequestRepository(one), new RequestRepository(two)];
      const filed = Array.from({ length: 24 }, () => sampleRequest());
      for (const r of filed) await r1.insertOnce(r);
      const results = await Promise.all(filed.map((r, i) => (i % 2 ? r1 : r2).assignTo(r.id, 'cap-b', 1)));
      expect(results.filter((x) => x === 'assigned')).toHaveLength(5);
      expect(results.filter((x) => x === 'full')).toHaveLength(19);
      expect((await r2.loadOnDay('2026-11-28')).get('cap-b')).toBe(5);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
