import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyColumn, type Placeholder, type SQL, sql } from 'drizzle-orm';
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

/**
 * The statements of a batch (see batch.ts): one per batch size, built and prepared the first
 * time that size comes, so PostgreSQL parses and plans each text once per connection, not once
 * per batch (half its work on a batch of five). Sizes are capped by the batch, so few exist.
 */
export function preparedBySize<P>(name: string, build: (size: number) => { prepare(): P }): (size: number) => P {
  const made = new Map<number, P>();
  return (size) => {
    let p = made.get(size);
    if (p === undefined) made.set(size, (p = prepareOnce(build(size), `${name}_${size}`)));
    return p;
  };
}

/** `size` rows of placeholders, `${column}_${i}`: the values of a prepared multi-row insert. */
export function placeholderRows(columns: readonly string[], size: number): Record<string, Placeholder>[] {
  return Array.from({ length: size }, (_, i) => Object.fromEntries(columns.map((c) => [c, sql.placeholder(`${c}_${i}`)])));
}

/** What fills placeholderRows (or placeholderList with one column): row i's column c as `${c}_${i}`. */
export function filledRows(rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  return Object.fromEntries(rows.flatMap((row, i) => Object.entries(row).map(([c, v]) => [`${c}_${i}`, v])));
}

/** `size` placeholders `${name}_${i}`, for an IN list of a prepared statement. */
export function placeholderList(name: string, size: number): Placeholder[] {
  return Array.from({ length: size }, (_, i) => sql.placeholder(`${name}_${i}`));
}

/**
 * A batched update's value per row: `case <id> when $id_0 then $<name>_0 ... end`. Typed,
 * because PostgreSQL reads a bare parameter in a CASE as text.
 */
export function caseById(id: AnyColumn, size: number, name: string, type: 'text' | 'bigint'): SQL {
  return sql.join([sql`case ${id}`, ...placeholderList('id', size).map((p, i) => sql`when ${p} then cast(${sql.placeholder(`${name}_${i}`)} as ${sql.raw(type)})`), sql`end`], sql` `);
}

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
/** The advisory lock id migrations take on PostgreSQL ("thu7" in ASCII). */
const MIGRATION_LOCK = 0x74687537;

/** What the lock needs of better-sqlite3 (loaded lazily, as PostgreSQL installs need not load it). */
type SQLiteClass = new (file: string) => { pragma(sql: string): unknown; exec(sql: string): unknown; close(): unknown };

/**
 * Runs `work` holding an exclusive lock on a small file beside the database: the same lock for
 * every process on that file, waited for a minute at least (a long migration), freed by the system if
 * its holder dies. (The database itself cannot be the lock: drizzle's migrator opens its own
 * transaction on it.)
 */
function withFileLock<T>(file: string, waitMs: number, SQLite: SQLiteClass, work: () => T): T {
  if (file === ':memory:') return work();
  const lock = new SQLite(`${file}.migrate-lock`);
  try {
    lock.pragma(`busy_timeout = ${Math.max(waitMs, 60_000)}`);
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return work();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}

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
  // Several processes may start at once on one file: one opens and migrates it, the others
  // wait, then find nothing to do.
  const { client, db } = withFileLock(file, busyTimeoutMs, SQLite, () => {
    const client = new SQLite(file);
    client.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
    // WAL lets a worker process read while the bot writes; NORMAL is durable across process crashes.
    client.pragma('journal_mode = WAL');
    client.pragma('synchronous = NORMAL');
    // Erased names and phones are overwritten with zeros, not left in free pages.
    client.pragma('secure_delete = ON');
    const db = drizzle(client);
    migrate(db, { migrationsFolder: path.join(MIGRATIONS, 'sqlite') });
    return { client, db };
  });
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

type PgModule = (typeof import('pg'))['default'];

/**
 * pg's pool closes a connection after any failed query, a refused duplicate (a request code
 * drawn twice) as much as a broken socket, and the next query pays for a new server process
 * (measured: hundreds of reconnects a minute once codes collide). An error the server answered
 * leaves the connection as good as before: only others close it.
 */
function keepingPool(pg: PgModule, config: import('pg').PoolConfig): import('pg').Pool {
  const pool = new pg.Pool(config);
  const query = async (text: string | import('pg').QueryConfig, values?: unknown[]) => {
    const client = await pool.connect();
    try {
      const result = await client.query(text as string, values);
      client.release();
      return result;
    } catch (e) {
      client.release(e instanceof pg.DatabaseError ? undefined : (e as Error));
      throw e;
    }
  };
  return Object.assign(pool, { query }) as unknown as import('pg').Pool;
}

async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pgSchema = await import('./schema/pg.js');
  const pool = keepingPool(pg, { connectionString: url, max: 10 });
  // An idle connection the server closed (a restart, a failover) is an event, not a crash: the
  // pool opens a new one for the next query.
  pool.on('error', () => undefined);
  const db = drizzle(pool);
  // Replicas started together would race on drizzle's own table (one crashed): the first takes
  // a session-level advisory lock and migrates; the others wait on it, then find nothing to do.
  // The lock goes with the connection, so a process that dies while migrating frees it.
  const locked = await pool.connect();
  try {
    await locked.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(locked), { migrationsFolder: path.join(MIGRATIONS, 'pg') });
  } finally {
    await locked.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    locked.release();
  }
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
