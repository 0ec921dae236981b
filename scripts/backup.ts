/**
 * Writes a consistent snapshot of the database (DATABASE_URL) to a dated file and prints its path.
 *   npm run backup -- [--out DIR]     (default: DATA_DIR/backups)
 * Restore it with `npm run restore FILE` into an empty database.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../src/main/config.js';
import { backup, runCli } from './backupSnapshot.js';

await runCli(async () => {
  await loadDotEnv();
  const config = loadConfig();
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const file = await backup(config.databaseUrl, values.out ?? path.join(config.DATA_DIR, 'backups'));
  process.stdout.write(`${file}\n`);
});
