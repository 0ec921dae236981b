// Runs before `npm start` with plain Node (no dependencies yet): installs what a fresh machine
// lacks, so the quick start stays one command. Safe to run every time: it does nothing when
// everything is in place.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
const say = (s) => process.stderr.write(`[setup] ${s}\n`);

// `npm ci` installs exactly what the lockfile says and never rewrites it: a start (or a test that
// starts the bot) leaves the checkout as it was.
const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs) {
  say('installing npm packages…');
  run('npm ci --no-audit --no-fund');
}

// The queue needs a Redis; without REDIS_URL the bot runs a private redis-server.
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!process.env.REDIS_URL && !hasRedis) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say('installing redis-server (apt-get)…');
    run('apt-get update -qq && apt-get install -y -qq redis-server >/dev/null');
  } else {
    say('redis-server is missing: run `sudo apt-get install -y redis-server`, or set REDIS_URL.');
    say('The bot still runs; requests are saved and assigned once Redis is there.');
  }
}
