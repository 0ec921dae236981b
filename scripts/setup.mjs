// Runs before `npm start` with plain Node (no dependencies yet): installs what a fresh machine
// lacks, so the quick start stays one command. Safe to run every time: it does nothing when
// everything is in place.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs) {
  process.stderr.write('[setup] installing npm packages…\n');
  run('npm install --no-audit --no-fund');
}
