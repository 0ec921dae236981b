import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as sqliteSchema from './schema/sqlite.js';
import type { Tables } from './schema/define.js';

/**
 * The query API both dialects share. Repositories only `await` builders and use `.returning()`
 * for affected rows, which behaves the same on better-sqlite3 and node-postgres.
 */
export type Db = BetterSQLite3Database;

export interface Database {
  db: Db;
  t: Tables;
  dialect: 'sqlite' | 'postgres';
  /** Answers when the database does (for /readyz). */
  ping(): Promise<void>;
  /**
   * After personal data was erased: nothing of it may stay readable in the file. SQLite
   * overwrites deleted content (secure_delete) and this folds the write-ahead log back into the
   * file and empties it (the log still held the old pages). PostgreSQL: nothing to do here.
   */
  flushErased(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A statement built and prepared once per process, for the per-message hot path. PostgreSQL
 * wants a statement name; SQLite's builder ignores the argument.
 */
export function prepareOnce<P>(builder: { prepare(): P }, name: string): P {
  return (builder.prepare as (name?: string) => P).call(builder, name);
}

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Opens (and creates and migrates) the database the URL names: a SQLite file by default, PostgreSQL by URL. */
export async function openDatabase(url: string, o: { busyTimeoutMs?: number } = {}): Promise<Database> {
  return /^postgres(ql)?:\/\//.test(url) ? openPostgres(url) : openSqlite(url, o.busyTimeoutMs ?? 5000);
}

async function openSqlite(url: string, busyTimeoutMs: number): Promise<Database> {
  const file = url.replace(/^(file:|sqlite:)(\/\/)?/, '');
  const { default: SQLite } = await import('better-sqlite3');
  const { drizzle } = await import('drizzle-orm/better-sqlite3');
  const { migrate } = await import('drizzle-orm/better-sqlite3/migrator');
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const client = new SQLite(file);
  // WAL lets a worker process read while the bot writes; NORMAL is durable across process crashes.
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
  // Erased names and phones are overwritten with zeros, not left in free pages.
  client.pragma('secure_delete = ON');
  const db = drizzle(client);
  migrate(db, { migrationsFolder: path.join(MIGRATIONS, 'sqlite') });
  return {
    db,
    t: sqliteSchema,
    dialect: 'sqlite',
    ping: async () => {
      client.prepare('select 1').get();
    },
    flushErased: async () => {
      client.pragma('wal_checkpoint(TRUNCATE)');
    },
    close: async () => {
      client.close();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pgSchema = await import('./schema/pg.js');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server closed (a restart, a failover) is an event, not a crash: the
  // pool opens a new one for the next query.
  pool.on('error', () => undefined);
  const db = drizzle(pool);
  await migrate(db, { migrationsFolder: path.join(MIGRATIONS, 'pg') });
  return {
    db: db as unknown as Db,
    t: pgSchema as unknown as Tables,
    dialect: 'postgres',
    ping: async () => {
      await pool.query('select 1');
    },
    flushErased: async () => undefined,
    close: () => pool.end(),
  };
}
