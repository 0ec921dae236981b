import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export function pgAvailable(): boolean {
  return inject('pgUrl') !== '';
}

/** A fresh folder inside the run's own (removed when the run ends). */
export function tempDir(prefix = 'thu7-'): string {
  return mkdtempSync(path.join(inject('tmpRoot') || tmpdir(), prefix));
}

/** A fresh, migrated database: a new SQLite file, or a new PostgreSQL database on the test server. */
export async function freshDatabaseUrl(dialect: Dialect): Promise<string> {
  if (dialect === 'sqlite') return path.join(tempDir(), 'bot.sqlite');
  const admin = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return admin.replace(/\/[^/]*$/, `/${name}`);
}

export async function freshDatabase(dialect: Dialect): Promise<Database> {
  return openDatabase(await freshDatabaseUrl(dialect));
}
