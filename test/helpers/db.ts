import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import type { CitizenRequest } from '../../src/domain/request.js';

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

// Codes drawn in turn from a random start: never the same twice in a test file (random ones
// met one in a few thousand runs, and a taken code is an error of its own).
let nextCode = Math.floor(Math.random() * 36 ** 4);

/** A complete request as intake would file it; text of every kind (HTML, quotes, emoji) in its fields. */
export function sampleRequest(over: Partial<CitizenRequest> = {}): CitizenRequest {
  const now = Date.UTC(2026, 10, 23, 3);
  return {
    id: crypto.randomUUID(),
    code: `TB-${(nextCode++ % 36 ** 4).toString(36).padStart(4, '0').toUpperCase()}`,
    type: 'home',
    status: 'new',
    channel: 'telegram',
    chatId: '42',
    userId: '42',
    filedFor: 'other',
    consentAt: now,
    consentVersion: '2026-11',
    personName: 'Nguyễn Thị <Bưởi> & "Lan"',
    birthYear: 1938,
    condition: 'bedridden',
    communeId: 'tan-hoa',
    address: 'Ấp Bình Lợi, số 12',
    phone: '0912345678',
    services: ['cccd_new', 'vneid_l2'],
    preferredDate: '2026-11-28',
    notes: '😀 gọi trước',
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}
