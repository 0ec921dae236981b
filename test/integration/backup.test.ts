import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { restore, RestoreRefusedError } from '../../scripts/backupSnapshot.js';
import { openDatabase } from '../../src/db/database.js';
import { testApp } from '../helpers/app.js';
import { DIALECTS, freshDatabaseUrl, pgAvailable, tempDir } from '../helpers/db.js';
import { fileRequest } from '../helpers/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `npm run backup` / `npm run restore` (their scripts) as the operator would, in another process. */
function cli(script: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

for (const dialect of DIALECTS) {
  describe.skipIf(dialect === 'postgres' && !pgAvailable())(`backup and restore on ${dialect}`, () => {
    it('a backup taken while requests are being filed, restored into an empty database, has everything committed before it began', async () => {
      const source = await freshDatabaseUrl(dialect);
      const app = await testApp({ DATABASE_URL: source });
      const committed: string[] = [];
      let filing = true;
      const load = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (filing) {
            committed.push((await fileRequest(app)).id);
            // SQLite answers synchronously: without a turn of the event loop the load would starve the timers.
            await new Promise((r) => setImmediate(r));
          }
        }),
      );
      try {
        // (A filing that fails ends the load: the wait below ends with it.)
        let failed: unknown;
        void load.catch((e: unknown) => (failed = e));
        while (committed.length < 50 && failed === undefined) await sleep(10);
        if (failed !== undefined) throw failed;
        const before = [...committed];
        const out = tempDir('backups-');
        const taken = await cli('backup', ['--out', out], { DATABASE_URL: source, DATA_DIR: tempDir() });
        const during = committed.length - before.length;
        filing = false;
        await load;
        expect(taken.err).toBe('');
        expect(taken.code).toBe(0);
        const file = taken.out.trim();
        expect(path.basename(file)).toMatch(/^bot-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.(sqlite|pgdump)$/);
        // The load really ran while the snapshot was taken.
        expect(during).toBeGreaterThan(0);

        const target = await freshDatabaseUrl(dialect);
        const restored = await cli('restore', [file], { DATABASE_URL: target, DATA_DIR: tempDir() });
        expect(restored.err).toBe('');
        expect(restored.code).toBe(0);

        const copy = await openDatabase(target);
        try {
          const rows = await copy.db.select().from(copy.t.requests);
          const originals = await app.database.db.select().from(app.database.t.requests);
          const byId = new Map(rows.map((r) => [r.id, r]));
          const missing = before.filter((id) => !byId.has(id));
          expect(missing).toEqual([]);
          // What is in the copy is exactly what the source holds, field by field.
          for (const r of rows) expect(r).toEqual(originals.find((o) => o.id === r.id));
          expect(rows.length).toBeLessThanOrEqual(committed.length);
        } finally {
          await copy.close();
        }

        // A second restore into the now-filled database is refused, and changes nothing.
        const again = await cli('restore', [file], { DATABASE_URL: target, DATA_DIR: tempDir() });
        expect(again.code).toBe(2);
        expect(again.err).toMatch(/not empty/);
        const check = await openDatabase(target);
        try {
          expect((await check.db.select().from(check.t.requests)).length).toBeGreaterThanOrEqual(before.length);
        } finally {
          await check.close();
        }
      } finally {
        filing = false;
        await load;
        await app.shutdown();
      }
    }, 60_000);

    it('refuses a backup of the other kind, or a file that is not one, with a clear message', async () => {
      const target = await freshDatabaseUrl(dialect);
      const other = dialect === 'sqlite' ? 'pgdump' : 'sqlite';
      const wrongKind = path.join(tempDir(), `bot.${other}`);
      writeFileSync(wrongKind, other === 'sqlite' ? 'SQLite format 3\u0000rest' : 'PGDMP rest');
      await expect(restore(target, wrongKind)).rejects.toThrow(dialect === 'sqlite' ? /postgres backup but DATABASE_URL points at sqlite/ : /sqlite backup but DATABASE_URL points at postgres/);
      const junk = path.join(tempDir(), 'notes.txt');
      writeFileSync(junk, 'hello');
      await expect(restore(target, junk)).rejects.toThrow(RestoreRefusedError);
      await expect(restore(target, junk)).rejects.toThrow(/not a backup/);
    });
  });
}
