/** Data made before staff could be on any channel survives the migration, on both dialects. */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { CardRepository } from '../../src/db/repositories/cards.js';
import { HandoffRepository } from '../../src/db/repositories/handoffs.js';
import { StaffRepository } from '../../src/db/repositories/staff.js';
import { TeamRepository } from '../../src/db/repositories/teams.js';
import { DIALECTS, freshDatabaseUrl, pgAvailable, tempDir } from '../helpers/db.js';

const DRIZZLE = path.resolve(import.meta.dirname, '../../drizzle');

/** The migrations folder as it was up to (and with) `last`. */
function migrationsUpTo(dialect: string, last: number): string {
  const dir = path.join(tempDir(), dialect);
  cpSync(path.join(DRIZZLE, dialect === 'postgres' ? 'pg' : dialect), dir, { recursive: true });
  const journalFile = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  for (const e of journal.entries.filter((x) => x.idx > last)) rmSync(path.join(dir, `${e.tag}.sql`));
  journal.entries = journal.entries.filter((x) => x.idx <= last);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** Rows as the bot wrote them before: Telegram ids everywhere, the console's chat ids prefixed. */
const OLD_ROWS = [
  `INSERT INTO teams (id, name, chat_id, communes, capabilities, capacity_per_day, active) VALUES ('doan-tn', 'Tổ Đoàn', '-1001', '["tan-hoa"]', '["home_kit"]', 5, 1)`,
  `INSERT INTO teams (id, name, chat_id, communes, capabilities, capacity_per_day, active) VALUES ('console-tổ', 'Tổ thử', 'console:team', '["tan-hoa"]', '["home_kit"]', 5, 1)`,
  `INSERT INTO teams (id, name, chat_id, communes, capabilities, capacity_per_day, active) VALUES ('no-chat', 'Tổ chưa nhóm', NULL, '["tan-hoa"]', '["home_kit"]', 5, 1)`,
  `INSERT INTO officers (id, team_id, telegram_user_id, name, zalo_user_id, created_at) VALUES ('tg-501', 'doan-tn', '501', 'Trần Văn Hùng', 'z-501', 1)`,
  `INSERT INTO officers (id, team_id, telegram_user_id, name, zalo_user_id, created_at) VALUES ('tg-console-officer', 'console-tổ', 'console-officer', 'Cán bộ thử', NULL, 1)`,
  `INSERT INTO admins (user_id, added_by, added_at) VALUES ('777', 'telegram:1', 2)`,
  `INSERT INTO admins (user_id, added_by, added_at) VALUES ('501', 'telegram:777', 3)`,
  `INSERT INTO cards (id, request_id, team_id, chat_id, message_id, round, attempts, mode, flagged, updated_at) VALUES ('r1.0', 'r1', 'doan-tn', '-1001', 12, 0, 0, 'actions', 0, 4)`,
  `INSERT INTO handoffs (id, code, kind, channel, chat_id, question, duty_chat_id, duty_message_id, answers, created_at) VALUES ('h1', 'HD-AAAA', 'question', 'telegram', '42', 'Hỏi?', '-900', 33, 0, 5)`,
];

describe.each(DIALECTS)('the staff migration on %s', (dialect) => {
  it.skipIf(dialect === 'postgres' && !pgAvailable())('keeps every link: work chats, officers with both channels, admins as commanders, cards and duty posts', async () => {
    const url = await freshDatabaseUrl(dialect);
    const old = migrationsUpTo(dialect, 5);
    if (dialect === 'sqlite') {
      const client = new Sqlite(url);
      migrateSqlite(drizzleSqlite(client), { migrationsFolder: old });
      for (const q of OLD_ROWS) client.exec(q);
      client.close();
    } else {
      const pool = new pg.Pool({ connectionString: url });
      await migratePg(drizzlePg(pool), { migrationsFolder: old });
      for (const q of OLD_ROWS) await pool.query(q);
      await pool.end();
    }
    const db = await openDatabase(url);
    try {
      const teams = new TeamRepository(db);
      const staff = new StaffRepository(db);
      expect((await teams.byId('doan-tn'))?.workChat).toEqual({ channel: 'telegram', chatId: '-1001', kind: 'group' });
      expect((await teams.byId('console-tổ'))?.workChat).toEqual({ channel: 'console', chatId: 'team', kind: 'group' });
      expect((await teams.byId('no-chat'))?.workChat).toBeNull();
      const hung = await staff.byIdentity({ channel: 'telegram', userId: '501' });
      expect(hung).toMatchObject({ id: 'tg-501', name: 'Trần Văn Hùng', teamId: 'doan-tn', commander: true });
      expect((await staff.byIdentity({ channel: 'zalo', userId: 'z-501' }))?.id).toBe('tg-501');
      expect((await staff.byIdentity({ channel: 'console', userId: 'console-officer' }))?.teamId).toBe('console-tổ');
      expect(await staff.byIdentity({ channel: 'telegram', userId: '777' })).toMatchObject({ commander: true, teamId: null });
      expect((await teams.byId('doan-tn'))?.officerCount).toBe(1);
      expect(await new CardRepository(db).get('r1', 0)).toMatchObject({ chat: { channel: 'telegram', chatId: '-1001' }, messageId: '12' });
      expect((await new HandoffRepository(db).byDutyMessage({ channel: 'telegram', chatId: '-900' }, '33'))?.code).toBe('HD-AAAA');
    } finally {
      await db.close();
    }
  });
});
