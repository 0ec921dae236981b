import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/core/requests/fields.js';
import type { RequestFields } from '../../src/domain/request.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every project module a file imports (type-only imports too: a type is a dependency). */
function importsOf(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1]!)));
}

const layerOf = (rel: string) => rel.split(path.sep)[0]!.replace(/\.(js|ts)$/, '');

/**
 * The dependency direction of DESIGN.md: domain knows nothing; core knows domain; conversation
 * and web know core; channels know conversation; jobs know core and delivery but no channel and
 * no main; main knows everybody. Shared leaves (log, i18n, metrics) may be used by anyone.
 */
const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  core: ['domain', 'core', 'services'],
  services: ['domain', 'core', 'services', 'i18n'],
  conversation: ['domain', 'core', 'conversation', 'services', 'i18n'],
  channels: ['domain', 'conversation', 'channels', 'i18n', 'log'],
  delivery: ['domain', 'core', 'channels', 'delivery', 'db', 'log', 'metrics'],
  db: ['domain', 'core', 'db'],
  jobs: ['domain', 'core', 'delivery', 'db', 'jobs', 'log', 'metrics'],
  http: ['http', 'channels/adapter', 'log', 'metrics'],
  // The console's pages know the use cases (core), never the database, a channel or a queue.
  web: ['domain', 'core', 'web', 'i18n', 'log'],
};

describe('layers', () => {
  it('every import follows the dependency direction', () => {
    const wrong: string[] = [];
    for (const file of files(SRC)) {
      const from = path.relative(SRC, file);
      const allowed = ALLOWED[layerOf(from)];
      if (!allowed) continue;
      for (const to of importsOf(file)) {
        const target = layerOf(to);
        const ok = allowed.includes(target) || allowed.some((a) => a.includes('/') && to.replace(/\.js$/, '') === a);
        if (!ok) wrong.push(`${from} → ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no platform name appears in core, conversation or jobs (they know channels only by id)', () => {
    const leaks: string[] = [];
    for (const layer of ['core', 'conversation', 'jobs', 'domain', 'web']) {
      for (const file of files(path.join(SRC, layer))) {
        const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
        for (const name of ['grammy', 'Telegram', 'zalo', 'Zalo']) if (new RegExp(`['"\`]${name}|${name}\\w*\\(`).test(code)) leaks.push(`${path.relative(SRC, file)}: ${name}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('the field table', () => {
  it('holds every field of a request, once', () => {
    const keys = FIELDS.map((f) => f.key).sort();
    const expected: (keyof RequestFields)[] = ['address', 'birthYear', 'communeId', 'condition', 'consentAt', 'filedFor', 'notes', 'people', 'personName', 'phone', 'pickupAddress', 'preferredDate', 'services', 'sessionId', 'type', 'relativePhone', 'relativeCountry', 'timeZone'];
    expect(keys).toEqual(expected.sort());
  });
});
