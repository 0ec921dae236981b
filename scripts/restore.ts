/**
 * Restores a snapshot made by `npm run backup` into the database DATABASE_URL names, which must
 * be empty (a new SQLite path, or a database just made with createdb); anything else is refused.
 *   npm run restore -- FILE
 */
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../src/main/config.js';
import { restore, RestoreRefusedError, runCli } from './backupSnapshot.js';

await runCli(async () => {
  await loadDotEnv();
  const config = loadConfig();
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file) throw new RestoreRefusedError('which backup? npm run restore -- FILE');
  await restore(config.databaseUrl, file);
  process.stdout.write(`restored ${file} into ${config.dialect === 'sqlite' ? config.databaseUrl : 'the PostgreSQL database'}\n`);
});
