/**
 * Consistent snapshots of the database and their restore, for `npm run backup` and
 * `npm run restore FILE`. SQLite: `VACUUM INTO` copies the file inside one read transaction
 * (writers go on; what the snapshot holds is the database as of its start, never half a write).
 * PostgreSQL: `pg_dump` (custom format), which reads everything in one repeatable-read snapshot.
 * A restore only goes into an empty database: restoring over live data would mix two histories.
 */
import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class RestoreRefusedError extends Error {}
export class ToolMissingError extends Error {}

const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);
const sqliteFile = (url: string) => path.resolve(url.replace(/^(file:|sqlite:)(\/\/)?/, ''));

/** `bot-2026-12-01T10-40-36-123Z.sqlite`: sorts by time, and two backups never share a name. */
export function snapshotName(dialect: 'sqlite' | 'postgres', at = new Date()): string {
  return `bot-${at.toISOString().replace(/[:.]/g, '-')}.${dialect === 'sqlite' ? 'sqlite' : 'pgdump'}`;
}

/** Writes a snapshot into `outDir` and returns its path. A failed backup leaves no file that looks complete. */
export async function backup(databaseUrl: string, outDir: string, at = new Date()): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, snapshotName(isPostgres(databaseUrl) ? 'postgres' : 'sqlite', at));
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    if (isPostgres(databaseUrl)) {
      await tool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`], databaseUrl);
    } else {
      const { default: SQLite } = await import('better-sqlite3');
      const db = new SQLite(sqliteFile(databaseUrl), { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 10000');
        db.prepare('VACUUM INTO ?').run(partial);
      } finally {
        db.close();
      }
    }
    renameSync(partial, file);
    return file;
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Restores a snapshot into the empty database `databaseUrl` names; refuses one that holds anything. */
export async function restore(databaseUrl: string, file: string): Promise<void> {
  if (!existsSync(file)) throw new RestoreRefusedError(`no such backup file: ${file}`);
  const kind = fileKind(file);
  const target = isPostgres(databaseUrl) ? 'postgres' : 'sqlite';
  if (!kind) throw new RestoreRefusedError(`${file} is not a backup made by npm run backup (neither a SQLite file nor a pg_dump archive)`);
  if (kind !== target) throw new RestoreRefusedError(`${file} is a ${kind} backup but DATABASE_URL points at ${target}: restore it into a ${kind} database`);
  if (target === 'postgres') return restorePostgres(databaseUrl, file);
  return restoreSqlite(sqliteFile(databaseUrl), file);
}

async function restorePostgres(url: string, file: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where c.relkind in ('r', 'p', 'v', 'S') and s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg_toast%'",
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) throw new RestoreRefusedError(`the database is not empty (${n} tables and sequences): restore only into a new, empty database (createdb), never over live data`);
  } finally {
    await client.end();
  }
  // One transaction: a restore that fails part-way leaves the database empty, not half-filled.
  await tool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', file], url);
}

async function restoreSqlite(target: string, file: string): Promise<void> {
  for (const f of [target, `${target}-wal`]) {
    if (existsSync(f) && statSync(f).size > 0) {
      throw new RestoreRefusedError(`${f} already exists and is not empty: restore only into a new file (move the old one away first), never over live data`);
    }
  }
  const { default: SQLite } = await import('better-sqlite3');
  const check = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new RestoreRefusedError(`${file} is damaged (${String(result)}): not restored`);
  } finally {
    check.close();
  }
  mkdirSync(path.dirname(target), { recursive: true });
  // Copied beside the target and renamed: a process opening the target never sees half a file.
  const partial = `${target}.restoring`;
  copyFileSync(file, partial);
  renameSync(partial, target);
}

function fileKind(file: string): 'sqlite' | 'postgres' | undefined {
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1').startsWith('SQLite format 3\u0000')) return 'sqlite';
  if (head.toString('latin1').startsWith('PGDMP')) return 'postgres';
  return undefined;
}

/** Runs a PostgreSQL client tool on the database; the password goes in its environment, not on its command line (which `ps` shows). */
async function tool(name: string, args: string[], databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  try {
    await run(name, [...args, `--dbname=${url.toString()}`], { maxBuffer: 16 * 1024 * 1024, env: password ? { ...process.env, PGPASSWORD: password } : process.env });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new ToolMissingError(`${name} is not installed: apt-get install -y postgresql-client (as root)`);
    throw new Error(`${name} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' / ')}`, { cause: e });
  }
}

/** Runs a backup or restore command: a refusal or a missing tool is one clear line and exit code 2. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const known = e instanceof RestoreRefusedError || e instanceof ToolMissingError;
    process.stderr.write(`${known ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = known ? 2 : 1;
  }
}
